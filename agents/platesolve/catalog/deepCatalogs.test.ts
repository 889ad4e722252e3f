/**
 * Deeper catalogs: ASTAP `.1476` tiles (written here) and a 5200-style
 * astrometry.net index tile (built with Debian's build-astrometry-index) are
 * read back, and a 0.15° field — far too narrow for Tycho-2 — is solved with
 * each of them, while without them it is given up before any search.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { angularDistance, describeWcs, wcsFromScaleRotation } from '../../lib/wcs/index.ts';
import { astapArea, astapAreaName, astapAreasInCap, decodeAstapArea, encodeAstapArea, findAstapDatabases, queryAstap } from '../../lib/stars/astapDatabase.ts';
import { StarCatalog, type StarList } from '../../lib/stars/starCatalog.ts';
import { installedIndexes } from '../anindex/indexSet.ts';
import { buildIndexTiles, syntheticDeepStars, writeAstapTiles } from '../testing/deepCatalog.ts';
import { renderStarField } from '../../lib/stars/testing/renderStarField.ts';
import { testCatalogPath } from '../../lib/stars/testing/testCatalog.ts';
import { solveImage } from '../solveImage.ts';

const RA0 = 150, DEC0 = 20;
const root = mkdtempSync(join(tmpdir(), 'sidereal-deep-'));
const astapDir = join(root, 'astap'), indexDir = join(root, 'index');
let stars: StarList;

before(() => {
  stars = syntheticDeepStars(RA0, DEC0, 1.2, 3000, 7);
  writeAstapTiles(astapDir, stars, 'd80');
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

for (const kind of ['astap', 'index'] as const) {
  test(`a 0.15° field with pointing and optics solves with the ${kind === 'astap' ? 'ASTAP database' : '5200-style index tile'}`, async () => {
    const { image, truth } = narrowField(2);
    const res = await solveImage({
      pixels: image, width: 800, height: 533, format: 'fits', catalogPath, solveField: false, timeLimitMs: 60000,
      hints: { ra: RA0 + 0.1, dec: DEC0 + 0.05, scaleArcsec: 0.68 },
      deepCatalogs: kind === 'astap' ? { astapDir } : { indexDirs: [indexDir] },
    });
    assert.ok(res.solved, `unsolved: ${res.reason}`);
    assert.equal(res.catalog, kind === 'astap' ? 'astap' : 'anindex');
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
