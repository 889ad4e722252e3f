// test-needs: tycho2
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { angularDistance, describeWcs, wcsFromScaleRotation, tanDeproject } from '../../lib/wcs/index.ts';
import { renderStarField, rng } from '../../lib/stars/testing/renderStarField.ts';
import { testCatalog, testCatalogPath } from '../../lib/stars/testing/testCatalog.ts';
import { detectStars } from '../detect/detectStars.ts';
import { solveImage } from '../solveImage.ts';
import { newStats, solveHinted } from './hinted.ts';
import { makeImageStars } from './types.ts';

const cat = testCatalog();
const catalogPath = testCatalogPath();

interface Case {
  name: string; w: number; h: number; scale: number; ra: number; dec: number; rot: number; parity: 'normal' | 'flipped';
  /** hint offset in fields of view */
  off?: [number, number]; fwhm?: number; eightBit?: boolean;
}

async function solveCase(c: Case) {
  const truth = wcsFromScaleRotation({ ra: c.ra, dec: c.dec, scaleArcsec: c.scale, rotationDeg: c.rot, parity: c.parity, width: c.w, height: c.h });
  const f = renderStarField(cat, truth, { fwhm: c.fwhm ?? 2.6, gradient: 600, hotPixels: 150, extraStars: 300, seed: c.w + c.rot, eightBit: c.eightBit });
  const fovW = (c.w * c.scale) / 3600, fovH = (c.h * c.scale) / 3600;
  const [hra, hdec] = tanDeproject(c.ra, c.dec, (c.off?.[0] ?? 0) * fovW, (c.off?.[1] ?? 0) * fovH);
  const res = await solveImage({
    pixels: f.image, width: c.w, height: c.h, format: 'fits', catalogPath, solveField: false, timeLimitMs: 15000,
    hints: { ra: hra, dec: hdec, scaleArcsec: c.scale * 1.04 },
  });
  return { res, truth: describeWcs(truth) };
}

const cases: Case[] = [
  { name: '0.6° Milky Way, normal', w: 1600, h: 1200, scale: 1.35, ra: 299.9, dec: 35.2, rot: 12, parity: 'normal', off: [0.4, -0.3] },
  { name: '1.2° high latitude, flipped', w: 2400, h: 1600, scale: 1.8, ra: 184.7, dec: 47.3, rot: 100, parity: 'flipped', off: [1.2, 0.6] },
  { name: '3° near the pole', w: 2000, h: 1500, scale: 5.4, ra: 40, dec: 88.2, rot: 250, parity: 'normal', off: [-0.5, 0.5] },
  { name: '8° stretched 8-bit', w: 1200, h: 800, scale: 24, ra: 83.8, dec: -5.4, rot: 300, parity: 'normal', eightBit: true },
  { name: '20° wide, flipped', w: 1000, h: 700, scale: 72, ra: 250, dec: -30, rot: 45, parity: 'flipped', off: [0.3, 0.2] },
];

for (const c of cases) {
  test(`hinted solve: ${c.name}`, async () => {
    const { res, truth } = await solveCase(c);
    assert.ok(res.solved, `unsolved: ${res.reason}`);
    assert.equal(res.solver, 'sidereal-hinted');
    const fov = truth.fieldWidthDeg;
    const dist = angularDistance(res.ra!, res.dec!, truth.ra, truth.dec);
    assert.ok(dist * 60 < Math.min(1, 0.02 * fov * 60), `centre off by ${(dist * 3600).toFixed(1)}″`);
    assert.ok(Math.abs(res.pixelScaleArcsec! / c.scale - 1) < 0.002, `scale ${res.pixelScaleArcsec}`);
    const drot = Math.abs(((res.rotationDeg! - c.rot + 540) % 360) - 180);
    assert.ok(drot < 0.1, `rotation ${res.rotationDeg} vs ${c.rot}`);
    assert.equal(res.parity, c.parity);
    assert.ok(res.matchedStars! >= 8, `matched ${res.matchedStars}`);
    assert.ok(res.rmsArcsec! < c.scale * 0.5, `rms ${res.rmsArcsec}″`);
    assert.equal((res.wcs as Record<string, unknown>).CTYPE1 === 'RA---TAN' || (res.wcs as Record<string, unknown>).CTYPE1 === 'RA---TAN-SIP', true);
  });
}

// speed is measured by bench/platesolve.ts (docs/performance.md), not asserted here
test('6 MP hinted solve (detection included) succeeds with timing recorded', async () => {
  const c: Case = { name: '6MP', w: 3000, h: 2000, scale: 1.6, ra: 10.68, dec: 41.27, rot: 33, parity: 'normal', off: [0.3, 0.3] };
  await solveCase({ ...c, w: 600, h: 400, scale: 8 }); // warm up the JIT
  const { res } = await solveCase(c);
  assert.ok(res.solved, `unsolved: ${res.reason}`);
  assert.ok(typeof res.durationMs === 'number' && res.durationMs > 0);
});

test('never a wrong solution: wrong sky, random stars and wrong scale stay unsolved', () => {
  const truth = wcsFromScaleRotation({ ra: 83.8, dec: -5.4, scaleArcsec: 3, rotationDeg: 10, parity: 'normal', width: 1500, height: 1000 });
  const f = renderStarField(cat, truth, { seed: 3, extraStars: 100 });
  const det = detectStars(f.image);
  const stars = makeImageStars(det.stars, 1500, 1000, false, det.medianFwhm);
  const budget = () => ({ deadline: Date.now() + 4000 });
  // hint 30° away with a 2° radius: the true field is out of reach
  const stats = newStats();
  const wrongSky = solveHinted(cat, stars, { position: { ra: 110, dec: 10, radius: 2 }, scale: { low: 2.7, high: 3.3 }, budget: budget(), stats });
  assert.equal(wrongSky, null, 'no solution far from the truth');
  assert.ok(stats.windows > 10, `searched ${stats.windows} windows`);
  // scale hint 2× off
  assert.equal(solveHinted(cat, stars, { position: { ra: 83.8, dec: -5.4, radius: 1 }, scale: { low: 5.5, high: 6.5 }, budget: budget() }), null);
  // random stars that are not the sky
  const rand = rng(99);
  const fake = Array.from({ length: 150 }, () => ({ x: rand() * 1500, y: rand() * 1000, flux: rand() * 1e4 })).sort((a, b) => b.flux - a.flux);
  const fakeStars = makeImageStars(fake, 1500, 1000, false, 2.5);
  for (const [ra, dec] of [[83.8, -5.4], [280, -20], [10, 60]]) {
    assert.equal(solveHinted(cat, fakeStars, { position: { ra, dec, radius: 3 }, scale: { low: 2.5, high: 3.5 }, budget: budget() }), null, `random stars at ${ra},${dec}`);
  }
});
