// test-needs: tycho2, astrometry.net
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFile, readPixels } from '../lib/formats/index.ts';
import { angularDistance, describeWcs, pixelToSky, wcsFromScaleRotation } from '../lib/wcs/index.ts';
import { detectStars } from './detect/detectStars.ts';
import { makeImageStars } from './solver/types.ts';
import { renderStarField } from '../lib/stars/testing/renderStarField.ts';
import { testCatalog, testCatalogPath } from '../lib/stars/testing/testCatalog.ts';
import { runSolveField, solveFieldAvailable } from './solveField.ts';
import { solveImage } from './solveImage.ts';
import { TESTDATA, corpus } from '../lib/formats/test-data.ts';

const testdata = TESTDATA;
if (!solveFieldAvailable()) throw new Error('solve-field not found: install the Debian package astrometry.net (CI installs it)');
const cat = testCatalog();

test('our star list as an xylist: solve-field answers in our pixel convention', async () => {
  const truth = wcsFromScaleRotation({ ra: 83.8, dec: -5.4, scaleArcsec: 3, rotationDeg: 30, parity: 'flipped', width: 2000, height: 1500 });
  const f = renderStarField(cat, truth, { seed: 2, extraStars: 200 });
  const det = detectStars(f.image);
  const stars = makeImageStars(det.stars, 2000, 1500, false, det.medianFwhm);
  const r = await runSolveField({ stars, width: 2000, height: 1500, scale: { low: 2.7, high: 3.3 }, position: { ra: 84, dec: -5, radius: 3 } }, { timeLimitMs: 30000 });
  assert.ok(r.wcs, `solve-field failed: ${r.reason}`);
  const s = describeWcs(r.wcs);
  assert.equal(s.parity, 'flipped');
  const [ra, dec] = pixelToSky(truth, 1000.5, 750.5);
  assert.ok(angularDistance(s.ra, s.dec, ra, dec) * 3600 < 3, `centre off by ${angularDistance(s.ra, s.dec, ra, dec) * 3600}″`);
  assert.ok(Math.abs(s.pixelScaleArcsec / 3 - 1) < 0.002, `scale ${s.pixelScaleArcsec}`);
});

test('solve-field on a JPEG file (top row = 1) is converted to the bottom-up convention', corpus, async () => {
  const path = testdata + 'platesolve/cedar-orion_belt.jpg';
  const d = await describeFile(path, { fileName: 'cedar-orion_belt.jpg', folderPath: '' });
  const pixels = await readPixels(path);
  // our own hinted solution of the same picture
  const ours = await solveImage({ pixels, width: d.width!, height: d.height!, format: 'jpeg', catalogPath: testCatalogPath(), solveField: false, hints: { ra: 84, dec: -0.8, scaleArcsec: 71.6 } });
  assert.ok(ours.solved, `our solve failed: ${ours.reason}`);
  const r = await runSolveField({ imagePath: path, imageTopDown: true, width: d.width!, height: d.height!, scale: { low: 65, high: 78 }, position: { ra: 84, dec: -0.8, radius: 10 } }, { timeLimitMs: 30000 });
  assert.ok(r.wcs, `solve-field failed: ${r.reason}`);
  const s = describeWcs(r.wcs);
  assert.equal(s.parity, ours.parity, 'parity after conversion');
  assert.ok(Math.abs(((s.rotationDeg - ours.rotationDeg! + 540) % 360) - 180) < 0.5, `rotation ${s.rotationDeg} vs ${ours.rotationDeg}`);
  for (const [x, y] of [[1, 1], [d.width!, d.height!], [1, d.height!]]) {
    const a = pixelToSky(r.wcs, x, y);
    const oursWcs = ours.wcs as Record<string, number>;
    const b = pixelToSky({ crval: [oursWcs.CRVAL1, oursWcs.CRVAL2], crpix: [oursWcs.CRPIX1, oursWcs.CRPIX2], cd: [oursWcs.CD1_1, oursWcs.CD1_2, oursWcs.CD2_1, oursWcs.CD2_2], sip: null, width: d.width!, height: d.height! }, x, y);
    assert.ok(angularDistance(a[0], a[1], b[0], b[1]) < 0.1, `corner (${x},${y}) differs by ${angularDistance(a[0], a[1], b[0], b[1])}°`);
  }
});

test('the chain falls back to solve-field and refines its answer on our catalog', corpus, async () => {
  const path = testdata + 'fits-headers/stellarsolver-randomsky.fits';
  const d = await describeFile(path, { fileName: 'randomsky.fits', folderPath: '' });
  const pixels = await readPixels(path);
  const cards = d.headers.filter((c) => !/^(CTYPE|CRVAL|CRPIX|CDELT|CROTA|CD\d)/.test(c.key));
  const res = await solveImage({ pixels, cards, width: d.width!, height: d.height!, format: 'fits', catalogPath: testCatalogPath(), builtIn: false, timeLimitMs: 30000 });
  assert.ok(res.solved, `unsolved: ${res.reason}`);
  assert.equal(res.solver, 'astrometry.net');
  assert.ok(angularDistance(res.ra!, res.dec!, 21.643048, 69.252187) * 60 < 1, 'centre');
  assert.ok(res.matchedStars! >= 10, `matched ${res.matchedStars}`);
});

test('time limit and abort are honoured', async () => {
  // random points: not a sky, so solve-field would search until its CPU limit
  let seed = 1;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const list = Array.from({ length: 40 }, (_, i) => ({ x: rand() * 1500, y: rand() * 1000, flux: 1000 - i }));
  const stars = makeImageStars(list, 1500, 1000, false, 2.5);
  const ac = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ac.abort(), 1500);
  const r = await runSolveField({ stars, width: 1500, height: 1000 }, { timeLimitMs: 60000, signal: ac.signal });
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  assert.equal(r.wcs, null);
});
