/**
 * Detection rules for what processed pictures carry besides stars: clipped
 * cores below the image maximum (each colour channel clips on its own),
 * clipped nebula knots and stars run together, diffraction spikes and halos,
 * registration borders and a text signature.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PixelImage } from '../../lib/formats/types.ts';
import { rng } from '../../lib/stars/testing/renderStarField.ts';
import { detectStars, type DetectedStar } from './detectStars.ts';

const W = 400, H = 300;

/** A stretched 8-bit picture: sky 0.2, noise, stars of peak `amp` clipped at `clip` (the luminance of a clipped colour star). */
function picture(seed: number, draw: (add: (x: number, y: number, v: number) => void, set: (x: number, y: number, v: number) => void) => void, clip = 0.93): PixelImage {
  const rand = rng(seed);
  const p = new Float32Array(W * H);
  const g = (): number => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
  for (let i = 0; i < p.length; i++) p[i] = 0.2 + 0.012 * g();
  const fixed = new Float32Array(W * H).fill(NaN);
  draw((x, y, v) => { if (x >= 0 && y >= 0 && x < W && y < H) p[y * W + x] += v; }, (x, y, v) => { if (x >= 0 && y >= 0 && x < W && y < H) fixed[y * W + x] = v; });
  for (let i = 0; i < p.length; i++) p[i] = Math.round(255 * Math.max(0, Math.min(clip, Number.isNaN(fixed[i]) ? p[i] : fixed[i]))) / 255;
  // a few pixels at the image maximum along the top edge (a clipped red nebula): the stars' clip is not the maximum
  for (let y = 0; y < 2; y++) for (let x = 300; x < 330; x++) p[y * W + x] = 1;
  return { width: W, height: H, channels: 1, planes: [p], rowOrder: 'top-down', bayerPattern: null, linear: false, binned: 1 };
}

/** Adds a Gaussian star of peak `amp` (before clipping) and FWHM `fwhm` centred at (x, y) in continuous pixels. */
function star(add: (x: number, y: number, v: number) => void, x: number, y: number, amp: number, fwhm: number): void {
  const s = fwhm / 2.3548, r = Math.ceil(6 * s + 2);
  for (let yy = Math.floor(y) - r; yy <= Math.floor(y) + r; yy++) for (let xx = Math.floor(x) - r; xx <= Math.floor(x) + r; xx++) {
    const d2 = (xx + 0.5 - x) ** 2 + (yy + 0.5 - y) ** 2;
    add(xx, yy, amp * Math.exp(-d2 / (2 * s * s)));
  }
}

function near(list: DetectedStar[], x: number, y: number, r: number): DetectedStar[] {
  return list.filter((s) => Math.hypot(s.x - x, s.y - y) < r);
}

/** A field of ordinary stars, so that the picture has a star size of its own. */
const field = (add: (x: number, y: number, v: number) => void): { x: number; y: number }[] => {
  const out: { x: number; y: number }[] = [];
  const rand = rng(99);
  for (let k = 0; k < 30; k++) {
    const x = 30 + rand() * (W - 60), y = 30 + rand() * (H - 60);
    if (Math.hypot(x - 200, y - 150) < 60) continue;
    star(add, x, y, 0.15 + 0.3 * rand(), 2.5);
    out.push({ x, y });
  }
  return out;
};

test('clipped stars whose core is below the image maximum are saturated and ranked by the size of their core', () => {
  const bright = [{ x: 120.3, y: 140.6, amp: 40 }, { x: 250.7, y: 90.2, amp: 8 }, { x: 300.4, y: 220.5, amp: 2 }];
  const img = picture(1, (add) => {
    field(add);
    for (const b of bright) star(add, b.x, b.y, b.amp, 3);
  });
  const det = detectStars(img);
  bright.forEach((b, k) => {
    const s = det.stars[k];
    assert.ok(Math.hypot(s.x - b.x, s.y - b.y) < 0.5, `rank ${k}: (${s.x.toFixed(1)}, ${s.y.toFixed(1)}), want (${b.x}, ${b.y})`);
    assert.ok(s.saturated && s.core >= 4, `rank ${k} saturated with a core (${s.core})`);
  });
  assert.ok(det.stars[0].core > det.stars[1].core && det.stars[1].core > det.stars[2].core);
});

test('a clipped nebula knot and two clipped stars run together are not stars', () => {
  const img = picture(2, (add) => {
    field(add);
    // knot: a smooth elongated blob whose clipped top is 13 × 4 px
    for (let y = 130; y < 170; y++) for (let x = 160; x < 240; x++) {
      const u = (x - 200) / 8, v = (y - 150) / 2.5;
      add(x, y, 3 * Math.exp(-(u * u + v * v) / 2));
    }
    // two bright stars 6 px apart: one clipped top shaped like a peanut
    star(add, 80.5, 60.5, 30, 3);
    star(add, 86.5, 61.5, 30, 3);
  });
  const det = detectStars(img);
  assert.equal(near(det.stars, 200, 150, 25).length, 0, 'no star in the knot');
  assert.equal(near(det.stars, 83.5, 61, 6).length, 0, 'no star between the pair');
  assert.ok((det.rejected['flat-blob'] ?? 0) >= 2, JSON.stringify(det.rejected));
});

test('a bright star with diffraction spikes and a halo is one star, at its centre', () => {
  const x0 = 200.4, y0 = 150.3;
  const img = picture(3, (add) => {
    field(add);
    star(add, x0, y0, 60, 3);
    for (let arm = 0; arm < 4; arm++) {
      const t = 0.3 + (arm * Math.PI) / 2;
      // 3 px wide, clipped for the first ~15 px
      for (let d = 3; d < 45; d += 0.5) for (const o of [-1, 0, 1]) {
        add(Math.round(x0 - 0.5 + d * Math.cos(t) - o * Math.sin(t)), Math.round(y0 - 0.5 + d * Math.sin(t) + o * Math.cos(t)), (o ? 0.6 : 1) * 1.5 * Math.exp(-d / 12));
      }
    }
    for (let y = 100; y < 200; y++) for (let x = 150; x < 250; x++) {
      const d = Math.hypot(x + 0.5 - x0, y + 0.5 - y0);
      add(x, y, 0.12 * Math.exp(-(d * d) / (2 * 12 * 12)) + 0.05 * Math.exp(-((d - 22) ** 2) / 4));
    }
  });
  const det = detectStars(img);
  const s = det.stars[0];
  assert.ok(Math.hypot(s.x - x0, s.y - y0) < 0.5, `brightest at (${s.x.toFixed(2)}, ${s.y.toFixed(2)})`);
  assert.ok(s.saturated);
  // nothing else within the spikes' and halo's reach is ranked among the bright
  const extra = det.stars.slice(0, 15).filter((o) => o !== s && Math.hypot(o.x - x0, o.y - y0) < 45);
  assert.equal(extra.length, 0, `spike or halo pieces among the brightest: ${extra.map((o) => `(${o.x.toFixed(0)}, ${o.y.toFixed(0)})`).join(' ')}`);
});

test('registration borders and a text signature are not stars', () => {
  const rand = rng(4);
  let stars: { x: number; y: number }[] = [];
  const img = picture(4, (add, set) => {
    stars = field(add);
    // a black strip along the left edge (12 px) and a noisy one along the bottom (10 px)
    for (let y = 0; y < H; y++) for (let x = 0; x < 12; x++) set(x, y, 0.01 * rand());
    for (let y = H - 10; y < H; y++) for (let x = 0; x < W; x++) set(x, y, 0.2 + 0.25 * (rand() - 0.5) + 0.15 * rand() ** 8);
    // a signature in the top-right corner: random 3 × 5 glyphs of 3 px dots
    for (let c = 0; c < 10; c++) {
      let bits = 0;
      while (bits.toString(2).replace(/0/g, '').length < 6) bits = Math.floor(rand() * 32768);
      for (let gy = 0; gy < 5; gy++) for (let gx = 0; gx < 3; gx++) {
        if (!(bits & (1 << (gy * 3 + gx)))) continue;
        for (let j = 0; j < 3; j++) for (let i = 0; i < 3; i++) set(250 + c * 12 + gx * 3 + i, 20 + gy * 3 + j, 0.85);
      }
    }
  });
  const det = detectStars(img);
  const bogus = det.stars.filter((s) => !stars.some((t) => Math.hypot(t.x - s.x, t.y - s.y) < 2));
  const inText = bogus.filter((s) => s.x > 245 && s.y > 15 && s.y < 40);
  const inBorder = bogus.filter((s) => s.x < 16 || s.y > H - 14);
  assert.equal(inText.length, 0, `text taken as stars: ${inText.map((o) => `(${o.x.toFixed(0)}, ${o.y.toFixed(0)})`).join(' ')}`);
  assert.equal(inBorder.length, 0, `border taken as stars: ${inBorder.map((o) => `(${o.x.toFixed(0)}, ${o.y.toFixed(0)})`).join(' ')}`);
  assert.ok(det.stars.length - bogus.length >= 0.8 * stars.length, `${det.stars.length - bogus.length} of ${stars.length} stars found`);
});
