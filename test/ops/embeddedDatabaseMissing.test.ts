// The embedded server's folder can exist without Sidereal's database: a first
// `npm start` that failed after initdb (the port was taken meanwhile, Ctrl-C).
// The next start creates the database instead of failing for ever with
// 'database "sidereal" does not exist'.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../daemon/db/embedded.ts';
import { log } from '../../daemon/log.ts';

const quiet = log.child({}, { level: 'warn' });
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

test('a start on an initialised folder without the database creates it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-embedded-missing-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const pgDir = join(dir, 'postgres');
  let server: EmbeddedDatabase | null = await startEmbeddedPostgres({ dir: pgDir, log: quiet });
  cleanups.push(() => server?.stop() ?? Promise.resolve());
  // leave the folder as a failed first start does: initialised, no "sidereal" database
  const admin = new pg.Client({ connectionString: server.url.replace(/\/sidereal$/, '/postgres') });
  await admin.connect();
  await admin.query('drop database sidereal');
  await admin.end();
  await server.stop();
  server = null;

  server = await startEmbeddedPostgres({ dir: pgDir, log: quiet });
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  try {
    assert.equal((await c.query('select current_database() as d')).rows[0].d, 'sidereal');
  } finally {
    await c.end();
  }
});
