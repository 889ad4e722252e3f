/** Small robust statistics on Float32Array samples. */

/** Median of `values` (partially reorders a copy). NaN for an empty input. */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const a = Float64Array.from(values as ArrayLike<number>);
  return select(a, n >> 1, n % 2 === 0);
}

/** k-th smallest (quickselect); with `even`, the mean of the k-1-th and k-th. */
function select(a: Float64Array, k: number, even: boolean): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
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
    else break;
  }
  const kth = a[k]!;
  if (!even) return kth;
  // the (k-1)-th smallest is the largest value of the lower part
  let below = -Infinity;
  for (let i = 0; i < k; i++) if (a[i]! > below) below = a[i]!;
  return (below + kth) / 2;
}

/** Gaussian-equivalent standard deviation from the median absolute deviation. */
export const MAD_TO_SIGMA = 1.4826;

/**
 * Sigma-clipped location and scale: median and MAD-based sigma, recomputed
 * without the samples farther than `k` sigma, a few times. Stars and hot
 * pixels in a background cell are clipped away this way.
 */
export function clippedStats(values: Float32Array | Float64Array, k = 3, iterations = 3): { median: number; sigma: number; n: number } {
  let cur: Float64Array = Float64Array.from(values);
  let med = NaN;
  let sigma = NaN;
  for (let it = 0; it < iterations && cur.length > 0; it++) {
    med = median(cur);
    const dev = new Float64Array(cur.length);
    for (let i = 0; i < cur.length; i++) dev[i] = Math.abs(cur[i]! - med);
    sigma = median(dev) * MAD_TO_SIGMA;
    if (!(sigma > 0)) break;
    const keep: number[] = [];
    for (const v of cur) if (Math.abs(v - med) <= k * sigma) keep.push(v);
    if (keep.length === cur.length) break;
    cur = Float64Array.from(keep);
  }
  return { median: med, sigma, n: cur.length };
}
