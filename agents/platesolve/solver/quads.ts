/**
 * Four-star patterns ("quads") for matching: each star with 3 of its 4
 * nearest neighbours (4 quads per star, so one missing star does not kill
 * them all). Descriptor: the 5 smaller of the 6 pairwise distances divided
 * by the largest — invariant to rotation, scale and mirroring. Vertices are
 * ordered canonically (by their summed distances) to give correspondences.
 */
export interface QuadSet {
  count: number;
  /** 5 ratios per quad, quads sorted by the first ratio */
  ratios: Float32Array;
  /** largest side per quad (in the point units) */
  size: Float64Array;
  /** 4 point indices per quad, canonically ordered */
  stars: Int32Array;
}

const PAIRS = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]] as const;

export function buildQuads(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, neighbours = 4): QuadSet {
  const k = Math.min(neighbours, n - 1);
  const seen = new Set<string>();
  const quads: { r: number[]; size: number; s: number[] }[] = [];
  if (k < 3) return { count: 0, ratios: new Float32Array(0), size: new Float64Array(0), stars: new Int32Array(0) };
  const dist = new Float64Array(n);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    order.length = 0;
    for (let j = 0; j < n; j++) {
      dist[j] = (xs[j] - xs[i]) ** 2 + (ys[j] - ys[i]) ** 2;
      if (j !== i) order.push(j);
    }
    // partial selection of the k nearest
    order.sort((p, q) => dist[p] - dist[q]);
    const nn = order.slice(0, k);
    const combos: number[][] = [];
    for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) for (let c = b + 1; c < k; c++) combos.push([nn[a], nn[b], nn[c]]);
    for (const cmb of combos) {
      const s = [i, ...cmb];
      const key = [...s].sort((p, q) => p - q).join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      const q = describe(xs, ys, s);
      if (q) quads.push(q);
    }
  }
  quads.sort((p, q) => p.r[0] - q.r[0]);
  const out: QuadSet = {
    count: quads.length,
    ratios: new Float32Array(quads.length * 5),
    size: new Float64Array(quads.length),
    stars: new Int32Array(quads.length * 4),
  };
  quads.forEach((q, i) => {
    out.ratios.set(q.r, i * 5);
    out.size[i] = q.size;
    out.stars.set(q.s, i * 4);
  });
  return out;
}

function describe(xs: ArrayLike<number>, ys: ArrayLike<number>, s: number[]): { r: number[]; size: number; s: number[] } | null {
  const d = PAIRS.map(([p, q]) => Math.hypot(xs[s[p]] - xs[s[q]], ys[s[p]] - ys[s[q]]));
  const sorted = [...d].sort((p, q) => q - p);
  const max = sorted[0];
  if (!(max > 0) || sorted[5] < 0.05 * max) return null; // near-coincident stars: unstable
  const sums = [0, 0, 0, 0];
  PAIRS.forEach(([p, q], k) => { sums[p] += d[k]; sums[q] += d[k]; });
  const idx = [0, 1, 2, 3].sort((p, q) => sums[p] - sums[q]);
  return { r: sorted.slice(1).map((v) => v / max), size: max, s: idx.map((k) => s[k]) };
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

/**
 * Quads from precomputed neighbourhoods: for centre k, `members` = [k, n1…nm]
 * (global ids) with local planar coordinates; quads = k + 3 of its neighbours.
 * Used by the all-sky pattern index, where neighbours come from the sphere.
 */
export function buildQuadsFrom(
  count: number, hood: (k: number) => { members: number[]; xs: number[]; ys: number[] },
): QuadSet {
  const seen = new Map<number, Set<number>>();
  const rs: number[] = [], sizes: number[] = [], ids: number[] = [];
  for (let k = 0; k < count; k++) {
    const { members, xs, ys } = hood(k);
    const m = members.length - 1;
    for (let a = 1; a <= m; a++) for (let b = a + 1; b <= m; b++) for (let c = b + 1; c <= m; c++) {
      const local = [0, a, b, c];
      // De-duplicate by the sorted member ids, as two exact numeric keys (ids < 2^26).
      const g = local.map((i) => members[i]).sort((p, q) => p - q);
      const k1 = g[0] * 67108864 + g[1], k2 = g[2] * 67108864 + g[3];
      let set = seen.get(k1);
      if (!set) { set = new Set(); seen.set(k1, set); }
      if (set.has(k2)) continue;
      set.add(k2);
      const q = describe(xs, ys, local);
      if (!q) continue;
      rs.push(...q.r);
      sizes.push(q.size);
      ids.push(...q.s.map((i) => members[i]));
    }
  }
  const n = sizes.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => rs[p * 5] - rs[q * 5]);
  const out: QuadSet = { count: n, ratios: new Float32Array(n * 5), size: new Float64Array(n), stars: new Int32Array(n * 4) };
  order.forEach((o, i) => {
    for (let k = 0; k < 5; k++) out.ratios[i * 5 + k] = rs[o * 5 + k];
    out.size[i] = sizes[o];
    for (let k = 0; k < 4; k++) out.stars[i * 4 + k] = ids[o * 4 + k];
  });
  return out;
}
