import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentError } from '../../sdk/index.ts';
import { bilinearDebayer, superPixelDebayer } from './debayer.ts';
import { binPlane } from './bin.ts';
import { uniformMosaic } from './synthetic.ts';

const COLOUR: [number, number, number] = [0.6, 0.3, 0.1];

function meanOf(p: Float32Array): number {
  let s = 0;
  for (const v of p) s += v;
  return s / p.length;
}

for (const pattern of ['RGGB', 'BGGR', 'GRBG', 'GBRG']) {
  test(`super-pixel debayer recovers a known colour (${pattern})`, () => {
    const img = uniformMosaic(64, 48, pattern, COLOUR);
    const rgb = superPixelDebayer(img.planes[0]!, 64, 48, pattern);
    assert.equal(rgb.width, 32);
    assert.equal(rgb.height, 24);
    rgb.planes.forEach((p, c) => {
      for (const v of p) assert.ok(Math.abs(v - COLOUR[c]!) < 1e-4, `channel ${c}: ${v}`);
    });
  });

  test(`bilinear debayer recovers a known colour at full size (${pattern})`, () => {
    const img = uniformMosaic(20, 14, pattern, COLOUR);
    const rgb = bilinearDebayer(img.planes[0]!, 20, 14, pattern);
    assert.equal(rgb.width, 20);
    rgb.planes.forEach((p, c) => {
      for (const v of p) assert.ok(Math.abs(v - COLOUR[c]!) < 1e-4, `channel ${c}: ${v}`);
    });
  });
}

test('super-pixel debayer with fused binning equals debayer then bin', () => {
  const img = uniformMosaic(120, 90, 'RGGB', COLOUR, 0.05);
  const fused = superPixelDebayer(img.planes[0]!, 120, 90, 'RGGB', 3);
  const full = superPixelDebayer(img.planes[0]!, 120, 90, 'RGGB', 1);
  assert.equal(fused.width, 20);
  assert.equal(fused.height, 15);
  for (let c = 0; c < 3; c++) {
    const ref = binPlane(full.planes[c]!, full.width, full.height, 3);
    assert.equal(ref.length, fused.planes[c]!.length);
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ref[i]! - fused.planes[c]![i]!) < 1e-5);
  }
  // noise averages down, the colour stays
  fused.planes.forEach((p, c) => assert.ok(Math.abs(meanOf(p) - COLOUR[c]!) < 0.01));
});

test('bilinear debayer interpolates a gradient linearly in the interior', () => {
  // red photosites sample a horizontal ramp; missing reds must lie on the ramp
  const w = 16;
  const h = 8;
  const plane = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) plane[y * w + x] = x / w;
  const rgb = bilinearDebayer(plane, w, h, 'RGGB');
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) assert.ok(Math.abs(rgb.planes[0]![y * w + x]! - x / w) < 1e-6);
  }
});

test('NaN photosites are left out of the average', () => {
  const img = uniformMosaic(8, 8, 'RGGB', COLOUR);
  img.planes[0]![0] = NaN; // one red of the first cell
  const rgb = superPixelDebayer(img.planes[0]!, 8, 8, 'RGGB', 2);
  assert.ok(Math.abs(rgb.planes[0]![0]! - 0.6) < 1e-4);
});

test('an unknown pattern is an AgentError', () => {
  assert.throws(() => superPixelDebayer(new Float32Array(16), 4, 4, 'RGBG'), AgentError);
});
