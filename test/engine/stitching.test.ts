// The typed image record and the stitcher version, on real PostgreSQL with
// the real Stitcher: every stored record matches the record schema, links are
// made when read, the column table covers the `images` table, and images of an
// older stitcher version are re-stitched without running an agent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'slonik';
import { z } from 'zod';
import { Stitcher } from '../../daemon/catalog/stitching/Stitcher.ts';
import { PublicRecord, STITCHER_VERSION, StoredRecord, publicRecord } from '../../daemon/catalog/stitching/record.ts';
import { ROW_COLUMNS } from '../../daemon/db/imageColumns.ts';
import { log } from '../../daemon/log.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { seedImages, seedImagesBulk } from '../web/seedImages.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  await seedImages(db.pool, { count: 30, seed: 7 });
});
after(async () => {
  await db?.drop();
});

const records = async () => db.pool.anyFirst(sql.type(z.object({ record: z.record(z.any()) }))`select record from images order by id`);

test('every stored record matches the record schema; the API record gets its links when read', async () => {
  const all = await records();
  assert.equal(all.length, 30);
  for (const r of all) {
    const stored = StoredRecord.parse(r);
    assert.ok(!('thumbnailUrl' in stored), 'links are not stored');
    const pub = PublicRecord.parse(publicRecord({ ...stored, derived: ['preview', 'thumbnail'] }));
    assert.equal(pub.thumbnailUrl, `/api/v1/images/${stored.id}/thumbnail`);
    assert.equal(pub.previewUrl, `/api/v1/images/${stored.id}/preview`);
    assert.ok(!('derived' in pub));
  }
  assert.equal(publicRecord(all[0]!).thumbnailUrl, null, 'no derived file, no link');
});

test('the column table writes every column of images (one table for the stitcher and the seeders)', async () => {
  const cols = await db.pool.anyFirst(sql.type(z.object({ column_name: z.string() }))`
    select column_name from information_schema.columns where table_schema = current_schema() and table_name = 'images' order by column_name`);
  const written = new Set([...ROW_COLUMNS.map((c) => c.name), 'stitched_at']);
  assert.deepEqual(cols.filter((c) => !written.has(c)), [], 'columns of images that no writer fills');
  // the bulk seeder writes through the same table: its rows read back like the Stitcher's
  const bulk = await createTestDatabase();
  try {
    assert.equal(await seedImagesBulk(bulk.pool, { count: 20, seed: 3, provider: 'bulk' }), 20);
    const rows = await bulk.pool.anyFirst(sql.type(z.object({ record: z.record(z.any()) }))`select record from images where stitcher_version = ${STITCHER_VERSION}`);
    assert.equal(rows.length, 20);
    for (const r of rows) StoredRecord.parse(r);
  } finally {
    await bulk.drop();
  }
});

test('images of an older stitcher version are re-stitched at start, without agent runs and without becoming due', async () => {
  const Sums = z.object({ runs: z.number(), generations: z.number(), due: z.number() });
  const sums = () => db.pool.one(sql.type(Sums)`
    select (select coalesce(sum(runs), 0)::int from image_results) as runs,
           (select coalesce(sum(generation), 0)::int from images_unprocessed) as generations,
           (select count(*)::int from images_unprocessed where next_update_at is not null) as due`);
  const before = await sums();
  // as an older Sidereal left them: another version, a record of another shape
  await db.pool.query(sql.unsafe`update images set stitcher_version = ${STITCHER_VERSION - 1}, record = record || '{"stale": true}'::jsonb`);
  const stitcher = new Stitcher({ db: db.pool, log: log.child({ component: 'test' }) });
  assert.equal(await stitcher.restitchOutdated({ batch: 7 }), 30);
  const after = await db.pool.one(sql.type(z.object({ old: z.number(), stale: z.number() }))`
    select count(*) filter (where stitcher_version <> ${STITCHER_VERSION})::int as old, count(*) filter (where record ? 'stale')::int as stale from images`);
  assert.deepEqual(after, { old: 0, stale: 0 });
  assert.deepEqual(await sums(), before, 'no agent ran, no image became due');
  assert.equal(await stitcher.restitchOutdated(), 0, 'nothing left to do');
});
