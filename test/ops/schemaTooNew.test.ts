// Upgrades and downgrades: migrations run themselves, and a daemon refuses a
// database that a newer Sidereal has migrated (it would not know the schema).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { listMigrations, migrate, SchemaTooNewError } from '../../daemon/db/migrate.ts';
import { log } from '../../daemon/log.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const dbs: TestDatabase[] = [];
after(async () => {
  for (const d of dbs) await d.drop();
});

async function rows(url: string, text: string, values: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

test('migrate() on an up-to-date database applies nothing', async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  assert.deepEqual(await migrate(db.url, log), []);
  const known = (await listMigrations()).map((m) => m.version);
  assert.deepEqual((await rows(db.url, 'select version from schema_migrations order by version')).map((r) => r.version), known);
});

test('the daemon refuses a database newer than itself', async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  const known = (await listMigrations()).at(-1)!.version;
  await rows(db.url, `insert into schema_migrations (version, name) values ($1, 'from_a_newer_sidereal')`, [known + 1]);
  await assert.rejects(migrate(db.url, log), (err: unknown) => {
    assert.ok(err instanceof SchemaTooNewError);
    assert.equal(err.databaseVersion, known + 1);
    assert.equal(err.knownVersion, known);
    assert.match(err.message, /newer than this Sidereal .*upgrade Sidereal or restore a matching backup/);
    return true;
  });
  // and it changed nothing: the advisory lock is released, the row is still there
  assert.equal((await rows(db.url, 'select count(*)::int as n from schema_migrations where version = $1', [known + 1]))[0].n, 1);
  const locks = await rows(db.url, `select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`);
  assert.equal(locks[0].n, 0);
});
