/**
 * Verification statistics: log10 of the binomial upper tail
 * P(K ≥ k | n, p) — the chance that k or more of n image stars land within
 * the match radius of some catalog star by accident.
 */
function logChoose(n: number, k: number): number {
  return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

/** ln Γ(x) for x > 0 (Lanczos). */
function lgamma(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log10 P(K ≥ k) for K ~ Binomial(n, p). */
export function log10BinomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p >= 1) return 0;
  if (p <= 0) return -Infinity;
  const lp = Math.log(p), lq = Math.log1p(-p);
  let max = -Infinity;
  const terms: number[] = [];
  for (let j = k; j <= n; j++) {
    const t = logChoose(n, j) + j * lp + (n - j) * lq;
    terms.push(t);
    if (t > max) max = t;
  }
  let s = 0;
  for (const t of terms) s += Math.exp(t - max);
  return Math.min(0, (max + Math.log(s)) / Math.LN10);
}
