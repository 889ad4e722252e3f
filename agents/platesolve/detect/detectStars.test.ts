import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PixelImage } from '../../lib/formats/types.ts';
import { rng } from '../../lib/stars/testing/renderStarField.ts';
import { detectStars } from './detectStars.ts';

interface Truth { x: number; y: number; flux: number }

/** A frame with stars at known sub-pixel positions (pixel k spans [k, k+1)), Gaussian PSF, noise, gradient. */
function frame(opts: { w: number; h: number; n: number; fwhm: number; seed: number; hot?: number; saturate?: number; eightBit?: boolean }) {
  const { w, h } = opts;
  const rand = rng(opts.seed);
  const adu = new Float32Array(w * h);
  const sigma = opts.fwhm / 2.3548;
  const truth: Truth[] = [];
  // stars on a jittered grid so that none blend
  const cols = Math.ceil(Math.sqrt((opts.n * w) / h)), rows = Math.ceil(opts.n / cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols && truth.length < opts.n; c++) {
    const x = ((c + 0.5) * w) / cols + (rand() - 0.5) * 10, y = ((r + 0.5) * h) / rows + (rand() - 0.5) * 10;
    const flux = 3000 * 10 ** (rand() * 2); // 3k–300k ADU
    truth.push({ x, y, flux });
  }
  const sat = opts.saturate ?? 65535;
  for (const s of truth) {
    const R = Math.ceil(5 * sigma);
    for (let yy = Math.floor(s.y) - R; yy <= Math.floor(s.y) + R; yy++) for (let xx = Math.floor(s.x) - R; xx <= Math.floor(s.x) + R; xx++) {
      if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
      // sample the PSF on a 4×4 sub-grid: close to pixel integration
      let v = 0;
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) {
        const dx = xx + (a + 0.5) / 4 - s.x, dy = yy + (b + 0.5) / 4 - s.y;
        v += Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      }
      adu[yy * w + xx] += (s.flux * v) / 16 / (2 * Math.PI * sigma * sigma);
    }
  }
  const hot: { x: number; y: number }[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    const sky = 800 + (400 * x) / w + (200 * y) / h;
    const u = Math.max(rand(), 1e-12), g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    adu[i] = Math.min(sat, adu[i] + sky + g * Math.sqrt(100 + adu[i] + sky));
  }
  for (let k = 0; k < (opts.hot ?? 0); k++) {
    const x = 5 + Math.floor(rand() * (w - 10)), y = 5 + Math.floor(rand() * (h - 10));
    adu[y * w + x] = Math.min(sat, adu[y * w + x] + 3000 + rand() * 50000);
    hot.push({ x: x + 0.5, y: y + 0.5 });
  }
  const plane = new Float32Array(w * h);
  for (let i = 0; i < plane.length; i++) {
    plane[i] = opts.eightBit ? Math.round(255 * Math.min(1, Math.asinh(20 * Math.max(0, adu[i] - 700) / 65535) / Math.asinh(20))) / 255 : Math.floor(adu[i]) / 65535;
  }
  const image: PixelImage = { width: w, height: h, channels: 1, planes: [plane], rowOrder: 'bottom-up', bayerPattern: null, linear: !opts.eightBit, binned: 1 };
  return { image, truth, hot };
}

function nearest(list: { x: number; y: number }[], x: number, y: number): number {
  let best = Infinity;
  for (const t of list) best = Math.min(best, Math.hypot(t.x - x, t.y - y));
  return best;
}

test('recovers known stars with sub-pixel centroids and rejects every hot pixel', () => {
  const { image, truth, hot } = frame({ w: 1600, h: 1200, n: 150, fwhm: 3, seed: 11, hot: 400 });
  const r = detectStars(image);
  const matched = r.stars.filter((s) => nearest(truth, s.x, s.y) < 1);
  assert.ok(matched.length >= 145, `recovered ${matched.length}/150 stars`);
  const errs = matched.map((s) => nearest(truth, s.x, s.y));
  const rms = Math.sqrt(errs.reduce((a, e) => a + e * e, 0) / errs.length);
  assert.ok(rms < 0.1, `centroid rms ${rms.toFixed(3)} px`);
  const hotFound = r.stars.filter((s) => nearest(hot, s.x, s.y) < 1 && nearest(truth, s.x, s.y) > 5);
  assert.equal(hotFound.length, 0, `${hotFound.length} hot pixels detected as stars`);
  assert.ok((r.rejected['hot-pixel'] ?? 0) >= 350, `hot pixels rejected: ${r.rejected['hot-pixel']}`);
  const spurious = r.stars.filter((s) => nearest(truth, s.x, s.y) > 3);
  assert.ok(spurious.length <= 3, `${spurious.length} spurious detections`);
  // brightest first, FWHM measured near the truth
  for (let i = 1; i < r.stars.length; i++) assert.ok(r.stars[i - 1].flux >= r.stars[i].flux, 'sorted by flux');
  assert.ok(r.medianFwhm !== null && Math.abs(r.medianFwhm - 3) < 0.6, `median FWHM ${r.medianFwhm}`);
});

test('a region: only the stars inside it, in the whole image\'s coordinates, as the full detection finds them', () => {
  const { image, truth } = frame({ w: 1600, h: 1200, n: 150, fwhm: 3, seed: 11, hot: 400 });
  const region = { x0: 0.25, y0: 0.25, x1: 0.75, y1: 0.75 };
  const r = detectStars(image, { region });
  assert.deepEqual(r.searched, { x0: 400, y0: 300, x1: 1200, y1: 900 });
  const inside = truth.filter((t) => t.x > 405 && t.x < 1195 && t.y > 305 && t.y < 895);
  const found = inside.filter((t) => nearest(r.stars, t.x, t.y) < 0.2);
  assert.ok(found.length >= inside.length - 2, `found ${found.length}/${inside.length} stars of the region`);
  for (const s of r.stars) assert.ok(s.x >= 400 && s.x <= 1200 && s.y >= 300 && s.y <= 900, `star at ${s.x}, ${s.y} outside the region`);
  assert.ok(r.stars.length <= inside.length + 4, `${r.stars.length} stars for ${inside.length} in the region`);
  const all = detectStars(image);
  for (const s of r.stars) assert.ok(nearest(all.stars, s.x, s.y) < 0.05, 'same centroids as the full detection');
  assert.throws(() => detectStars(image, { region: { x0: 0.5, y0: 0.5, x1: 0.505, y1: 0.6 } }), /smaller than 16/);
});

test('flags saturated stars and still centres them', () => {
  const { image, truth } = frame({ w: 800, h: 600, n: 40, fwhm: 3.5, seed: 5, saturate: 6000 });
  const r = detectStars(image);
  const sat = r.stars.filter((s) => s.saturated);
  assert.ok(sat.length >= 5, `${sat.length} saturated stars flagged`);
  for (const s of sat) assert.ok(nearest(truth, s.x, s.y) < 0.5, `saturated star off by ${nearest(truth, s.x, s.y)}`);
  assert.ok(r.stars.filter((s) => nearest(truth, s.x, s.y) < 1).length >= 38, 'all stars found');
});

test('stretched 8-bit data: no flood of false detections', () => {
  const { image, truth } = frame({ w: 1000, h: 700, n: 80, fwhm: 2.5, seed: 3, eightBit: true });
  const r = detectStars(image);
  const real = r.stars.filter((s) => nearest(truth, s.x, s.y) < 1.5).length;
  const spurious = r.stars.length - real;
  assert.ok(real >= 60, `found ${real}/80`);
  assert.ok(spurious <= 5, `${spurious} spurious detections`);
});

test('RGB and Bayer (CFA) images come out in full-resolution coordinates', () => {
  const { image, truth } = frame({ w: 1200, h: 800, n: 60, fwhm: 4, seed: 9 });
  const rgb: PixelImage = { ...image, channels: 3, planes: [image.planes[0], image.planes[0], image.planes[0]] };
  const a = detectStars(rgb);
  assert.ok(a.stars.filter((s) => nearest(truth, s.x, s.y) < 0.3).length >= 57, 'rgb');
  const cfa: PixelImage = { ...image, bayerPattern: 'RGGB' };
  const b = detectStars(cfa);
  assert.equal(b.factor, 2);
  assert.ok(b.stars.filter((s) => nearest(truth, s.x, s.y) < 0.5).length >= 55, 'cfa super-pixels');
});

// Speed is measured in bench/platesolve.ts, not asserted here (shared CI machines).
test('big frames are binned 2×2', () => {
  const { image, truth } = frame({ w: 4000, h: 3000, n: 200, fwhm: 4, seed: 21, hot: 500 });
  const r = detectStars(image);
  assert.equal(r.factor, 2);
  const found = r.stars.filter((s) => nearest(truth, s.x, s.y) < 1).length;
  assert.ok(found >= 190, `found ${found}/200`);
});
