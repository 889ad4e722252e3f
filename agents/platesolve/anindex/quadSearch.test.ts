// test-needs: tycho2
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { angularDistance, describeWcs, wcsFromScaleRotation } from '../../lib/wcs/index.ts';
import { detectStars } from '../detect/detectStars.ts';
import { solveImage } from '../solveImage.ts';
import { newStats } from '../solver/hinted.ts';
import { makeImageStars, type ImageStars } from '../solver/types.ts';
import { renderStarField, rng } from '../../lib/stars/testing/renderStarField.ts';
import { testCatalog, testCatalogPath } from '../../lib/stars/testing/testCatalog.ts';
import { indexSearch } from './indexSolve.ts';

const cat = testCatalog();
const catalogPath = testCatalogPath();
// Generous limits: the suite runs two test files at once on 2 cores. Speed is measured in bench/.
const LIMIT_MS = 40000;

interface Field { w: number; h: number; scale: number; ra: number; dec: number; rot: number; parity: 'normal' | 'flipped'; eightBit?: boolean }

function render(c: Field, seed: number) {
  const wcs = wcsFromScaleRotation({ ra: c.ra, dec: c.dec, scaleArcsec: c.scale, rotationDeg: c.rot, parity: c.parity, width: c.w, height: c.h });
  const f = renderStarField(cat, wcs, { seed, fwhm: 2.4, gradient: 400, hotPixels: 80, extraStars: 200, eightBit: c.eightBit, maxMag: 12.5, flux10: 20000 });
  return { f, truth: describeWcs(wcs) };
}

function starsOf(c: Field, seed: number): { stars: ImageStars; truth: ReturnType<typeof describeWcs> } {
  const { f, truth } = render(c, seed);
  const det = detectStars(f.image);
  return { stars: makeImageStars(det.stars, c.w, c.h, false, det.medianFwhm), truth };
}

// Fields below the all-sky pattern index's 4° limit: only the index quads can solve them blind.
const blindCases: Field[] = [
  { w: 1600, h: 1200, scale: 2.4, ra: 83.0, dec: 22.0, rot: 37, parity: 'normal' }, // 1.07° × 0.8°
  { w: 1200, h: 900, scale: 8.5, ra: 250.0, dec: -40.0, rot: 200, parity: 'flipped', eightBit: true }, // 2.8° × 2.1°, stretched 8-bit
];

for (const c of blindCases) {
  test(`blind solve with the index quads: ${((c.w * c.scale) / 3600).toFixed(1)}° field, ${c.parity}${c.eightBit ? ', 8-bit' : ''}`, async () => {
    const { f, truth } = render(c, c.w);
    const res = await solveImage({ pixels: f.image, width: c.w, height: c.h, format: 'fits', catalogPath, solveField: false, timeLimitMs: LIMIT_MS });
    assert.ok(res.solved, `unsolved: ${res.reason}`);
    assert.equal(res.solver, 'sidereal-blind');
    assert.ok(res.attempts.some((a) => a.solver === 'sidereal-blind' && /solved with index quads/.test(a.result)), JSON.stringify(res.attempts));
    const off = angularDistance(res.ra!, res.dec!, truth.ra, truth.dec);
    assert.ok(off * 3600 < 2 * c.scale, `centre off by ${(off * 3600).toFixed(1)}″`);
    assert.ok(Math.abs(res.pixelScaleArcsec! / c.scale - 1) < 0.002, `scale ${res.pixelScaleArcsec}`);
    assert.equal(res.parity, c.parity);
    assert.ok(Math.abs(((res.rotationDeg! - c.rot + 540) % 360) - 180) < 0.1, `rotation ${res.rotationDeg}`);
    assert.ok(res.matchedStars! >= 15, `matched ${res.matchedStars}`);
  });
}

test('index quads near a hint: right where the stars are, nothing 30° away or at twice the scale', () => {
  const c: Field = { w: 1500, h: 1000, scale: 3.2, ra: 300.5, dec: 30.0, rot: 120, parity: 'flipped' };
  const { stars, truth } = starsOf(c, 5);
  const budget = (ms = 8000) => ({ deadline: Date.now() + ms });
  const near = indexSearch(cat, stars, {
    scale: { low: c.scale * 0.9, high: c.scale * 1.1 }, position: { ra: c.ra + 1, dec: c.dec - 0.5, radius: 3 }, budget: budget(), stats: newStats(),
  });
  assert.ok(near?.solution, `not solved near the hint: ${near?.reason}`);
  const s = describeWcs(near.solution.wcs);
  assert.ok(angularDistance(s.ra, s.dec, truth.ra, truth.dec) * 3600 < 5, 'centre');
  const far = indexSearch(cat, stars, {
    scale: { low: c.scale * 0.9, high: c.scale * 1.1 }, position: { ra: c.ra + 30, dec: c.dec, radius: 3 }, budget: budget(2500), stats: newStats(),
  });
  assert.equal(far?.solution, null, 'a solution 30° from the stars');
  const wrongScale = indexSearch(cat, stars, {
    scale: { low: c.scale * 1.8, high: c.scale * 2.2 }, position: { ra: c.ra, dec: c.dec, radius: 3 }, budget: budget(2500), stats: newStats(),
  });
  assert.equal(wrongScale?.solution, null, 'a solution at twice the scale');
});

test('never a wrong solution: random and clustered points are not solved blind by either pass', () => {
  let hypotheses = 0;
  for (let t = 0; t < 3; t++) {
    const rand = rng(500 + t);
    const w = [900, 1600, 2400, 1280][t], h = Math.round(w * (0.6 + 0.3 * rand()));
    const centre = [rand() * w, rand() * h];
    const list = Array.from({ length: 60 + Math.floor(rand() * 200) }, (_, i) => (t % 2 && i % 3 === 0
      ? { x: Math.min(w - 2, Math.max(2, centre[0] + (rand() - 0.5) * w * 0.2)), y: Math.min(h - 2, Math.max(2, centre[1] + (rand() - 0.5) * h * 0.2)), flux: rand() ** 3 }
      : { x: rand() * w, y: rand() * h, flux: rand() ** 3 })).sort((a, b) => b.flux - a.flux);
    const stars = makeImageStars(list, w, h, false, 2.5);
    const stats = newStats();
    const first = indexSearch(cat, stars, { scale: null, position: null, stats, firstPass: true, budget: { deadline: Date.now() + 1200 } });
    assert.equal(first?.solution, null, `points ${t}: first pass`);
    const second = indexSearch(cat, stars, { scale: null, position: null, stats, firstPass: false, checker: first!.checker, budget: { deadline: Date.now() + 1200 } });
    assert.equal(second?.solution, null, `points ${t}: second pass`);
    hypotheses += stats.hypotheses;
  }
  assert.ok(hypotheses > 3000, `only ${hypotheses} hypotheses tested`);
});
