// An unsolved image whose header gives a pointing: the record says why it is not
// solved and where its objects come from, and the image page shows both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'slonik';
import { ADMIN, BrowserSession, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages, type SeedSpec } from './seedImages.ts';
import { Stitcher } from '../../daemon/catalog/stitching/Stitcher.ts';
import { log } from '../../daemon/log.ts';

let w: WebDaemon;
let image: SeedSpec;
const REASON = 'the field (0.10° × 0.07°) holds about 2 Tycho-2 stars; the installed catalogs need 8';

before(async () => {
  w = await startWebDaemon({ roles: ['web'] });
  const specs = await seedImages(w.db.pool, { count: 6, seed: 7 });
  image = specs.find((s) => s.target)!;
  await w.db.pool.query(sql.unsafe`
    update image_results set facts = ${sql.jsonb({ solved: false, reason: 'not solved', unsolvedReason: REASON, solver: null, ra: null, dec: null, wcs: null, corners: null })}
     where image_id = ${image.id} and agent = 'platesolve'`);
  await w.db.pool.query(sql.unsafe`
    update image_results set facts = jsonb_set(jsonb_set(facts, '{positionSource}', '"pointing"'), '{objects}',
      (select coalesce(jsonb_agg(o || '{"source": "header", "x": null, "y": null}'), '[]') from jsonb_array_elements(facts->'objects') o))
     where image_id = ${image.id} and agent = 'objects'`);
  await new Stitcher({ db: w.db.pool, log: log.child({ component: 'test' }) }).stitch(image.id);
});
after(async () => {
  await w?.stop();
});

test('record: astrometry null, astrometryStatus with the reason, location and objects from the header', async () => {
  const r = await w.getJson(`/api/v1/images/${image.id}`);
  assert.equal(r.astrometry, null);
  assert.deepEqual(r.astrometryStatus, { state: 'unsolved', reason: REASON });
  assert.equal(r.location.source, 'header');
  assert.ok(r.objects.length > 0 && r.objects.every((o: { source: string }) => o.source === 'header'));
});

test('image page: "not solved: <reason>" and the position source', async () => {
  const b = new BrowserSession(w.url);
  assert.equal((await b.login(ADMIN.username, ADMIN.password)).status, 303);
  const page = await b.get(`/images/${image.id}`);
  assert.equal(page.res.status, 200);
  assert.match(page.text, /<dt>Plate solve<\/dt><dd class="astrometry-status">not solved: the field \(0\.10° × 0\.07°\) holds about 2 Tycho-2 stars/);
  assert.match(page.text, /<dt>Position from<\/dt><dd class="location-source">header pointing \(not a plate solution\)<\/dd>/);
});
