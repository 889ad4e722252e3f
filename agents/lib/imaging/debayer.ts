/**
 * Debayering of one-shot-colour (CFA) mosaics into RGB planes.
 *
 * The pattern names the colours of the 2×2 cell at the top-left of the plane as
 * stored (row 0, then row 1): "RGGB" means (0,0)=R, (1,0)=G, (0,1)=G, (1,1)=B.
 */
import { AgentError } from '../../sdk/index.ts';

export const BAYER_PATTERNS = ['RGGB', 'BGGR', 'GRBG', 'GBRG'] as const;
export type BayerPattern = (typeof BAYER_PATTERNS)[number];

export interface RgbPlanes {
  width: number;
  height: number;
  /** [R, G, B] */
  planes: [Float32Array, Float32Array, Float32Array];
}

/** Channel index (0 R, 1 G, 2 B) of each cell position ((y&1)*2 + (x&1)). */
export function cfaIndex(pattern: string): [number, number, number, number] {
  const p = pattern.trim().toUpperCase();
  if (!(BAYER_PATTERNS as readonly string[]).includes(p)) {
    throw new AgentError(`unsupported Bayer pattern "${pattern}" (expected one of ${BAYER_PATTERNS.join(', ')})`);
  }
  return [...p].map((c) => (c === 'R' ? 0 : c === 'G' ? 1 : 2)) as [number, number, number, number];
}

/**
 * Super-pixel debayer: each 2×2 cell becomes one RGB pixel (R, mean of both G, B),
 * halving width and height. With `bin` > 1, bin×bin cells are averaged into one
 * pixel in the same pass (area-average binning fused in), so a 60 MP mosaic goes
 * straight to a preview-sized RGB image without a full-size intermediate.
 * Non-finite samples are left out of the averages.
 */
export function superPixelDebayer(
  plane: Float32Array,
  width: number,
  height: number,
  pattern: string,
  bin = 1,
): RgbPlanes {
  const cfa = cfaIndex(pattern);
  const block = 2 * Math.max(1, Math.floor(bin));
  const ow = Math.floor(width / block);
  const oh = Math.floor(height / block);
  if (ow < 1 || oh < 1) throw new AgentError(`image ${width}×${height} is too small to debayer`);
  const out: [Float32Array, Float32Array, Float32Array] = [
    new Float32Array(ow * oh),
    new Float32Array(ow * oh),
    new Float32Array(ow * oh),
  ];
  const sums = [new Float64Array(ow), new Float64Array(ow), new Float64Array(ow)];
  const counts = [new Uint32Array(ow), new Uint32Array(ow), new Uint32Array(ow)];
  const usedWidth = ow * block;
  for (let oy = 0; oy < oh; oy++) {
    for (let c = 0; c < 3; c++) {
      sums[c]!.fill(0);
      counts[c]!.fill(0);
    }
    for (let dy = 0; dy < block; dy++) {
      const y = oy * block + dy;
      const rowBase = (y & 1) * 2;
      // the two colours that alternate along this row
      const sEven = sums[cfa[rowBase]!]!;
      const cEven = counts[cfa[rowBase]!]!;
      const sOdd = sums[cfa[rowBase + 1]!]!;
      const cOdd = counts[cfa[rowBase + 1]!]!;
      let i = y * width;
      for (let x = 0, ox = 0, k = 0; x < usedWidth; x += 2, i += 2) {
        const a = plane[i]!;
        const b = plane[i + 1]!;
        if (a - a === 0) {
          sEven[ox]! += a;
          cEven[ox]!++;
        }
        if (b - b === 0) {
          sOdd[ox]! += b;
          cOdd[ox]!++;
        }
        k += 2;
        if (k === block) {
          k = 0;
          ox++;
        }
      }
    }
    const row = oy * ow;
    for (let c = 0; c < 3; c++) {
      const s = sums[c]!;
      const n = counts[c]!;
      const o = out[c]!;
      for (let ox = 0; ox < ow; ox++) o[row + ox] = n[ox]! > 0 ? s[ox]! / n[ox]! : NaN;
    }
  }
  return { width: ow, height: oh, planes: out };
}

/**
 * Bilinear debayer at full resolution: each missing colour is the mean of the
 * same-colour samples in the 3×3 neighbourhood (the 2 or 4 nearest, which is
 * bilinear interpolation on a Bayer grid). Creates three full-size planes: use it
 * only when the mosaic is already about preview size.
 */
export function bilinearDebayer(plane: Float32Array, width: number, height: number, pattern: string): RgbPlanes {
  const cfa = cfaIndex(pattern);
  if (width < 2 || height < 2) throw new AgentError(`image ${width}×${height} is too small to debayer`);
  const n = width * height;
  const out: [Float32Array, Float32Array, Float32Array] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const sum = [0, 0, 0];
  const cnt = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    const y0 = y > 0 ? y - 1 : y;
    const y1 = y < height - 1 ? y + 1 : y;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const own = cfa[(y & 1) * 2 + (x & 1)]!;
      const v = plane[i]!;
      const x0 = x > 0 ? x - 1 : x;
      const x1 = x < width - 1 ? x + 1 : x;
      sum[0] = sum[1] = sum[2] = 0;
      cnt[0] = cnt[1] = cnt[2] = 0;
      for (let yy = y0; yy <= y1; yy++) {
        for (let xx = x0; xx <= x1; xx++) {
          if (yy === y && xx === x) continue;
          const c = cfa[(yy & 1) * 2 + (xx & 1)]!;
          if (c === own) continue;
          const s = plane[yy * width + xx]!;
          if (s - s !== 0) continue;
          sum[c]! += s;
          cnt[c]!++;
        }
      }
      for (let c = 0; c < 3; c++) {
        out[c]![i] = c === own ? v : cnt[c]! > 0 ? sum[c]! / cnt[c]! : NaN;
      }
    }
  }
  return { width, height, planes: out };
}
