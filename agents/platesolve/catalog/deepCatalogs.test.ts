/**
 * Deeper catalogs: ASTAP `.1476` and `.290` tiles (written here) and a 5200-style
 * astrometry.net index tile (built with Debian's build-astrometry-index) are
 * read back, and a 0.15° field — far too narrow for Tycho-2 — is solved with
 * each of them, while without them it is given up before any search.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { angularDistance, describeWcs, tanDeproject, wcsFromScaleRotation } from '../../lib/wcs/index.ts';
import { astapArea, astapAreaName, astapAreasInCap, decodeAstapArea, encodeAstapArea, findAstapDatabases, queryAstap, TILING_290 } from '../../lib/stars/astapDatabase.ts';
import { StarCatalog, type StarList } from '../../lib/stars/starCatalog.ts';
import { installedIndexes } from '../anindex/indexSet.ts';
import { buildIndexTiles, syntheticDeepStars, writeAstapTiles } from '../testing/deepCatalog.ts';
import { renderStarField } from '../../lib/stars/testing/renderStarField.ts';
import { testCatalogPath } from '../../lib/stars/testing/testCatalog.ts';
import { solveImage } from '../solveImage.ts';
import { planDeepBlind } from '../deepBlind.ts';

const RA0 = 150, DEC0 = 20;
const root = mkdtempSync(join(tmpdir(), 'sidereal-deep-'));
const astapDir = join(root, 'astap'), astap290Dir = join(root, 'astap290'), indexDir = join(root, 'index');
let stars: StarList;

before(() => {
  stars = syntheticDeepStars(RA0, DEC0, 1.2, 3000, 7);
  writeAstapTiles(astapDir, stars, 'd80');
  writeAstapTiles(astap290Dir, stars, 'g18', TILING_290);
  buildIndexTiles(indexDir, stars, 4, [0]); // RA 150 Dec 20 lies in HEALPix 4 of Nside 2
});

test('ASTAP .1476 areas: names, lookup and a cap query across area borders', () => {
  assert.equal(astapAreaName(astapArea(0, -89).ring, astapArea(0, -89).cell), '0101.1476');
  assert.equal(astapAreaName(astapArea(10, 89).ring, astapArea(10, 89).cell), '3601.1476');
  const eq = astapArea(359.9, 0.1);
  assert.equal(astapAreaName(eq.ring, eq.cell), '1969.1476'); // ring 19 (0…5.14°), last of 69 cells
  // a cap around the pole touches every cell of the polar rings
  assert.equal(astapAreasInCap(0, 89, 3).filter((a) => a.ring === 34).length, 3);
  const dbs = findAstapDatabases(astapDir);
  assert.equal(dbs.length, 1);
  assert.equal(dbs[0].name, 'd80');
  const got = queryAstap(dbs[0], RA0, DEC0, 0.5);
  let want = 0;
  for (let i = 0; i < stars.ra.length; i++) if (angularDistance(stars.ra[i], stars.dec[i], RA0, DEC0) <= 0.5) want++;
  assert.ok(Math.abs(got.ra.length - want) <= 2, `${got.ra.length} vs ${want} (stars on the edge may round across)`);
  for (let i = 1; i < got.mag.length; i++) assert.ok(got.mag[i] >= got.mag[i - 1], 'brightest first');
});

test('ASTAP .290 areas: 290 equal-area cells (polar caps half), names as HNSKY writes them, and a query', () => {
  const t = TILING_290;
  assert.equal(t.cells.reduce((a, n) => a + n, 0), 290);
  const D2R = Math.PI / 180;
  const cellArea = (r: number) => (Math.sin(t.ringLow(r + 1) * D2R) - Math.sin(t.ringLow(r) * D2R)) / t.cells[r];
  for (let r = 1; r < 17; r++) assert.ok(Math.abs(cellArea(r) / cellArea(0) - 2) < 1e-9, `ring ${r + 1} cells are twice a polar cap`);
  assert.ok(Math.abs(t.ringLow(1) + 85.23224404) < 1e-6 && Math.abs(t.ringLow(9)) < 1e-12 && Math.abs(t.ringLow(10) - 12.79440589) < 1e-6);
  const name = (ra: number, dec: number) => { const a = astapArea(ra, dec, t); return astapAreaName(a.ring, a.cell, t); };
  assert.equal(name(0, -89), '0101.290');
  assert.equal(name(100, -80), '0202.290'); // second of the 4 cells of ring 2
  assert.equal(name(359.9, -0.1), '0932.290');
  assert.equal(name(359.9, 0.1), '1032.290');
  assert.equal(name(0.1, 12.8), '1101.290');
  assert.equal(name(200, 89), '1801.290');
  // every point of a cap lies in one of the areas listed for it (near the poles, across RA 0, on ring borders)
  for (const [ra, dec, radius] of [[0, 86, 2], [45, 85.5, 3], [359.5, 0.2, 1.5], [120, -75.7, 0.8], [200, 12.79, 0.3]]) {
    const listed = new Set(astapAreasInCap(ra, dec, radius, t).map((a) => `${a.ring}/${a.cell}`));
    for (let k = 0; k < 400; k++) {
      const rr = radius * Math.sqrt((k + 0.5) / 400), th = k * 2.399963;
      const [a, d] = tanDeproject(ra, dec, rr * Math.cos(th), rr * Math.sin(th));
      const at = astapArea(a, d, t);
      assert.ok(listed.has(`${at.ring}/${at.cell}`), `(${a.toFixed(3)}, ${d.toFixed(3)}) of the cap at (${ra}, ${dec}) r ${radius} is in an unlisted area`);
    }
  }
  const dbs = findAstapDatabases(astap290Dir);
  assert.equal(dbs.length, 1);
  assert.equal(dbs[0].name, 'g18');
  assert.equal(dbs[0].tiling.ext, '290');
  const got = queryAstap(dbs[0], RA0, DEC0, 0.5);
  let want = 0;
  for (let i = 0; i < stars.ra.length; i++) if (angularDistance(stars.ra[i], stars.dec[i], RA0, DEC0) <= 0.5) want++;
  assert.ok(Math.abs(got.ra.length - want) <= 2, `${got.ra.length} vs ${want}`);
  assert.equal(got.missing, 0);
});

test('a folder with both tilings lists two databases; a .290 file does not count as .1476', () => {
  const dir = join(root, 'mixed');
  writeAstapTiles(dir, stars, 'd50');
  writeAstapTiles(dir, stars, 'g05', TILING_290);
  writeFileSync(join(dir, 'readme_0101.txt'), 'not a star file');
  const dbs = findAstapDatabases(dir);
  assert.deepEqual(dbs.map((d) => `${d.name}.${d.tiling.ext}`).sort(), ['d50.1476', 'g05.290']);
  for (const db of dbs) for (const k of db.files.keys()) assert.ok(k.endsWith(`.${db.tiling.ext}`), k);
});

test('ASTAP records round-trip to the format resolution (0.08″ RA, 0.04″ Dec, 0.1 mag), south and north', () => {
  const list: StarList = {
    ra: Float64Array.from([0.001, 123.456789, 359.99]), dec: Float64Array.from([-89.5, 0.00002, 45.123456]),
    mag: Float32Array.from([-1.4, 12.34, 17.96]),
  };
  const back = decodeAstapArea(encodeAstapArea(list));
  assert.equal(back.ra.length, 3);
  for (let i = 0; i < 3; i++) {
    const k = Array.from(back.ra).findIndex((r, j) => Math.abs(back.dec[j] - list.dec[i]) < 1e-4 && Math.abs(r - list.ra[i]) < 1e-4);
    assert.ok(k >= 0, `star ${i} not found`);
    assert.ok(Math.abs(back.ra[k] - list.ra[i]) * 3600 < 0.08 && Math.abs(back.dec[k] - list.dec[i]) * 3600 < 0.04, `star ${i} position`);
    assert.ok(Math.abs(back.mag[k] - list.mag[i]) <= 0.051, `star ${i} mag ${back.mag[k]}`);
  }
  assert.throws(() => decodeAstapArea(new Uint8Array(50)), /too short/);
  const bad = encodeAstapArea(list);
  bad[109] = 7;
  assert.throws(() => decodeAstapArea(bad), /record size 7/);
  // a faint star at RA 360° written as 0xFFFFFF by some older files is a star, not a group header going back to brighter stars
  const wrap = encodeAstapArea({ ra: Float64Array.from([10]), dec: Float64Array.from([20]), mag: Float32Array.from([15]) });
  const star = Uint8Array.from([0xff, 0xff, 0xff, wrap[118], wrap[119]]); // same Dec bytes as the star after the header
  const withWrap = new Uint8Array(wrap.length + 5);
  withWrap.set(wrap); withWrap.set(star, wrap.length);
  const w = decodeAstapArea(withWrap);
  assert.equal(w.ra.length, 2);
  assert.equal(w.ra[1], 0);
  assert.ok(Math.abs(w.dec[1] - 20) < 1e-4 && w.mag[1] === w.mag[0]);
});

test('a 5200-style index tile (one HEALPix of Nside 2) is found, and its stars and magnitudes are read lazily', () => {
  const tiles = installedIndexes([indexDir]);
  assert.equal(tiles.length, 1);
  const t = tiles[0];
  assert.equal(t.allSky, false);
  assert.equal(t.healpix, 4);
  assert.equal(t.healpixNside, 2);
  assert.equal(t.mayHaveStarsNear(RA0, DEC0, 0.2), true);
  assert.equal(t.mayHaveStarsNear(RA0 + 90, DEC0, 5), false);
  const near = t.starsInCap(RA0, DEC0, 0.2);
  assert.ok(near.ra.length > 200, `${near.ra.length} stars`);
  // every star read back is one of the catalog's, with its magnitude (tag-along MAG column)
  const cat = StarCatalog.fromList(stars, ['test']);
  for (let i = 0; i < near.ra.length; i += 17) {
    const m = cat.query(near.ra[i], near.dec[i], 1 / 3600);
    assert.equal(m.count, 1, `star ${i} has no counterpart`);
    assert.ok(Math.abs(m.mag[0] - near.mag[i]) < 1e-3);
  }
});

function narrowField(seed: number) {
  // 800×533 px at 0.675″/px = 0.15° × 0.10°: Tycho-2 holds < 1 star there
  const truth = wcsFromScaleRotation({ ra: RA0 + 0.05, dec: DEC0 - 0.03, scaleArcsec: 0.675, rotationDeg: 37, parity: 'normal', width: 800, height: 533 });
  const f = renderStarField(StarCatalog.fromList(stars, ['astap:synthetic']), truth, { maxMag: 17.5, flux10: 300000, saturation: 1e9, seed, fwhm: 3 });
  return { truth: describeWcs(truth), image: f.image };
}
const catalogPath = testCatalogPath();

test('without deeper catalogs the 0.15° field is given up before any search', async () => {
  const { image } = narrowField(1);
  const res = await solveImage({ pixels: image, width: 800, height: 533, format: 'fits', catalogPath, solveField: false, hints: { ra: RA0 + 0.1, dec: DEC0, scaleArcsec: 0.68 } });
  assert.equal(res.unsolvedReason?.code, 'field-too-narrow');
  assert.equal(res.timingsMs.hinted, null);
});

for (const kind of ['astap', 'astap290', 'index'] as const) {
  const what = { astap: 'ASTAP .1476 database', astap290: 'ASTAP .290 database', index: '5200-style index tile' }[kind];
  test(`a 0.15° field with pointing and optics solves with the ${what}`, async () => {
    const { image, truth } = narrowField(2);
    const res = await solveImage({
      pixels: image, width: 800, height: 533, format: 'fits', catalogPath, solveField: false, timeLimitMs: 60000,
      hints: { ra: RA0 + 0.1, dec: DEC0 + 0.05, scaleArcsec: 0.68 },
      deepCatalogs: kind === 'astap' ? { astapDir } : kind === 'astap290' ? { astapDir: astap290Dir } : { indexDirs: [indexDir] },
    });
    assert.ok(res.solved, `unsolved: ${res.reason}`);
    assert.equal(res.catalog, kind === 'index' ? 'anindex' : 'astap');
    assert.ok(angularDistance(res.ra!, res.dec!, truth.ra, truth.dec) * 3600 < 2, 'centre');
    assert.ok(Math.abs(res.pixelScaleArcsec! / 0.675 - 1) < 0.005, `scale ${res.pixelScaleArcsec}`);
  });
}

test('a deep catalog does not make a wrong solution: the same field hinted 1° away from where the stars are', async () => {
  const { image } = narrowField(3);
  const res = await solveImage({
    pixels: image, width: 800, height: 533, format: 'fits', catalogPath, solveField: false, timeLimitMs: 20000,
    hints: { ra: RA0 + 1.5, dec: DEC0 - 1.5, scaleArcsec: 0.68 }, deepCatalogs: { astapDir },
  });
  assert.equal(res.solved, false, `solved at ${res.ra}, ${res.dec}`);
});

test('blind (no position, no scale): the 0.15° field solves with the 5200-style tile\'s quads, verified on its own stars', async () => {
  const { image, truth } = narrowField(4);
  const res = await solveImage({
    pixels: image, width: 800, height: 533, format: 'fits', catalogPath, solveField: false, timeLimitMs: 90000,
    deepCatalogs: { indexDirs: [indexDir] },
  });
  assert.ok(res.solved, `unsolved: ${res.reason}`);
  assert.equal(res.catalog, 'anindex');
  assert.ok(res.attempts.some((a) => a.solver === 'sidereal-deep-blind' && /solved with astrometry.net index 5200/.test(a.result)), JSON.stringify(res.attempts));
  assert.ok(angularDistance(res.ra!, res.dec!, truth.ra, truth.dec) * 3600 < 2, 'centre');
  assert.ok(Math.abs(res.pixelScaleArcsec! / 0.675 - 1) < 0.005, `scale ${res.pixelScaleArcsec}`);
});

test('blind with a scale but no position: only the deep search runs (Tycho-2 cannot hold the field), and solves', async () => {
  const { image, truth } = narrowField(5);
  const res = await solveImage({
    pixels: image, width: 800, height: 533, format: 'fits', catalogPath, solveField: false, timeLimitMs: 60000,
    hints: { scaleArcsec: 0.68 }, deepCatalogs: { indexDirs: [indexDir] },
  });
  assert.ok(res.solved, `unsolved: ${res.reason}`);
  assert.equal(res.attempts.some((a) => a.solver === 'sidereal-blind'), false, 'no Tycho-2 blind search for a field it cannot hold');
  assert.ok(angularDistance(res.ra!, res.dec!, truth.ra, truth.dec) * 3600 < 2, 'centre');
});

test('blind narrow fields are given up before any search when no installed series has quads of their size, or with an ASTAP database only', async () => {
  const { image } = narrowField(6);
  // 0.1″/px: a 80″ field, whose quads (5″–96″) are all smaller than the 5200 tile's (2′–2.8′)
  const tiny = await solveImage({
    pixels: image, width: 800, height: 533, format: 'fits', catalogPath, solveField: false, timeLimitMs: 60000,
    hints: { scaleArcsec: 0.1 }, deepCatalogs: { indexDirs: [indexDir] },
  });
  assert.equal(tiny.unsolvedReason?.code, 'field-too-narrow');
  assert.match(tiny.unsolvedReason!.message, /5200 \(2\.0′–2\.8′\)/);
  assert.equal(tiny.timingsMs.blind, null);
  assert.equal(tiny.timingsMs.hinted, null);
  // an ASTAP database has no quads: without a position it is not searched, and the reason says what it needs
  const astapOnly = await solveImage({
    pixels: image, width: 800, height: 533, format: 'fits', catalogPath, solveField: false, timeLimitMs: 60000,
    hints: { scaleArcsec: 0.68 }, deepCatalogs: { astapDir },
  });
  assert.equal(astapOnly.solved, false);
  assert.match(astapOnly.unsolvedReason!.message, /ASTAP database .*header position .*this image has none/);
  assert.equal(astapOnly.timingsMs.blind, null);
});

test('a header position without a scale (no optics in the header): the ASTAP database solves the narrow field on a ladder of scales', async () => {
  const { image, truth } = narrowField(7);
  const res = await solveImage({
    pixels: image, width: 800, height: 533, format: 'fits', catalogPath, solveField: false, timeLimitMs: 90000,
    hints: { ra: RA0 + 0.1, dec: DEC0 + 0.05 }, deepCatalogs: { astapDir },
  });
  assert.ok(res.solved, `unsolved: ${res.reason}`);
  assert.equal(res.catalog, 'astap');
  assert.ok(res.attempts.some((a) => /ASTAP D80 on the scale ladder/.test(a.result)), JSON.stringify(res.attempts));
  assert.ok(angularDistance(res.ra!, res.dec!, truth.ra, truth.dec) * 3600 < 2, 'centre');
  assert.ok(Math.abs(res.pixelScaleArcsec! / 0.675 - 1) < 0.005, `scale ${res.pixelScaleArcsec}`);
});

test('the deep blind plan: scales from the series\' quad sizes, the position filter, the reason when nothing fits', () => {
  const p = planDeepBlind([indexDir], 800, 533, null, 1.5);
  assert.ok('tiles' in p, 'reason' in p ? p.reason : '');
  if (!('tiles' in p)) return;
  assert.equal(p.tiles.length, 1);
  // the image's quads (53 px … 961 px) can have the 5200 tile's size (2′–2.8′) up to this scale
  assert.ok(p.scale.low <= 0.675 && p.scale.high >= 0.675, `${p.scale.low}–${p.scale.high}`);
  assert.ok(Math.abs(p.scale.high - p.quadsArcsec.high / 53.3) < 1e-9, `${p.scale.high}`);
  const far = planDeepBlind([indexDir], 800, 533, null, 1.5, { ra: RA0 + 180, dec: -DEC0, radius: 2 });
  assert.ok('reason' in far && /header position/.test(far.reason));
  const wide = planDeepBlind([indexDir], 800, 533, { low: 20, high: 22 }, 1.5);
  assert.ok('reason' in wide && /5200 \(2\.0′–2\.8′\)/.test(wide.reason), 'reason' in wide ? wide.reason : 'planned');
});

test('no wrong blind solution: a narrow field of other stars, with the deep tile installed, stays unsolved', async () => {
  const other = syntheticDeepStars(RA0, DEC0, 0.3, 3000, 99);
  const truth = wcsFromScaleRotation({ ra: RA0 + 0.05, dec: DEC0 - 0.03, scaleArcsec: 0.675, rotationDeg: 37, parity: 'normal', width: 800, height: 533 });
  const f = renderStarField(StarCatalog.fromList(other, ['astap:other']), truth, { maxMag: 17.5, flux10: 300000, saturation: 1e9, seed: 8, fwhm: 3 });
  const res = await solveImage({
    pixels: f.image, width: 800, height: 533, format: 'fits', catalogPath, solveField: false, timeLimitMs: 60000,
    hints: { scaleArcsec: 0.68 }, deepCatalogs: { indexDirs: [indexDir] },
  });
  assert.equal(res.solved, false, `solved at ${res.ra}, ${res.dec}`);
  assert.ok(res.attempts.some((a) => a.solver === 'sidereal-deep-blind'), 'the deep blind search ran');
});
