/**
 * One monochrome plane to measure stars on, from whatever the reader gave:
 * mono as is, RGB averaged, and one-shot-colour raw data (a CFA mosaic)
 * summed into 2×2 super-pixels, so that the Bayer pattern does not make every
 * star look like a cluster of hot pixels.
 */
import type { PixelImage } from '@sidereal/agent-sdk';

export interface MonoPlane {
  data: Float32Array;
  width: number;
  height: number;
  /** size of one plane pixel in original sensor pixels (reader binning × super-pixel) */
  scale: number;
}

export function luminance(img: PixelImage): MonoPlane {
  const { width, height } = img;
  const binned = img.binned || 1;
  if (img.channels === 1 && img.bayerPattern) {
    const w = width >> 1;
    const h = height >> 1;
    const src = img.planes[0]!;
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const r0 = 2 * y * width;
      const r1 = r0 + width;
      for (let x = 0; x < w; x++) {
        const c = 2 * x;
        out[y * w + x] = (src[r0 + c]! + src[r0 + c + 1]! + src[r1 + c]! + src[r1 + c + 1]!) / 4;
      }
    }
    return { data: out, width: w, height: h, scale: binned * 2 };
  }
  if (img.channels === 1) return { data: img.planes[0]!, width, height, scale: binned };
  const n = width * height;
  const out = new Float32Array(n);
  const k = Math.min(img.channels, 3);
  for (let c = 0; c < k; c++) {
    const p = img.planes[c]!;
    for (let i = 0; i < n; i++) out[i]! += p[i]! / k;
  }
  return { data: out, width, height, scale: binned };
}
