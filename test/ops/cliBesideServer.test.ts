// Commands beside a running daemon on the embedded database (no DATABASE_URL):
// `sidereal user add` and `sidereal migrate` connect to the server the daemon
// holds instead of starting a second PostgreSQL on the same folder (which
// failed with a bare "fatal error"), and a second `sidereal serve` on the same
// data folder says why it cannot start. On a terminal, the password is not echoed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../daemon/db/embedded.ts';
import { migrate } from '../../daemon/db/migrate.ts';
import { log } from '../../daemon/log.ts';

const BIN = resolve(import.meta.dirname, '../../bin/sidereal.mjs');
const quiet = log.child({}, { level: 'warn' });
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

function sidereal(args: string[], dataDir: string, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, SIDEREAL_DATA_DIR: dataDir, SIDEREAL_WATCH_DIRS: '', PORT: '0', LOG_FORMAT: 'json' };
  delete env.DATABASE_URL;
  delete env.SIDEREAL_ADMIN_USER;
  delete env.SIDEREAL_ADMIN_PASSWORD;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: dataDir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Runs the command on a pseudo-terminal; types `line` once the prompt shows; returns what the terminal showed. */
function onTerminal(args: string[], dataDir: string, line: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, SIDEREAL_DATA_DIR: dataDir, SIDEREAL_WATCH_DIRS: '', LOG_FORMAT: 'json' };
  delete env.DATABASE_URL;
  delete env.SIDEREAL_ADMIN_PASSWORD;
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env, cwd: dataDir });
    let out = '';
    let typed = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!typed && out.includes('password: ')) {
        typed = true;
        child.stdin.write(line + '\r');
      }
    });
    child.on('error', reject);
    child.on('close', () => resolvePromise(out));
  });
}

test('user add and migrate work while a daemon runs the embedded database; a second serve says why it cannot start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-cli-beside-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  // the "running daemon": the embedded server on the data folder, migrated
  const server: EmbeddedDatabase = await startEmbeddedPostgres({ dir: join(dir, 'postgres'), log: quiet });
  cleanups.push(() => server.stop());
  await migrate(server.url, quiet);

  const added = await sidereal(['user', 'add', 'bob', '--admin'], dir, 'bob-password-12\n');
  assert.equal(added.code, 0, added.stderr + added.stdout);
  assert.match(added.stdout, /created admin bob/);
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  try {
    const { rows } = await c.query(`select username, role from users`);
    assert.deepEqual(rows, [{ username: 'bob', role: 'admin' }]);
  } finally {
    await c.end();
  }

  const again = await sidereal(['user', 'add', 'bob'], dir, 'bob-password-12\n');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /could not create the user: .+/);

  // on a terminal (a pseudo-terminal from util-linux `script`) the password is asked for and not shown
  const typed = await onTerminal(['user', 'add', 'carol'], dir, 'carol-password-9');
  assert.match(typed, /password: /);
  assert.match(typed, /created member carol/);
  assert.ok(!typed.includes('carol-password-9'), `the password is not echoed: ${JSON.stringify(typed)}`);

  const migrated = await sidereal(['migrate'], dir);
  assert.equal(migrated.code, 0, migrated.stderr + migrated.stdout);

  const second = await sidereal(['serve'], dir);
  assert.equal(second.code, 1);
  assert.match(second.stdout + second.stderr, /another Sidereal process runs the embedded PostgreSQL of .*stop it first/);
});
