// The unknown-keywords report: keywords the file agent does not map, kept per
// image at stitching and counted over the library on an admin page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'slonik';
import { ADMIN, BrowserSession, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages, type SeedSpec } from './seedImages.ts';
import { Stitcher } from '../../daemon/catalog/stitching/Stitcher.ts';
import { log } from '../../daemon/log.ts';

let w: WebDaemon;
let specs: SeedSpec[];

before(async () => {
  w = await startWebDaemon({ roles: ['web'] });
  specs = await seedImages(w.db.pool, { count: 12, seed: 5 });
  // three images from a capture program with keywords Sidereal does not read (N.I.N.A.-like focuser and weather cards)
  const extra = [
    { key: 'FOCPOS', value: 8123, comment: '[step] Focuser position' },
    { key: 'AMBTEMP', value: 4.5, comment: '[degC] Ambient air temperature' },
    { key: 'SWCREATE', value: 'N.I.N.A. 3.1.2.9001' },
  ];
  const ids = specs.slice(0, 3).map((s) => s.id);
  for (const [n, id] of ids.entries()) {
    const cards = n === 0 ? [...extra, { key: 'CTYPE1', value: 'RA---TAN' }, { key: 'CD1_1', value: 1e-4 }, { key: 'PV2_1', value: 0 }] : extra.slice(0, 2);
    await w.db.pool.query(sql.unsafe`
      update image_results
         set facts = jsonb_set(jsonb_set(facts, '{headers}', (facts->'headers') || ${sql.jsonb(cards)}), '{acquisition,software}', '"N.I.N.A. 3.1.2.9001"')
       where image_id = ${id} and agent = 'file'`);
  }
  const stitcher = new Stitcher({ db: w.db.pool, log: log.child({ component: 'test' }) });
  for (const id of ids) await stitcher.stitch(id);
});
after(async () => {
  await w?.stop();
});

test('stitching keeps the unmapped keywords of each image; structure, WCS and mapped keywords are not listed', async () => {
  const rows = await w.db.pool.any(sql.unsafe`select id, unknown_keywords from images where unknown_keywords <> '{}' order by id`);
  assert.equal(rows.length, 3);
  for (const r of rows) assert.deepEqual(r.unknown_keywords, ['AMBTEMP', 'FOCPOS']);
});

test('the admin page counts them over the library, with the writing program and an example', async () => {
  const b = new BrowserSession(w.url);
  assert.equal((await b.login(ADMIN.username, ADMIN.password)).status, 303);
  const page = await b.get('/admin/keywords');
  assert.equal(page.res.status, 200);
  assert.match(page.text, /<code>AMBTEMP<\/code><\/td><td class="num">3</);
  assert.match(page.text, /<code>FOCPOS<\/code><\/td><td class="num">3</);
  assert.match(page.text, /N\.I\.N\.A\. 3\.1\.2\.9001/);
  assert.doesNotMatch(page.text, /<code>(CTYPE1|CD1_1|PV2_1|SWCREATE|EXPTIME|NAXIS1)<\/code>/);
  assert.match(page.text, /3 images carry at least one/);
  const filtered = await b.get('/admin/keywords?q=foc');
  assert.match(filtered.text, /FOCPOS/);
  assert.doesNotMatch(filtered.text, /AMBTEMP/);
  // admins only
  const member = await w.daemon.services.keywords.unknown(null).then(() => 'allowed', (e: Error) => e.name);
  assert.notEqual(member, 'allowed');
});
