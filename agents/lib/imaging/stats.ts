/**
 * Robust statistics on a subsample: median and MAD of a plane without sorting
 * (or copying) the whole plane, so they stay fast on 60 MP frames.
 */

/** Normal-consistent scale of the MAD: 1.4826 · MAD estimates σ for Gaussian noise. */
export const MAD_TO_SIGMA = 1.4826;

/** Default number of samples per plane; the median of 500k samples is exact to ~0.1 %. */
export const DEFAULT_SAMPLES = 1 << 19;

export interface RobustStats {
  median: number;
  /** normalized MAD (already multiplied by 1.4826) */
  mad: number;
  /** finite samples that were looked at */
  count: number;
}

/**
 * Every k-th finite value of `plane` (k chosen so at most `maxSamples` are taken).
 * NaN and ±Infinity (FITS blanks) are skipped. The stride is odd so that it does
 * not lock onto a 2-periodic pattern (CFA mosaics, interlaced rows).
 */
export function subsample(plane: Float32Array, maxSamples = DEFAULT_SAMPLES): Float32Array {
  let step = Math.max(1, Math.floor(plane.length / maxSamples));
  if (step > 1 && step % 2 === 0) step += 1;
  const out = new Float32Array(Math.ceil(plane.length / step));
  let n = 0;
  for (let i = 0; i < plane.length; i += step) {
    const v = plane[i]!;
    if (Number.isFinite(v)) out[n++] = v;
  }
  return out.subarray(0, n);
}

/** k-th smallest value (0-based) of `a[0..n)`; reorders `a` (Hoare quickselect, O(n)). */
export function select(a: Float32Array, k: number, n = a.length): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Median of the values in `a` (reorders `a`). NaN when empty. */
export function medianInPlace(a: Float32Array): number {
  const n = a.length;
  if (n === 0) return NaN;
  const hi = select(a, n >> 1);
  if (n % 2 === 1) return hi;
  // the lower middle is the largest value of the left part after selection
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lo) lo = a[i]!;
  return (lo + hi) / 2;
}

/** Median and normalized MAD of already drawn samples (reorders/overwrites `samples`). */
export function statsOfSamples(samples: Float32Array): RobustStats {
  const count = samples.length;
  const median = medianInPlace(samples);
  for (let i = 0; i < count; i++) samples[i] = Math.abs(samples[i]! - median);
  const mad = medianInPlace(samples) * MAD_TO_SIGMA;
  return { median, mad, count };
}

/** Median and normalized MAD of a plane, on a subsample of at most `maxSamples` values. */
export function robustStats(plane: Float32Array, maxSamples = DEFAULT_SAMPLES): RobustStats {
  return statsOfSamples(subsample(plane, maxSamples));
}

/**
 * Samples per call of the small functions that run the hot loops over whole
 * planes. A function called once per image with one loop over millions of
 * samples runs that loop in V8's interpreter until on-stack replacement
 * compiles it, and the interpreter boxes every sample it reads: tens of MB of
 * garbage per image. A small function called for each chunk is compiled
 * after a few calls and stays compiled.
 */
export const CHUNK = 1 << 12;

/** Smallest and largest finite value of the planes (null when there is none). */
export function finiteRange(planes: readonly Float32Array[]): { min: number; max: number } | null {
  const acc = new Float64Array([Infinity, -Infinity]);
  for (const p of planes) {
    for (let i = 0; i < p.length; i += CHUNK) rangeOf(p, i, Math.min(p.length, i + CHUNK), acc);
  }
  const [min, max] = acc as unknown as [number, number];
  return min <= max ? { min, max } : null;
}

/** Widens acc = [min, max] by the finite samples of p[start, end). */
function rangeOf(p: Float32Array, start: number, end: number, acc: Float64Array): void {
  let min = acc[0]!;
  let max = acc[1]!;
  for (let i = start; i < end; i++) {
    const v = p[i]!;
    // v - v is NaN for NaN and ±Infinity: one comparison skips both
    if (v - v !== 0) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  acc[0] = min;
  acc[1] = max;
}

/**
 * Median and MAD of each colour of a Bayer mosaic ([R, G, B]), sampling only the
 * photosites of that colour: the mosaic as a whole mixes the colours and its
 * spread says nothing about the noise.
 */
export function mosaicStats(
  plane: Float32Array,
  width: number,
  height: number,
  cfa: readonly number[],
  maxSamples = DEFAULT_SAMPLES,
): RobustStats[] {
  const out: RobustStats[] = [];
  for (let c = 0; c < 3; c++) {
    // first cell position (of the four) carrying colour c
    const pos = cfa.indexOf(c);
    const x0 = pos & 1;
    const y0 = pos >> 1;
    const sites = Math.floor((width - x0 + 1) / 2) * Math.floor((height - y0 + 1) / 2);
    // sample every k-th site in both directions: k² · maxSamples ≥ sites
    const k = Math.max(1, Math.ceil(Math.sqrt(sites / maxSamples)));
    const samples = new Float32Array(Math.ceil(width / (2 * k)) * Math.ceil(height / (2 * k)));
    let n = 0;
    for (let y = y0; y < height; y += 2 * k) {
      const row = y * width;
      for (let x = x0; x < width; x += 2 * k) {
        const v = plane[row + x]!;
        if (v - v === 0) samples[n++] = v;
      }
    }
    out.push(statsOfSamples(samples.subarray(0, n)));
  }
  return out;
}
