/**
 * Star candidates: local maxima of the background-subtracted image smoothed
 * by a 3×3 box (noise drops by 3, a star's peak by much less), above a
 * threshold in noise units. Single hot pixels and cosmic-ray hits are
 * rejected by their shape: a star's neighbours carry a good part of its peak.
 */

export interface Candidate {
  x: number;
  y: number;
  /** smoothed peak above the background */
  peak: number;
}

export interface DetectOptions {
  /** per-pixel noise sigma of the residual */
  noise: number;
  /** detection threshold in sigma (of the smoothed image) */
  sigma: number;
  /** no candidates closer than this to an edge */
  border: number;
}

/** Fraction of its peak a star's 4 nearest neighbours hold at least (on average). */
const MIN_NEIGHBOUR_FRACTION = 0.15;

export function box3(res: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const rowSum = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const r = y * width;
    for (let x = 1; x < width - 1; x++) rowSum[r + x] = res[r + x - 1]! + res[r + x]! + res[r + x + 1]!;
  }
  for (let y = 1; y < height - 1; y++) {
    const r = y * width;
    for (let x = 1; x < width - 1; x++) out[r + x] = (rowSum[r - width + x]! + rowSum[r + x]! + rowSum[r + width + x]!) / 9;
  }
  return out;
}

/** Candidates, brightest first, and how many there were in all. */
export function findCandidates(res: Float32Array, width: number, height: number, o: DetectOptions): { candidates: Candidate[]; hotPixels: number } {
  const s = box3(res, width, height);
  const threshold = (o.sigma * o.noise) / 3;
  const border = Math.max(3, o.border);
  const candidates: Candidate[] = [];
  let hotPixels = 0;
  for (let y = border; y < height - border; y++) {
    const r = y * width;
    for (let x = border; x < width - border; x++) {
      const v = s[r + x]!;
      if (!(v > threshold)) continue;
      if (!isLocalMax(s, width, x, y, v)) continue;
      // the brightest raw pixel near the smoothed peak, and its 4 neighbours
      let bx = x;
      let by = y;
      let best = -Infinity;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const p = res[(y + dy) * width + x + dx]!;
        if (p > best) {
          best = p;
          bx = x + dx;
          by = y + dy;
        }
      }
      const i = by * width + bx;
      const n4 = (res[i - 1]! + res[i + 1]! + res[i - width]! + res[i + width]!) / 4;
      if (n4 < MIN_NEIGHBOUR_FRACTION * best) {
        hotPixels++;
        continue;
      }
      candidates.push({ x: bx, y: by, peak: v });
    }
  }
  candidates.sort((a, b) => b.peak - a.peak);
  return { candidates, hotPixels };
}

/** Strict maximum of its 5×5 neighbourhood (ties go to the first in scan order). */
function isLocalMax(s: Float32Array, width: number, x: number, y: number, v: number): boolean {
  for (let dy = -2; dy <= 2; dy++) {
    const r = (y + dy) * width;
    for (let dx = -2; dx <= 2; dx++) {
      if (dx === 0 && dy === 0) continue;
      const n = s[r + x + dx]!;
      if (n > v) return false;
      if (n === v && (dy < 0 || (dy === 0 && dx < 0))) return false;
    }
  }
  return true;
}
