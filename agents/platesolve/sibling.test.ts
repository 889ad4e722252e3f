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
  assert.equal(res.timingsMs.hinted, null, 'verified, not searched');
  assert.ok(res.timingsMs.verify !== null);
});

// A larger frame (3.8 MP): the sibling's solution is checked on the stars of the central ninth.
const BW = 2400, BH = 1600, BSCALE = 1.8;
function bigSub(ra: number, dec: number, rot: number, seed: number, scale = BSCALE) {
  const wcs = wcsFromScaleRotation({ ra, dec, scaleArcsec: scale, rotationDeg: rot, parity: 'flipped', width: BW, height: BH });
  return renderStarField(cat, wcs, { seed, fwhm: 3, gradient: 300, hotPixels: 80, maxMag: 12.5 }).image;
}
const shifted = (ra: number, dec: number, dxPx: number, dyPx: number): [number, number] => tanDeproject(ra, dec, (dxPx * BSCALE) / 3600, (dyPx * BSCALE) / 3600);
const sibling = (ra: number, dec: number, rotationDeg: number) => ({ ra, dec, scaleArcsec: BSCALE, rotationDeg, parity: 'flipped' as const });

test('a sub dithered by 150 px or turned by a meridian flip is verified on its central stars: no search', async () => {
  const [ra0, dec0] = [56.75, 24.12];
  for (const [label, dx, dy, rot] of [['dither', 110, -100, 75], ['meridian flip', 20, 30, 255]] as const) {
    const [ra, dec] = shifted(ra0, dec0, dx, dy);
    const res = await solveImage({ pixels: bigSub(ra, dec, rot, 7), width: BW, height: BH, format: 'fits', catalogPath, solveField: false, hints: { sibling: sibling(ra0, dec0, 75) } });
    assert.ok(res.solved, `${label}: ${res.reason}`);
    assert.equal(res.solver, 'sidereal-sibling', label);
    assert.equal(res.timingsMs.hinted, null, `${label}: verified, not searched`);
    const detect = res.attempts.filter((a) => a.solver === 'detect');
    assert.equal(detect.length, 1, `${label}: one detection`);
    assert.match(detect[0]!.result, /central ninth/);
    const check = res.attempts.find((a) => a.solver === 'sidereal-sibling')!.result;
    assert.match(check, label === 'dither' ? /shift of 14\d px/ : /meridian flip/, check);
    assert.ok(angularDistance(res.ra!, res.dec!, ra, dec) * 3600 < 2, `${label}: centre off by ${angularDistance(res.ra!, res.dec!, ra, dec) * 3600}″`);
    assert.ok(Math.abs(res.pixelScaleArcsec! / BSCALE - 1) < 0.002, `${label}: scale ${res.pixelScaleArcsec}`);
    assert.ok(res.log10FalseAlarm! < -6);
  }
});

test('random stars with a sibling hint: no offset is accepted by chance', async () => {
  // stars rendered from a random catalog-free field: the sibling's sky has no counterpart
  const wcs = wcsFromScaleRotation({ ra: 56.75, dec: 24.12, scaleArcsec: BSCALE, rotationDeg: 75, parity: 'flipped', width: BW, height: BH });
  const img = renderStarField(cat, wcs, { seed: 9, fwhm: 3, maxMag: 0, extraStars: 400 }).image;
  const res = await solveImage({ pixels: img, width: BW, height: BH, format: 'fits', catalogPath, solveField: false, timeLimitMs: 8000, hints: { sibling: sibling(56.75, 24.12, 75) } });
  assert.equal(res.solved, false, `solved by ${res.solver}`);
  assert.match(res.attempts.find((a) => a.solver === 'sidereal-sibling')!.result, /not verified/);
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

test('a wide field (5.6°) is checked on all its stars: its refitted WCS is not extrapolated from the centre', async () => {
  const w = 2000, h = 1400, scale = 10;
  const truth = wcsFromScaleRotation({ ra: 84.0, dec: -1.5, scaleArcsec: scale, rotationDeg: 10, parity: 'normal', width: w, height: h });
  const img = renderStarField(cat, truth, { seed: 4, fwhm: 2.5, maxMag: 10 }).image;
  const [ra, dec] = tanDeproject(84.0, -1.5, (20 * scale) / 3600, (15 * scale) / 3600);
  const res = await solveImage({ pixels: img, width: w, height: h, format: 'fits', catalogPath, solveField: false, hints: { sibling: { ra, dec, scaleArcsec: scale, rotationDeg: 10, parity: 'normal' } } });
  assert.ok(res.solved, String(res.reason));
  assert.equal(res.solver, 'sidereal-sibling');
  const detect = res.attempts.filter((a) => a.solver === 'detect');
  assert.equal(detect.length, 1);
  assert.doesNotMatch(detect[0]!.result, /central/);
  assert.ok(angularDistance(res.ra!, res.dec!, 84.0, -1.5) * 3600 < 10, 'centre');
});
