// Starting the embedded PostgreSQL on a shared machine: a port that was free
// when chosen but taken before the server bound it (two starting at once) is
// replaced by another; and a folder without Sidereal's database (a first
// `npm start` that failed after initdb) gets it, instead of failing for ever
// with 'database "sidereal" does not exist'.
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

test('two servers starting at once with the same preferred port both start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-embedded-race-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const port = 56000 + Math.floor(Math.random() * 2000);
  const servers = await Promise.all(['a', 'b'].map((n) => startEmbeddedPostgres({ dir: join(dir, n), log: quiet, port })));
  for (const s of servers) cleanups.push(() => s.stop());
  const ports = servers.map((s) => s.port);
  assert.notEqual(ports[0], ports[1]);
  assert.ok(ports.includes(port), `one got the preferred port ${port}: ${ports}`);
  for (const s of servers) {
    const c = new pg.Client({ connectionString: s.url });
    await c.connect();
    await c.end();
  }
});
