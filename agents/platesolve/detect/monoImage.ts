/**
 * Turns a decoded {@link PixelImage} into the single float plane the star
 * detector works on: channels averaged, one-shot-colour (CFA) data merged 2×2
 * into super-pixels, and large frames binned 2×2 (faster and higher SNR).
 */
import type { PixelImage } from '../../lib/formats/types.ts';

export interface MonoImage {
  data: Float32Array;
  width: number;
  height: number;
  /** size of one mono pixel in PixelImage pixels (1, 2 or 4) */
  factor: number;
  /** quantisation step of the source samples on the 0..1 scale (1/255 for 8-bit), 0 if unknown */
  quantum: number;
  /** true for linear sensor data, false for stretched/processed pictures */
  linear: boolean;
}

export interface MonoOptions {
  /** bin 2×2 when the (super-pixel) image has more pixels than this; default 8 M */
  binAbovePixels?: number;
  /** bin 2×2 when taller than this; default 3000 */
  binAboveHeight?: number;
}

function bin2(src: Float32Array, w: number, h: number): { data: Float32Array; width: number; height: number } {
  const W = w >> 1, H = h >> 1;
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const r0 = 2 * y * w, r1 = r0 + w;
    const o = y * W;
    for (let x = 0; x < W; x++) {
      const c = 2 * x;
      out[o + x] = 0.25 * (src[r0 + c] + src[r0 + c + 1] + src[r1 + c] + src[r1 + c + 1]);
    }
  }
  return { data: out, width: W, height: H };
}

/** Estimates the sample quantum: 1/255 when all samples sit on the 8-bit grid. */
function guessQuantum(data: Float32Array): number {
  const step = Math.max(1, Math.floor(data.length / 4000));
  let on8 = 0, n = 0;
  for (let i = 0; i < data.length; i += step) {
    const v = data[i] * 255;
    n++;
    if (Math.abs(v - Math.round(v)) < 1e-3) on8++;
  }
  if (on8 === n) return 1 / 255;
  let on16 = 0;
  for (let i = 0; i < data.length; i += step) {
    const v = data[i] * 65535;
    if (Math.abs(v - Math.round(v)) < 1e-2) on16++;
  }
  return on16 === n ? 1 / 65535 : 0;
}

export function toMonoImage(img: PixelImage, options: MonoOptions = {}): MonoImage {
  const { width: w, height: h } = img;
  if (!(w > 0 && h > 0) || img.planes.length === 0) throw new Error('empty image');
  let data: Float32Array;
  let width = w, height = h, factor = 1;
  const plane0 = img.planes[0];
  const quantum = guessQuantum(plane0);
  if (img.planes.length > 1) {
    const n = Math.min(img.planes.length, 3);
    data = new Float32Array(w * h);
    for (let c = 0; c < n; c++) {
      const p = img.planes[c];
      for (let i = 0; i < data.length; i++) data[i] += p[i];
    }
    for (let i = 0; i < data.length; i++) data[i] /= n;
  } else {
    data = plane0;
  }
  if (img.bayerPattern && img.planes.length === 1) {
    // CFA: a 2×2 super-pixel mixes R, G, G, B and removes the Bayer checkerboard.
    ({ data, width, height } = bin2(data, width, height));
    factor = 2;
  }
  const maxPixels = options.binAbovePixels ?? 8e6;
  const maxHeight = options.binAboveHeight ?? 3000;
  while (width * height > maxPixels || height > maxHeight) {
    ({ data, width, height } = bin2(data, width, height));
    factor *= 2;
  }
  return { data, width, height, factor, quantum, linear: img.linear };
}
