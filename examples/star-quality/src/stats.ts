/** Small robust statistics. */

/** Median of `values` (a copy is reordered). NaN for an empty input. */
export function median(values: ArrayLike<number>): number {
  const a = Float64Array.from(values as ArrayLike<number>);
  return medianInPlace(a, a.length);
}

/** Median of the first `n` values of `a`, reordering them. */
export function medianInPlace(a: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const k = n >> 1;
  const kth = select(a, n, k);
  if (n % 2 === 1) return kth;
  // after selection every value below k is ≤ the k-th: the largest of them is the (k−1)-th
  let below = -Infinity;
  for (let i = 0; i < k; i++) if (a[i]! > below) below = a[i]!;
  return (below + kth) / 2;
}

/** k-th smallest of the first n values (Hoare quickselect, in place). */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
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
  return a[k]!;
}

/** Gaussian-equivalent standard deviation from the median absolute deviation. */
export const MAD_TO_SIGMA = 1.4826;

/**
 * Sigma-clipped location and scale: median and MAD-based sigma, recomputed
 * without the samples farther than `k` sigma, a few times. Stars and hot
 * pixels in a background cell are clipped away this way. Uses the first `n`
 * values of `values` (all by default) and leaves them untouched.
 */
export function clippedStats(values: Float64Array | Float32Array, k = 3, iterations = 3, n = values.length): { median: number; sigma: number; n: number } {
  const a = Float64Array.from(values.subarray(0, n));
  const tmp = new Float64Array(n);
  let len = n;
  let med = NaN;
  let sigma = NaN;
  for (let it = 0; it < iterations && len > 0; it++) {
    tmp.set(a.subarray(0, len));
    med = medianInPlace(tmp, len);
    for (let i = 0; i < len; i++) tmp[i] = Math.abs(a[i]! - med);
    sigma = medianInPlace(tmp, len) * MAD_TO_SIGMA;
    if (!(sigma > 0)) break;
    let kept = 0;
    const limit = k * sigma;
    for (let i = 0; i < len; i++) if (Math.abs(a[i]! - med) <= limit) a[kept++] = a[i]!;
    if (kept === len) break;
    len = kept;
  }
  return { median: med, sigma, n: len };
}
