/**
 * Configuration: the only module that reads the environment. One table of
 * options (name, type, default, description, secret flag) is both the
 * validator and the source of the table in docs/configuration.md (a test
 * checks that they agree). A `.env` file in the working directory is read
 * when present; real environment variables win.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';

type Kind = 'string' | 'int' | 'number' | 'bool' | 'list' | 'url' | 'enum' | 'hops';

export interface OptionSpec {
  env: string;
  kind: Kind;
  default?: string;
  description: string;
  secret?: boolean;
  values?: string[];
  min?: number;
  max?: number;
}

export const OPTIONS: OptionSpec[] = [
  { env: 'PORT', kind: 'int', default: '3000', min: 0, max: 65535, description: 'HTTP port of the web UI and API.' },
  { env: 'HOST', kind: 'string', default: '0.0.0.0', description: 'Address to listen on.' },
  { env: 'DATABASE_URL', kind: 'url', description: 'PostgreSQL connection string. Unset: an embedded PostgreSQL under `SIDEREAL_DATA_DIR/postgres`.', secret: true },
  { env: 'SIDEREAL_DATA_DIR', kind: 'string', default: './data', description: 'Data folder: embedded database, derived files (thumbnails, previews), uploads, star catalog, temporary files.' },
  { env: 'SIDEREAL_WATCH_DIRS', kind: 'list', default: './library', description: 'Comma-separated drop folders watched for image files (each becomes a provider named after its folder). Empty string: none.' },
  { env: 'SIDEREAL_ADMIN_USER', kind: 'string', description: 'First administrator, created at start-up when no user exists (scripted installs). Unset: the first visit opens a one-time set-up page (docs/operations.md).' },
  { env: 'SIDEREAL_ADMIN_PASSWORD', kind: 'string', description: 'Password of the first administrator.', secret: true },
  { env: 'LOG_LEVEL', kind: 'enum', default: 'info', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], description: 'Log level of the logs on standard output.' },
  { env: 'LOG_FORMAT', kind: 'enum', default: 'auto', values: ['auto', 'json', 'pretty'], description: 'Log lines: `json` (one JSON object a line, for log collectors), `pretty` (readable, coloured on a terminal), or `auto`: pretty when standard output is a terminal, else JSON.' },
  { env: 'SIDEREAL_HOST_ID', kind: 'string', description: 'Name of this host in leases and logs. Default: hostname and process id.' },
  { env: 'SIDEREAL_WORKERS', kind: 'int', min: 1, max: 64, description: 'Images processed at once by this host (processing slots) and worker threads in the pool. Default: number of CPU cores.' },
  { env: 'SIDEREAL_AGENT_TIMEOUT_SECONDS', kind: 'int', default: '300', min: 1, description: 'Default time limit of one agent run; an agent may ask for less or more.' },
  { env: 'SIDEREAL_AGENT_MEMORY_MB', kind: 'int', default: '2048', min: 64, description: 'Memory cap of one agent run: heap plus ArrayBuffers and typed arrays (sampled while it runs); the V8 heap limit of the worker threads is set 25 % above it.' },
  { env: 'SIDEREAL_MAX_IMAGE_PIXELS', kind: 'int', default: String(2 ** 30), min: 1, description: 'Largest image the decoders accept, width × height as its header declares (2^30: a 32k × 32k mosaic). A larger one is an error on that image; nothing is allocated for it.' },
  { env: 'SIDEREAL_MAX_DECODED_BYTES', kind: 'int', default: String(768 * 2 ** 20), min: 1048576, description: 'Most decoded data a reader holds in memory at once for one image (a decompressed XISF block, the table and heap of a tile-compressed FITS image); 768 MiB. Keep it well below `SIDEREAL_AGENT_MEMORY_MB`.' },
  { env: 'SIDEREAL_LEASE_SECONDS', kind: 'int', default: '300', min: 2, description: 'Lease on an image being processed; renewed while it runs. A host that dies lets its images come due again after this.' },
  { env: 'SIDEREAL_POLL_SECONDS', kind: 'number', default: '1', min: 0.05, description: 'How often an idle processing loop looks for due images.' },
  { env: 'SIDEREAL_MAX_ATTEMPTS', kind: 'int', default: '6', min: 1, description: 'Attempts of a failing agent (with exponential backoff) before it stays failed until a manual re-run or a change.' },
  { env: 'SIDEREAL_RECONCILE_SECONDS', kind: 'int', default: '300', min: 5, description: 'Full rescan interval of local drop folders (catches what the watcher missed, e.g. on NAS mounts).' },
  { env: 'SIDEREAL_MOVE_WINDOW_SECONDS', kind: 'int', default: '900', min: 0, description: 'A file that vanishes is kept out of sight this long (and removed at the first complete rescan after it) in case the same content (size and sha256) appears elsewhere: then it is a move and the image keeps its id, notes and results. 0: removed at once.' },
  { env: 'SIDEREAL_EDIT_RETENTION_DAYS', kind: 'int', default: '30', min: 0, description: 'User edits (notes, corrections) of a file that was really deleted are kept this many days by content, and given back if the same file is added again.' },
  { env: 'SIDEREAL_WATCH_STABLE_MS', kind: 'int', default: '2000', min: 0, description: 'A new or changed file must keep the same size this long before it is read (files still being written).' },
  { env: 'SIDEREAL_WATCH_POLLING', kind: 'bool', default: 'false', description: 'Use polling instead of native file events (for network mounts without inotify).' },
  { env: 'SIDEREAL_UPLOAD_DIR', kind: 'string', description: 'Folder where uploads are stored (provider `upload`). Default: `SIDEREAL_DATA_DIR/uploads`.' },
  { env: 'SIDEREAL_UPLOAD_MAX_MB', kind: 'int', default: '4096', min: 1, description: 'Largest accepted upload, per file.' },
  { env: 'SIDEREAL_S3_BUCKET', kind: 'string', description: 'S3 bucket to ingest (provider `s3`). Unset: no S3 source.' },
  { env: 'SIDEREAL_S3_PREFIX', kind: 'string', default: '', description: 'Key prefix inside the bucket.' },
  { env: 'SIDEREAL_S3_ENDPOINT', kind: 'url', description: 'S3-compatible endpoint (MinIO, Garage, Ceph…). Unset: AWS.' },
  { env: 'SIDEREAL_S3_REGION', kind: 'string', default: 'us-east-1', description: 'S3 region.' },
  { env: 'SIDEREAL_S3_ACCESS_KEY_ID', kind: 'string', description: 'S3 access key id (else the AWS default credential chain).', secret: true },
  { env: 'SIDEREAL_S3_SECRET_ACCESS_KEY', kind: 'string', description: 'S3 secret access key.', secret: true },
  { env: 'SIDEREAL_S3_FORCE_PATH_STYLE', kind: 'bool', default: 'true', description: 'Path-style bucket addressing (needed by MinIO and most self-hosted servers).' },
  { env: 'SIDEREAL_S3_POLL_SECONDS', kind: 'int', default: '60', min: 1, description: 'How often the S3 source is listed for new, changed (ETag) and deleted objects.' },
  { env: 'SIDEREAL_CACHE_S3_BUCKET', kind: 'string', description: 'Keep derived files (thumbnails, previews) in this S3 bucket (same endpoint and credentials) instead of `SIDEREAL_DATA_DIR/derived`.' },
  { env: 'SIDEREAL_CACHE_S3_PREFIX', kind: 'string', default: 'sidereal-derived/', description: 'Key prefix for derived files in `SIDEREAL_CACHE_S3_BUCKET`.' },
  { env: 'SIDEREAL_AGENTS', kind: 'list', default: '', description: 'Third-party agents to load: npm package names or folder paths, comma-separated.' },
  { env: 'SIDEREAL_STAR_CATALOG', kind: 'string', description: 'Star catalog file of the built-in plate solver. Default: `SIDEREAL_DATA_DIR/catalog/stars.bin` (built by `sidereal catalog build`).' },
  { env: 'SIDEREAL_ASTAP_DATABASE', kind: 'string', description: 'Folder of an ASTAP star database (`.1476` files: D05, D20, D50, D80, V50; or the older `.290` files: H17, H18, V17, G05) for plate solving fields narrower than Tycho-2 allows (see docs/catalogs.md).' },
  { env: 'SIDEREAL_INDEX_DIRS', kind: 'list', default: '', description: 'Comma-separated folders of extra astrometry.net index files (e.g. the 5200/4200 series) for the built-in plate solver, besides `/usr/share/astrometry` (see docs/catalogs.md).' },
  { env: 'SIDEREAL_WIKIPEDIA_URL', kind: 'url', default: 'https://en.wikipedia.org', description: 'Base URL of the Wikipedia REST API used by the description agent.' },
  { env: 'SIDEREAL_OFFLINE', kind: 'bool', default: 'false', description: 'Never contact the internet (the description agent writes its text from the catalog).' },
  { env: 'SIDEREAL_TLS_CERT', kind: 'string', description: 'PEM certificate file: serve HTTPS directly (else terminate TLS at a reverse proxy).' },
  { env: 'SIDEREAL_TLS_KEY', kind: 'string', description: 'PEM private key file for `SIDEREAL_TLS_CERT`.', secret: true },
  { env: 'SIDEREAL_TRUST_PROXY', kind: 'hops', default: 'false', description: 'Reverse proxies in front of Sidereal whose X-Forwarded-* headers are trusted (secure cookies, client addresses for login limits and first-run set-up): `false`, `true` (one proxy) or a number of proxy hops. The client address is the one the outermost trusted proxy saw; earlier `X-Forwarded-For` entries (written by the client) are ignored. See docs/reverse-proxy.md.' },
  { env: 'SIDEREAL_HEADERS_TIMEOUT_MS', kind: 'int', default: '30000', min: 1000, description: 'Time a client has to send the request headers; slower connections are closed.' },
  { env: 'SIDEREAL_REQUEST_TIMEOUT_MS', kind: 'int', default: '60000', min: 1000, description: 'Time a client has to send a whole request body (forms, JSON); slower connections are closed. Uploads are exempt: they are cut only when idle (`SIDEREAL_IDLE_TIMEOUT_MS`).' },
  { env: 'SIDEREAL_IDLE_TIMEOUT_MS', kind: 'int', default: '120000', min: 1000, description: 'A connection on which nothing moves this long (in either direction, uploads included) is closed.' },
  { env: 'SIDEREAL_KEEPALIVE_TIMEOUT_MS', kind: 'int', default: '5000', min: 0, description: 'How long an idle keep-alive connection stays open between requests (behind a proxy with keep-alive, set it above the proxy\'s own idle timeout).' },
  { env: 'SIDEREAL_UPLOAD_CONCURRENCY', kind: 'int', default: '4', min: 1, description: 'Uploads one user may run at once on one web process; more get 429.' },
  { env: 'SIDEREAL_METRICS', kind: 'bool', default: 'false', description: 'Serve Prometheus metrics at `/metrics`.' },
  { env: 'SIDEREAL_BACKUP_DIR', kind: 'string', description: 'Folder of the dumps written by `sidereal backup`. Default: `SIDEREAL_DATA_DIR/backups` (better on another disk).' },
  { env: 'SIDEREAL_BACKUP_KEEP', kind: 'int', default: '14', min: 0, description: 'Dumps kept by `sidereal backup` in `SIDEREAL_BACKUP_DIR` (the newest; older ones are deleted). 0: keep all.' },
  { env: 'SIDEREAL_PG_DUMP', kind: 'string', default: 'pg_dump', description: 'pg_dump program used by `sidereal backup`; its major version must be at least the server\'s.' },
  { env: 'SIDEREAL_PG_RESTORE', kind: 'string', default: 'pg_restore', description: 'pg_restore program used by `sidereal restore`; at least the major version of the pg_dump that wrote the dump.' },
];

export interface S3Config {
  bucket: string;
  prefix: string;
  endpoint: string | null;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  watchDirs: string[];
  adminUser: string | null;
  adminPassword: string | null;
  logLevel: string;
  logFormat: 'auto' | 'json' | 'pretty';
  hostId: string;
  workers: number;
  agentTimeoutSeconds: number;
  agentMemoryMb: number;
  maxImagePixels: number;
  maxDecodedBytes: number;
  leaseSeconds: number;
  pollSeconds: number;
  maxAttempts: number;
  reconcileSeconds: number;
  moveWindowSeconds: number;
  editRetentionDays: number;
  watchStableMs: number;
  watchPolling: boolean;
  uploadDir: string;
  uploadMaxBytes: number;
  s3: (S3Config & { pollSeconds: number }) | null;
  cacheS3: S3Config | null;
  agents: string[];
  starCatalog: string;
  astapDatabase: string | null;
  indexDirs: string[];
  wikipediaUrl: string;
  offline: boolean;
  tlsCert: string | null;
  tlsKey: string | null;
  /** trusted reverse-proxy hops in front of Sidereal (0: none) */
  trustProxy: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  uploadConcurrency: number;
  metrics: boolean;
  backupDir: string;
  backupKeep: number;
  pgDump: string;
  pgRestore: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads `.env` (if present) into process.env without overriding real variables. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

function parseValue(spec: OptionSpec, raw: string, problems: string[]): unknown {
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const n = Number(raw);
      if (!Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) {
        problems.push(`${spec.env}: "${raw}" is not ${spec.kind === 'int' ? 'a whole number' : 'a number'}`);
        return undefined;
      }
      if (spec.min !== undefined && n < spec.min) problems.push(`${spec.env}: must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) problems.push(`${spec.env}: must be at most ${spec.max}`);
      return n;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      problems.push(`${spec.env}: "${raw}" is not a boolean (true/false)`);
      return undefined;
    }
    case 'hops': {
      // false | true (one proxy) | a number of trusted proxy hops
      const v = raw.trim().toLowerCase();
      if (['0', 'false', 'no', 'off', ''].includes(v)) return 0;
      if (['true', 'yes', 'on'].includes(v)) return 1;
      if (/^\d+$/.test(v) && Number(v) <= 10) return Number(v);
      problems.push(`${spec.env}: "${raw}" is not false, true or a number of proxy hops (0 to 10)`);
      return undefined;
    }
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'url':
      try {
        new URL(raw);
      } catch {
        problems.push(`${spec.env}: not a valid URL`);
      }
      return raw;
    case 'enum':
      if (!spec.values!.includes(raw)) problems.push(`${spec.env}: "${raw}" is not one of ${spec.values!.join(', ')}`);
      return raw;
    default:
      return raw;
  }
}

/** Validates the environment against OPTIONS, listing every problem at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const known = new Map(OPTIONS.map((o) => [o.env, o]));
  const v = (name: string): any => {
    const spec = known.get(name);
    if (!spec) throw new Error(`unknown option ${name}`);
    const raw = env[name];
    if (raw === undefined || (raw === '' && spec.kind !== 'list' && spec.kind !== 'string')) {
      return spec.default === undefined ? null : parseValue(spec, spec.default, problems);
    }
    return parseValue(spec, raw, problems);
  };
  // check every variable that is set, also those only read in some set-ups
  for (const o of OPTIONS) if (env[o.env] !== undefined && env[o.env] !== '') v(o.env);
  const dataDir = resolve(v('SIDEREAL_DATA_DIR'));
  const str = (name: string): string | null => {
    const s = v(name);
    return s === null || s === '' ? null : s;
  };
  const s3Base = (bucket: string, prefix: string): S3Config => ({
    bucket,
    prefix,
    endpoint: str('SIDEREAL_S3_ENDPOINT'),
    region: v('SIDEREAL_S3_REGION'),
    accessKeyId: str('SIDEREAL_S3_ACCESS_KEY_ID'),
    secretAccessKey: str('SIDEREAL_S3_SECRET_ACCESS_KEY'),
    forcePathStyle: v('SIDEREAL_S3_FORCE_PATH_STYLE'),
  });
  const s3Bucket = str('SIDEREAL_S3_BUCKET');
  const cacheBucket = str('SIDEREAL_CACHE_S3_BUCKET');
  const tlsCert = str('SIDEREAL_TLS_CERT');
  const tlsKey = str('SIDEREAL_TLS_KEY');
  if ((tlsCert === null) !== (tlsKey === null)) problems.push('SIDEREAL_TLS_CERT and SIDEREAL_TLS_KEY go together');
  const adminUser = str('SIDEREAL_ADMIN_USER');
  const adminPassword = str('SIDEREAL_ADMIN_PASSWORD');
  if (adminUser && !adminPassword) problems.push('SIDEREAL_ADMIN_USER needs SIDEREAL_ADMIN_PASSWORD');
  if (adminPassword && adminPassword.length < 8) problems.push('SIDEREAL_ADMIN_PASSWORD: at least 8 characters');
  const config: Config = {
    port: v('PORT'),
    host: v('HOST'),
    databaseUrl: str('DATABASE_URL'),
    dataDir,
    watchDirs: (v('SIDEREAL_WATCH_DIRS') as string[]).map((d) => resolve(d)),
    adminUser,
    adminPassword,
    logLevel: v('LOG_LEVEL'),
    logFormat: v('LOG_FORMAT'),
    hostId: str('SIDEREAL_HOST_ID') ?? `${process.env.HOSTNAME ?? 'host'}-${process.pid}`,
    workers: v('SIDEREAL_WORKERS') ?? Math.max(1, cpus().length),
    agentTimeoutSeconds: v('SIDEREAL_AGENT_TIMEOUT_SECONDS'),
    agentMemoryMb: v('SIDEREAL_AGENT_MEMORY_MB'),
    maxImagePixels: v('SIDEREAL_MAX_IMAGE_PIXELS'),
    maxDecodedBytes: v('SIDEREAL_MAX_DECODED_BYTES'),
    leaseSeconds: v('SIDEREAL_LEASE_SECONDS'),
    pollSeconds: v('SIDEREAL_POLL_SECONDS'),
    maxAttempts: v('SIDEREAL_MAX_ATTEMPTS'),
    reconcileSeconds: v('SIDEREAL_RECONCILE_SECONDS'),
    moveWindowSeconds: v('SIDEREAL_MOVE_WINDOW_SECONDS'),
    editRetentionDays: v('SIDEREAL_EDIT_RETENTION_DAYS'),
    watchStableMs: v('SIDEREAL_WATCH_STABLE_MS'),
    watchPolling: v('SIDEREAL_WATCH_POLLING'),
    uploadDir: resolve(str('SIDEREAL_UPLOAD_DIR') ?? `${dataDir}/uploads`),
    uploadMaxBytes: (v('SIDEREAL_UPLOAD_MAX_MB') as number) * 1024 * 1024,
    s3: s3Bucket ? { ...s3Base(s3Bucket, v('SIDEREAL_S3_PREFIX') ?? ''), pollSeconds: v('SIDEREAL_S3_POLL_SECONDS') } : null,
    cacheS3: cacheBucket ? s3Base(cacheBucket, v('SIDEREAL_CACHE_S3_PREFIX') ?? '') : null,
    agents: v('SIDEREAL_AGENTS'),
    starCatalog: resolve(str('SIDEREAL_STAR_CATALOG') ?? `${dataDir}/catalog/stars.bin`),
    astapDatabase: str('SIDEREAL_ASTAP_DATABASE') ? resolve(str('SIDEREAL_ASTAP_DATABASE')!) : null,
    indexDirs: (v('SIDEREAL_INDEX_DIRS') as string[]).map((d) => resolve(d)),
    wikipediaUrl: v('SIDEREAL_WIKIPEDIA_URL'),
    offline: v('SIDEREAL_OFFLINE'),
    tlsCert,
    tlsKey,
    trustProxy: v('SIDEREAL_TRUST_PROXY'),
    headersTimeoutMs: v('SIDEREAL_HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: v('SIDEREAL_REQUEST_TIMEOUT_MS'),
    idleTimeoutMs: v('SIDEREAL_IDLE_TIMEOUT_MS'),
    keepAliveTimeoutMs: v('SIDEREAL_KEEPALIVE_TIMEOUT_MS'),
    uploadConcurrency: v('SIDEREAL_UPLOAD_CONCURRENCY'),
    metrics: v('SIDEREAL_METRICS'),
    backupDir: resolve(str('SIDEREAL_BACKUP_DIR') ?? `${dataDir}/backups`),
    backupKeep: v('SIDEREAL_BACKUP_KEEP'),
    pgDump: v('SIDEREAL_PG_DUMP') || 'pg_dump',
    pgRestore: v('SIDEREAL_PG_RESTORE') || 'pg_restore',
  };
  if (problems.length) throw new ConfigError([...new Set(problems)]);
  return config;
}

/** The configuration with secrets replaced, for logs and the status page. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  if (config.databaseUrl) out.databaseUrl = config.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:[redacted]@');
  for (const key of ['adminPassword', 'tlsKey']) if (out[key]) out[key] = '[redacted]';
  for (const key of ['s3', 'cacheS3'] as const) {
    const s = config[key];
    if (s) out[key] = { ...s, secretAccessKey: s.secretAccessKey ? '[redacted]' : null };
  }
  return out;
}
