/**
 * Four-star patterns ("quads") for matching. Descriptor: the 5 smaller of the
 * 6 pairwise distances divided by the largest — invariant to rotation, scale
 * and mirroring. Vertices are ordered canonically (by their summed distances)
 * so that a matched pair of quads gives 4 star correspondences.
 */
export interface QuadSet {
  count: number;
  /** 5 ratios per quad, quads sorted by the first ratio (to {@link RATIO_BIN}) */
  ratios: Float32Array;
  /** largest side per quad (in the point units) */
  size: Float64Array;
  /** 4 point indices per quad, canonically ordered */
  stars: Int32Array;
}

/** An empty quad set (for point sets used only for verification). */
export const NO_QUADS: QuadSet = { count: 0, ratios: new Float32Array(0), size: new Float64Array(0), stars: new Int32Array(0) };

/** Resolution of the first-ratio ordering of a {@link QuadSet}. */
export const RATIO_BIN = 1 / 65536;

/** Scratch space for {@link describeQuad} (allocation-free hot loop). */
class Scratch {
  readonly d = new Float64Array(6);
  readonly sorted = new Float64Array(6);
  readonly sums = new Float64Array(4);
  readonly order = new Int32Array(4);
  readonly r = new Float64Array(5);
}

/**
 * Describes the quad of points (a, b, c, d). Returns its largest side, or −1
 * for degenerate quads (near-coincident stars); ratios and vertex order go to `s`.
 */
function describeQuad(xs: ArrayLike<number>, ys: ArrayLike<number>, v: ArrayLike<number>, s: Scratch): number {
  const d = s.d;
  let k = 0;
  for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) d[k++] = Math.hypot(xs[v[p]] - xs[v[q]], ys[v[p]] - ys[v[q]]);
  const t = s.sorted;
  t.set(d);
  for (let i = 1; i < 6; i++) { const x = t[i]; let j = i - 1; while (j >= 0 && t[j] < x) { t[j + 1] = t[j]; j--; } t[j + 1] = x; }
  const max = t[0];
  if (!(max > 0) || t[5] < 0.05 * max) return -1;
  for (let i = 0; i < 5; i++) s.r[i] = t[i + 1] / max;
  const sm = s.sums;
  sm[0] = d[0] + d[1] + d[2]; sm[1] = d[0] + d[3] + d[4]; sm[2] = d[1] + d[3] + d[5]; sm[3] = d[2] + d[4] + d[5];
  const o = s.order;
  o[0] = 0; o[1] = 1; o[2] = 2; o[3] = 3;
  for (let i = 1; i < 4; i++) { const x = o[i]; let j = i - 1; while (j >= 0 && sm[o[j]] > sm[x]) { o[j + 1] = o[j]; j--; } o[j + 1] = x; }
  return max;
}

/** Growable quad storage. */
class QuadBuilder {
  private r = new Float32Array(5 * 1024);
  private sz = new Float64Array(1024);
  private st = new Int32Array(4 * 1024);
  n = 0;
  push(s: Scratch, size: number, ids: (k: number) => number): void {
    if (this.n === this.sz.length) {
      const grow = <T extends Float32Array | Float64Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as { new (n: number): T })(a.length * 2);
        b.set(a);
        return b;
      };
      this.r = grow(this.r); this.sz = grow(this.sz); this.st = grow(this.st);
    }
    const i = this.n++;
    for (let k = 0; k < 5; k++) this.r[i * 5 + k] = s.r[k];
    this.sz[i] = size;
    for (let k = 0; k < 4; k++) this.st[i * 4 + k] = ids(s.order[k]);
  }
  /** Sorted by the first ratio. */
  finish(): QuadSet {
    const n = this.n;
    // Counting sort on the first ratio quantised to 2^16 bins: linear time for millions of
    // catalog quads. Within a bin the order is arbitrary; matchers scan with a margin of
    // one bin (RATIO_BIN) and check every ratio themselves.
    const B = 1 / RATIO_BIN;
    const key = new Int32Array(n);
    const counts = new Int32Array(B + 1);
    for (let i = 0; i < n; i++) {
      key[i] = Math.min(B - 1, Math.max(0, Math.floor(this.r[i * 5] * B)));
      counts[key[i] + 1]++;
    }
    for (let b = 0; b < B; b++) counts[b + 1] += counts[b];
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[counts[key[i]]++] = i;
    const out: QuadSet = { count: n, ratios: new Float32Array(n * 5), size: new Float64Array(n), stars: new Int32Array(n * 4) };
    for (let i = 0; i < n; i++) {
      const o = order[i];
      for (let k = 0; k < 5; k++) out.ratios[i * 5 + k] = this.r[o * 5 + k];
      out.size[i] = this.sz[o];
      for (let k = 0; k < 4; k++) out.stars[i * 4 + k] = this.st[o * 4 + k];
    }
    return out;
  }
}

/**
 * Quads of a point set: each star with 3 of its `neighbours` nearest (4 quads
 * per star for 4 neighbours, so one missing star does not kill them all).
 */
export function buildQuads(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, neighbours = 4): QuadSet {
  const k = Math.min(neighbours, n - 1);
  const qb = new QuadBuilder();
  if (k < 3) return qb.finish();
  const s = new Scratch();
  const seen = new Set<number>();
  const dist = new Float64Array(n);
  const order: number[] = [];
  const v = new Int32Array(4);
  const sortedIds = new Int32Array(4);
  for (let i = 0; i < n; i++) {
    order.length = 0;
    for (let j = 0; j < n; j++) {
      dist[j] = (xs[j] - xs[i]) ** 2 + (ys[j] - ys[i]) ** 2;
      if (j !== i) order.push(j);
    }
    order.sort((p, q) => dist[p] - dist[q]);
    for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) for (let c = b + 1; c < k; c++) {
      v[0] = i; v[1] = order[a]; v[2] = order[b]; v[3] = order[c];
      sortedIds.set(v);
      sortedIds.sort();
      // n is small here (≤ a few hundred): the sorted ids fit one exact number
      const key = ((sortedIds[0] * 1024 + sortedIds[1]) * 1024 + sortedIds[2]) * 1024 + sortedIds[3];
      if (seen.has(key)) continue;
      seen.add(key);
      const size = describeQuad(xs, ys, v, s);
      if (size > 0) qb.push(s, size, (m) => v[m]);
    }
  }
  return qb.finish();
}

/**
 * Quads from precomputed neighbourhoods (the all-sky pattern index): for centre
 * k, `members` = [k, n1…nm] (global ids) with local planar coordinates; quads =
 * k + every 3 of its neighbours, no larger than `maxSize`. A quad may appear
 * from several centres; the matcher skips repeated hypotheses.
 */
export function buildQuadsFrom(
  count: number, hood: (k: number) => { members: number[]; xs: number[]; ys: number[]; maxSize?: number },
): QuadSet {
  const qb = new QuadBuilder();
  const s = new Scratch();
  const v = new Int32Array(4);
  for (let k = 0; k < count; k++) {
    const { members, xs, ys, maxSize } = hood(k);
    const m = members.length - 1;
    const lim = maxSize ?? Infinity;
    for (let a = 1; a <= m; a++) for (let b = a + 1; b <= m; b++) for (let c = b + 1; c <= m; c++) {
      v[0] = 0; v[1] = a; v[2] = b; v[3] = c;
      const size = describeQuad(xs, ys, v, s);
      if (size > 0 && size <= lim) qb.push(s, size, (q) => members[v[q]]);
    }
  }
  return qb.finish();
}

/** Quads from every 4-combination of the given points (the brightest few image stars), up to `maxSize`. */
export function buildAllQuads(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, maxSize: number): QuadSet {
  const qb = new QuadBuilder();
  const s = new Scratch();
  const v = new Int32Array(4);
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) for (let c = b + 1; c < n; c++) for (let d = c + 1; d < n; d++) {
    v[0] = a; v[1] = b; v[2] = c; v[3] = d;
    const size = describeQuad(xs, ys, v, s);
    if (size > 0 && size <= maxSize) qb.push(s, size, (q) => v[q]);
  }
  return qb.finish();
}

/** First index with ratios[5·i] ≥ v. */
export function lowerBoundRatio(q: QuadSet, v: number): number {
  let lo = 0, hi = q.count;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (q.ratios[m * 5] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}
