/**
 * Solve once per session (solver side): a sibling frame's solution is
 * verified on the new frame's stars instead of searching, and a sibling that
 * does not fit never yields a wrong answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { angularDistance, tanDeproject, wcsFromScaleRotation } from '../lib/wcs/index.ts';
import { renderStarField } from '../lib/stars/testing/renderStarField.ts';
import { testCatalog, testCatalogPath } from '../lib/stars/testing/testCatalog.ts';
import { solveImage } from './solveImage.ts';

const cat = testCatalog();
const catalogPath = testCatalogPath();
const W = 1600, H = 1100, SCALE = 2.6; // 1.16° × 0.79°

function sub(ra: number, dec: number, rot: number, seed: number) {
  const wcs = wcsFromScaleRotation({ ra, dec, scaleArcsec: SCALE, rotationDeg: rot, parity: 'normal', width: W, height: H });
  return renderStarField(cat, wcs, { seed, fwhm: 2.8, gradient: 300, hotPixels: 80, extraStars: 200 }).image;
}

test('a dithered sub is solved by verifying its sibling\'s solution: no search', async () => {
  const first = await solveImage({ pixels: sub(210.8, 54.3, 33, 1), width: W, height: H, format: 'fits', catalogPath, solveField: false, hints: { ra: 210.9, dec: 54.2, scaleArcsec: SCALE * 1.03 } });
  assert.ok(first.solved, String(first.reason));
  // next sub: dithered by ~12 px and 0.1° of field rotation
  const [ra2, dec2] = tanDeproject(210.8, 54.3, (9 * SCALE) / 3600, (-8 * SCALE) / 3600);
  const res = await solveImage({
    pixels: sub(ra2, dec2, 33.1, 2), width: W, height: H, format: 'fits', catalogPath, solveField: false,
    hints: { sibling: { ra: first.ra!, dec: first.dec!, scaleArcsec: first.pixelScaleArcsec!, rotationDeg: first.rotationDeg!, parity: first.parity! } },
  });
  assert.ok(res.solved, String(res.reason));
  assert.equal(res.solver, 'sidereal-sibling');
  assert.ok(angularDistance(res.ra!, res.dec!, ra2, dec2) * 3600 < 3, 'centre');
  assert.equal(res.timingsMs.blind, null);
  assert.ok(res.timingsMs.verify !== null);
});

test('a sibling from another target is not taken: the frame is solved on its own or left unsolved, never wrong', async () => {
  const res = await solveImage({
    pixels: sub(83.8, -5.4, 120, 3), width: W, height: H, format: 'fits', catalogPath, solveField: false, timeLimitMs: 20000,
    hints: { ra: 83.9, dec: -5.3, scaleArcsec: SCALE, sibling: { ra: 85.3, dec: -2.0, scaleArcsec: SCALE, rotationDeg: 120, parity: 'normal' } },
  });
  assert.ok(res.solved, String(res.reason));
  assert.notEqual(res.solver, 'sidereal-sibling');
  assert.ok(angularDistance(res.ra!, res.dec!, 83.8, -5.4) * 3600 < 3, 'centre');
});
