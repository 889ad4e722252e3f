// `sidereal backup` + `sidereal restore` on a real PostgreSQL: a populated
// database is dumped, restored into an empty database, and every row (and the
// schema: indexes, constraints, triggers) is found again. Also: rotation,
// and the refusals that protect data (non-empty target, newer dump, others
// connected).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig, type Config } from '../../daemon/config.ts';
import { restoreBackup, RestoreRefused, dumpSchemaVersion } from '../../daemon/commands/restore.ts';
import { createBackup } from '../../daemon/commands/backup.ts';
import { listMigrations } from '../../daemon/db/migrate.ts';
import { createTestDatabase, withDatabase, type TestDatabase } from '../helpers/db.ts';
import { fingerprint, populate, POPULATED_TABLES } from './populate.ts';

const BIN = fileURLToPath(new URL('../../bin/sidereal.mjs', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
let dir: string;
let source: TestDatabase;

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** A new, really empty database (not cloned from the template). */
async function emptyDatabase(): Promise<string> {
  const name = `restore_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const a = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  });
  return withDatabase(process.env.TEST_DATABASE_URL!, name);
}

function configFor(url: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ DATABASE_URL: url, SIDEREAL_DATA_DIR: join(dir, 'data'), SIDEREAL_BACKUP_DIR: join(dir, 'backups'), SIDEREAL_WATCH_DIRS: '', ...extra });
}

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, SIDEREAL_FROM_SOURCE: '1', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidereal-backup-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  source = await createTestDatabase();
  cleanups.push(() => source.drop());
  await populate(source.url);
});

let dumpFile: string;

test('sidereal backup dumps a populated database (custom format) and rotates old dumps', async () => {
  const backups = join(dir, 'backups');
  // three older dumps and an unrelated file: with --keep 2 only the newest old one survives
  await writeFile(join(dir, 'placeholder'), '');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(backups, { recursive: true });
  for (const name of ['sidereal-20200101-000000.dump', 'sidereal-20200102-000000.dump', 'sidereal-20200103-000000.dump', 'notes.txt']) {
    await writeFile(join(backups, name), 'old');
  }
  const r = await cli(['backup', '--keep', '2'], { DATABASE_URL: source.url, SIDEREAL_DATA_DIR: join(dir, 'data'), SIDEREAL_BACKUP_DIR: backups, SIDEREAL_WATCH_DIRS: '' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /dumping database "t_[0-9a-f]+" \(PostgreSQL 1\d, schema version \d+/);
  assert.match(r.out, /deleted 2 older backup\(s\): sidereal-20200101-000000\.dump, sidereal-20200102-000000\.dump/);
  const files = (await readdir(backups)).sort();
  const fresh = files.filter((f) => /^sidereal-\d{8}-\d{6}\.dump$/.test(f) && !f.startsWith('sidereal-2020'));
  assert.equal(fresh.length, 1, files.join(', '));
  assert.deepEqual(files.filter((f) => !fresh.includes(f)), ['notes.txt', 'sidereal-20200103-000000.dump']);
  assert.ok(!files.some((f) => f.endsWith('.partial')));
  dumpFile = join(backups, fresh[0]!);
  const known = (await listMigrations()).at(-1)!.version;
  assert.equal(await dumpSchemaVersion('pg_restore', dumpFile), known);
});

test('restore into an empty database finds every row again', async () => {
  assert.ok(dumpFile, 'needs the dump of the previous test');
  const target = await emptyDatabase();
  const lines: string[] = [];
  const r = await restoreBackup({ config: configFor(target), file: dumpFile, report: (l) => lines.push(l) });
  assert.deepEqual(r.migrated, [], 'same schema version: nothing to migrate');
  assert.equal(r.safetyBackup, null);
  assert.ok(lines.some((l) => /data \d+\/\d+: public\.objects/.test(l)), lines.join('\n'));

  const [a, b] = [await fingerprint(source.url), await fingerprint(target)];
  for (const t of POPULATED_TABLES) assert.ok(a.tables[t] && a.tables[t].rows > 0, `${t} was populated`);
  assert.deepEqual(Object.keys(b.tables), Object.keys(a.tables));
  for (const t of Object.keys(a.tables)) assert.deepEqual(b.tables[t], a.tables[t], `table ${t}`);
  assert.deepEqual(b.schema, a.schema);
  const total = Object.values(a.tables).reduce((s, t) => s + t.rows, 0);
  assert.ok(total > 1000, `${total} rows compared`);
});

test('restore refuses a database in use, a non-empty one without --force, and replaces it with --force after a safety dump', async () => {
  // a database someone else is connected to (a running daemon) is refused
  const inUse = new pg.Client({ connectionString: source.url, application_name: 'sidereal-web' });
  await inUse.connect();
  try {
    await assert.rejects(restoreBackup({ config: configFor(source.url), file: dumpFile, force: true }), (err: Error) => err instanceof RestoreRefused && /1 other session\(s\) use the database \(sidereal-web from /.test(err.message));
  } finally {
    await inUse.end();
  }

  const target = await emptyDatabase();
  await restoreBackup({ config: configFor(target), file: dumpFile });
  await assert.rejects(restoreBackup({ config: configFor(target), file: dumpFile }), (err: Error) => err instanceof RestoreRefused && /already holds \d+ tables .*--force/.test(err.message));

  // change a row, then --force: the change is gone, and the safety dump has it
  const c = new pg.Client({ connectionString: target });
  await c.connect();
  await c.query(`update users set username = 'changed' where username = 'ada'`);
  await c.end();
  const r = await restoreBackup({ config: configFor(target), file: dumpFile, force: true });
  assert.ok(r.safetyBackup && existsSync(r.safetyBackup) && /sidereal-pre-restore-\d{8}-\d{6}\.dump$/.test(r.safetyBackup), String(r.safetyBackup));
  assert.deepEqual((await fingerprint(target)).tables, (await fingerprint(source.url)).tables);

  const check = await emptyDatabase();
  await restoreBackup({ config: configFor(check), file: r.safetyBackup! });
  const c2 = new pg.Client({ connectionString: check });
  await c2.connect();
  const { rows } = await c2.query(`select username from users order by username`);
  await c2.end();
  assert.deepEqual(rows.map((x) => x.username).sort(), ['Grace', 'changed'].sort());
});

test('restore refuses a dump from a newer Sidereal before touching the database', async () => {
  const newer = await emptyDatabase();
  const c = new pg.Client({ connectionString: newer });
  await c.connect();
  await c.query(`create table schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now());
                 insert into schema_migrations (version, name) values (1, 'catalog'), (9999, 'from_the_future')`);
  await c.end();
  const { file } = await createBackup({ config: configFor(newer), file: join(dir, 'newer.dump') });
  const target = await emptyDatabase();
  await assert.rejects(restoreBackup({ config: configFor(target), file }), (err: Error) => err instanceof RestoreRefused && /newer Sidereal \(schema version 9999/.test(err.message));
  const t = new pg.Client({ connectionString: target });
  await t.connect();
  const { rows } = await t.query(`select count(*)::int as n from pg_tables where schemaname = 'public'`);
  await t.end();
  assert.equal(rows[0].n, 0, 'the target was not touched');
});

test('backup says what is wrong when pg_dump is missing or older than the server', async () => {
  await assert.rejects(createBackup({ config: configFor(source.url, { SIDEREAL_PG_DUMP: join(dir, 'no-such-pg_dump') }) }), /not found: install the PostgreSQL client programs .*SIDEREAL_PG_DUMP/);
  const fake = join(dir, 'pg_dump_9');
  await writeFile(fake, '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n', { mode: 0o755 });
  await assert.rejects(createBackup({ config: configFor(source.url, { SIDEREAL_PG_DUMP: fake }) }), /version 9\.6 but the server is PostgreSQL 1\d: install the PostgreSQL 1\d client programs/);
  assert.ok(!(await readdir(join(dir, 'backups'))).some((f) => f.endsWith('.partial')));
});

test('scripts/backup-cron.sh runs a backup with time-stamped output, then the after-hook', async () => {
  const backups = join(dir, 'cron-backups');
  const marker = join(dir, 'after-hook-ran');
  const script = fileURLToPath(new URL('../../scripts/backup-cron.sh', import.meta.url));
  const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn('bash', [script, '--keep', '3'], {
      env: {
        ...process.env,
        SIDEREAL_FROM_SOURCE: '1',
        LOG_LEVEL: 'warn',
        SIDEREAL_BIN: BIN,
        SIDEREAL_BACKUP_LOCK: join(dir, 'cron.lock'),
        SIDEREAL_BACKUP_AFTER: `touch ${marker}`,
        DATABASE_URL: source.url,
        SIDEREAL_DATA_DIR: join(dir, 'data'),
        SIDEREAL_BACKUP_DIR: backups,
        SIDEREAL_WATCH_DIRS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
  assert.equal(r.code, 0, r.out);
  const lines = r.out.trim().split('\n');
  for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /, l);
  assert.match(r.out, /backup finished in \d+ s/);
  assert.equal((await readdir(backups)).filter((f) => /^sidereal-\d{8}-\d{6}\.dump$/.test(f)).length, 1);
  assert.ok(existsSync(marker), 'SIDEREAL_BACKUP_AFTER ran');
});
