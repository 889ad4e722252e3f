// Backups of the embedded database (no DATABASE_URL): the command connects to
// the server a running daemon holds instead of starting a second one on the
// same folder, starts (and stops) the server itself when none runs, and a
// restore onto a machine without a database creates the embedded one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../daemon/config.ts';
import { createBackup } from '../../daemon/commands/backup.ts';
import { restoreBackup } from '../../daemon/commands/restore.ts';
import { runningEmbeddedPort, startEmbeddedPostgres, type EmbeddedDatabase } from '../../daemon/db/embedded.ts';
import { migrate } from '../../daemon/db/migrate.ts';
import { log } from '../../daemon/log.ts';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const quiet = log.child({}, { level: 'warn' });
const configFor = (dataDir: string, backupDir: string) => loadConfig({ SIDEREAL_DATA_DIR: dataDir, SIDEREAL_BACKUP_DIR: backupDir, SIDEREAL_WATCH_DIRS: '' });

async function query(url: string, text: string): Promise<any[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

test('backup and restore of the embedded database', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-embedded-backup-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const backups = join(dir, 'backups');
  const configA = configFor(join(dir, 'a'), backups);

  // nothing to back up yet: say so, and do not create a database
  await assert.rejects(createBackup({ config: configA }), /no database: DATABASE_URL is not set and there is no embedded database under .*\/a\/postgres/);
  assert.ok(!existsSync(join(dir, 'a', 'postgres')));

  // a "running daemon": the embedded server on a's data folder
  let server: EmbeddedDatabase | null = await startEmbeddedPostgres({ dir: join(dir, 'a', 'postgres'), log: quiet });
  cleanups.push(() => server?.stop() ?? Promise.resolve());
  await migrate(server.url, quiet);
  await query(server.url, `insert into system_settings (key, value) values ('backup-test', '"from a"')`);
  const pidBefore = readFileSync(join(dir, 'a', 'postgres', 'postmaster.pid'), 'utf8');
  assert.equal(runningEmbeddedPort(join(dir, 'a', 'postgres')), Number(new URL(server.url).port));

  const first = await createBackup({ config: configA });
  assert.equal(first.database, 'running', 'connected to the running server');
  assert.equal(readFileSync(join(dir, 'a', 'postgres', 'postmaster.pid'), 'utf8'), pidBefore, 'the same server still runs');
  await server.stop();
  server = null;
  assert.equal(runningEmbeddedPort(join(dir, 'a', 'postgres')), null);

  // no server running: the command starts one and stops it again
  const second = await createBackup({ config: configA });
  assert.equal(second.database, 'started');
  assert.equal(runningEmbeddedPort(join(dir, 'a', 'postgres')), null, 'stopped after the backup');
  assert.notEqual(second.file, first.file);

  // a new machine (empty data folder b): restore creates the embedded database
  const configB = configFor(join(dir, 'b'), backups);
  const restored = await restoreBackup({ config: configB, file: second.file });
  assert.equal(restored.database, 'started');
  assert.equal(runningEmbeddedPort(join(dir, 'b', 'postgres')), null, 'stopped after the restore');
  server = await startEmbeddedPostgres({ dir: join(dir, 'b', 'postgres'), log: quiet });
  const rows = await query(server.url, `select value from system_settings where key = 'backup-test'`);
  assert.deepEqual(rows, [{ value: 'from a' }]);
  await server.stop();
  server = null;
});
