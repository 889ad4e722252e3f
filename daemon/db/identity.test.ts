// The SQL of stable identity on a real PostgreSQL: parking, a take-over that
// only one of two hosts wins, the real deletion after the window, and edits
// kept by content.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { createDatabasePool } from './pool.ts';
import { adoptParked, parkFiles, purgeParked, reattachRetainedEdits } from './identity.ts';
import { ensureProvider, upsertFiles } from './files.ts';
import { saveUserEdits } from './edits.ts';

let db: TestDatabase;
let otherHost: DatabasePool;
before(async () => {
  db = await createTestDatabase();
  otherHost = await createDatabasePool(db.url);
  await ensureProvider(db.pool, { name: 'lib', kind: 'local', rootUri: 'file:///lib/' });
  await ensureProvider(db.pool, { name: 's3', kind: 's3', rootUri: 's3://b/' });
});
after(async () => {
  await otherHost?.end();
  await db?.drop();
});

async function catalogued(key: string, sha256: string, size = 1000): Promise<string> {
  const [row] = await upsertFiles(db.pool, 'lib', 'file:///lib/', [{ key, size, modifiedAt: null, fingerprint: `${size}:1` }]);
  await db.pool.query(sql.unsafe`
    insert into images (id, source, path, size_bytes, sha256, frame_type, is_calibration, record, stitch_hash)
    values (${row!.id}, 'lib', ${key}, ${size}, ${sha256}, 'light', false, '{}'::jsonb, 'h')`);
  return row!.id;
}
const count = (q: ReturnType<typeof sql.unsafe>) => db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from (${q}) x`);

test('a parked row leaves the gallery, keeps its edits, and is taken over by exactly one of two hosts', async () => {
  const id = await catalogued('a.fits', 'aa');
  await saveUserEdits(db.pool, id, { notes: 'keep me' }, null);
  assert.equal(await parkFiles(db.pool, 'lib', ['a.fits'], 600), 1);
  assert.equal(await count(sql.unsafe`select 1 from images where id = ${id}`), 0, 'out of the gallery');
  assert.equal(await count(sql.unsafe`select 1 from images_unprocessed where id = ${id} and missing_since is not null and content_sha256 = 'aa' and next_update_at is null`), 1);
  const to = (p: string) => ({ provider: 's3', key: p, locationUri: `s3://b/${p}`, modifiedAt: null, fingerprint: 'etag' });
  const won = await Promise.all([adoptParked(db.pool, id, to('x.fits')), adoptParked(otherHost, id, to('y.fits'))]);
  assert.deepEqual(won.filter(Boolean).length, 1, 'one host takes the parked row');
  const row = await db.pool.one(sql.type(z.object({ provider: z.string(), storage_key: z.string() }))`select provider, storage_key from images_unprocessed where id = ${id}`);
  assert.equal(row.provider, 's3');
  assert.ok(['x.fits', 'y.fits'].includes(row.storage_key));
  assert.equal(await count(sql.unsafe`select 1 from user_edits where image_id = ${id} and edits->>'notes' = 'keep me'`), 1);
});

test('after the window a parked row is deleted for real and its edits are kept by content, given back once', async () => {
  const id = await catalogued('b.fits', 'bb', 2000);
  await saveUserEdits(db.pool, id, { notes: 'dusty flat' }, null);
  await parkFiles(db.pool, 'lib', ['b.fits'], 600);
  assert.equal(await purgeParked(db.pool, 'lib', 600), 0, 'still within the window');
  await db.pool.query(sql.unsafe`update images_unprocessed set missing_since = now() - interval '1 hour' where id = ${id}`);
  assert.equal(await purgeParked(db.pool, 'lib', 600), 1);
  assert.equal(await count(sql.unsafe`select 1 from retained_edits where sha256 = 'bb' and size_bytes = 2000 and edits->>'notes' = 'dusty flat'`), 1);
  const again = await catalogued('b2.fits', 'bb', 2000);
  assert.equal(await reattachRetainedEdits(db.pool, again, 'bb', 2000), true);
  assert.equal(await count(sql.unsafe`select 1 from user_edits where image_id = ${again} and edits->>'notes' = 'dusty flat'`), 1);
  assert.equal(await reattachRetainedEdits(db.pool, again, 'bb', 2000), false, 'used up');
});

test('a row never read (no content known) is deleted at once, not parked', async () => {
  const [row] = await upsertFiles(db.pool, 'lib', 'file:///lib/', [{ key: 'new.fits', size: 5, modifiedAt: null, fingerprint: '5:1' }]);
  assert.equal(await parkFiles(db.pool, 'lib', ['new.fits'], 600), 1);
  assert.equal(await count(sql.unsafe`select 1 from images_unprocessed where id = ${row!.id}`), 0);
});
