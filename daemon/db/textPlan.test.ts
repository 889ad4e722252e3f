// The free-text plan of a search on a real PostgreSQL: a word that most of
// the library has is tested on the rows the other conditions find (not read
// through the full-text index) only when another condition narrows the
// search, a rare word keeps the index — and both plans find the same images.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'slonik';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { ensureProvider, upsertFiles } from './files.ts';
import { searchImages, withTextPlan, type ImageSearch } from './images.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  await ensureProvider(db.pool, { name: 'lib', kind: 'local', rootUri: 'file:///lib/' });
  // 300 images: 80 % of them say "nebula", every 25th says "Bubble"; half north
  const keys = Array.from({ length: 300 }, (_, i) => `night/${i % 3 === 0 ? 'Light_M27' : 'Light_NGC7635'}_${String(i).padStart(4, '0')}.fits`);
  const rows = await upsertFiles(db.pool, 'lib', 'file:///lib/', keys.map((key, i) => ({ key, size: 1000 + i, modifiedAt: null, fingerprint: `${i}` })));
  for (const [i, r] of rows.entries()) {
    const words = [i % 5 ? 'Dumbbell Nebula' : 'Galaxy', i % 25 === 0 ? 'Bubble' : '', 'ZWO'].join(' ');
    await db.pool.query(sql.unsafe`
      insert into images (id, source, path, size_bytes, frame_type, is_calibration, hemisphere, search_text, record, stitch_hash)
      values (${r.id}, 'lib', ${keys[i]!}, ${1000 + i}, 'light', false, ${i % 2 ? 'north' : 'south'},
              to_tsvector('simple', ${words}), ${JSON.stringify({ id: r.id })}::jsonb, 'h')`);
  }
  await db.pool.query(sql.unsafe`analyze images`);
});
after(async () => {
  await db?.drop();
});

const search = (s: Partial<ImageSearch>): ImageSearch => ({ sort: 'name', limit: 500, offset: 0, ...s });
const ids = async (s: ImageSearch) => {
  const r = await searchImages(db.pool, s);
  return { total: r.total, ids: r.items.map((x) => String(x.id)) };
};

test('a common word is tested on the rows of the other conditions; a rare word or a word alone keeps the index', async () => {
  assert.equal((await withTextPlan(db.pool, search({ q: 'nebula', hemisphere: 'north' }))).qCommon, true);
  assert.equal((await withTextPlan(db.pool, search({ q: 'Nebula zwo', hemisphere: 'north' }))).qCommon, true, 'every word common, in any case');
  assert.equal((await withTextPlan(db.pool, search({ q: 'nebula' }))).qCommon, false, 'nothing else narrows the search');
  assert.equal((await withTextPlan(db.pool, search({ q: 'nebula bubble', hemisphere: 'north' }))).qCommon, false, 'a rare word is selective');
  assert.equal((await withTextPlan(db.pool, search({ q: 'Light_M27', hemisphere: 'north' }))).qCommon, false, 'a file name is not a common word');
  assert.equal((await withTextPlan(db.pool, search({ hemisphere: 'north' }))).qCommon, undefined);
});

test('both plans find the same images, words and path substrings alike', async () => {
  for (const q of ['nebula', 'nebula zwo', 'galaxy', 'Light_M27', 'NGC7635_00', 'bubble zwo']) {
    const indexed = await ids(search({ q, hemisphere: 'north', qCommon: false }));
    const onRows = await ids(search({ q, hemisphere: 'north', qCommon: true }));
    assert.deepEqual(onRows, indexed, q);
    assert.ok(indexed.total > 0, `${q} matches something`);
  }
  // the figures themselves: 150 north, 4 in 5 say nebula (i % 5 ≠ 0 among odd i)
  assert.equal((await ids(search({ q: 'nebula', hemisphere: 'north' }))).total, 120);
  assert.equal((await ids(search({ q: 'Light_M27', hemisphere: 'north' }))).total, 50);
});
