/**
 * All-sky pattern index for blind solving of wide fields, one per field-size
 * band: catalog stars thinned to a uniform density (brightest first, with a
 * minimum separation, ~10 per field), and for each of them the quads with 3
 * of its 5 nearest pattern stars, sorted by the first edge ratio. Built lazily
 * in memory (cached per thread) — it is cheap for fields ≳ 3°.
 */
import { tanProject } from '../../lib/wcs/index.ts';
import { SkyCells } from '../../lib/stars/cells.ts';
import type { StarCatalog } from '../../lib/stars/starCatalog.ts';
import { buildQuadsFrom } from './quads.ts';
import type { QuadSet } from './quads.ts';

/** Pattern stars per square of the short field side. */
export const PATTERN_DENSITY = 10;
/** Minimum separation of pattern stars, in units of the short field side (random packing ⇒ ~PATTERN_DENSITY per field). */
export const SEPARATION = Math.sqrt(0.7 / PATTERN_DENSITY);
/** Neighbours considered per pattern star (all 3-combinations of them form quads with it). */
const MAX_NEIGHBOURS = 7;

export interface PatternIndex {
  /** short-side field of view this band is built for, degrees */
  fov: number;
  ra: Float64Array;
  dec: Float64Array;
  /** pattern stars by sky cell (for the quick pre-check of hypotheses) */
  grid: SkyCells;
  buckets: Map<number, number[]>;
  quads: QuadSet;
  buildMs: number;
}

const cache = new WeakMap<StarCatalog, Map<number, PatternIndex>>();
const orders = new WeakMap<StarCatalog, Int32Array>();

/** All stars in brightness order (counting sort on milli-magnitudes: linear time). */
function brightOrder(cat: StarCatalog): Int32Array {
  let o = orders.get(cat);
  if (o) return o;
  const m = cat.magMilli;
  let lo = 32767, hi = -32768;
  for (let i = 0; i < m.length; i++) { if (m[i] < lo) lo = m[i]; if (m[i] > hi) hi = m[i]; }
  const counts = new Int32Array(hi - lo + 2);
  for (let i = 0; i < m.length; i++) counts[m[i] - lo + 1]++;
  for (let k = 1; k < counts.length; k++) counts[k] += counts[k - 1];
  o = new Int32Array(m.length);
  for (let i = 0; i < m.length; i++) o[counts[m[i] - lo]++] = i;
  orders.set(cat, o);
  return o;
}

const D2R = Math.PI / 180;

/** True when the band of `fov` is already built in this thread. */
export function hasPatternIndex(cat: StarCatalog, fov: number): boolean {
  return cache.get(cat)?.has(Math.round(fov * 1000)) ?? false;
}

export function patternIndex(cat: StarCatalog, fov: number): PatternIndex {
  let byBand = cache.get(cat);
  if (!byBand) { byBand = new Map(); cache.set(cat, byBand); }
  const key = Math.round(fov * 1000);
  let idx = byBand.get(key);
  if (!idx) {
    idx = buildPatternIndex(cat, fov);
    byBand.set(key, idx);
  }
  return idx;
}

function buildPatternIndex(cat: StarCatalog, fov: number): PatternIndex {
  const t0 = Date.now();
  const sep = SEPARATION * fov;
  // Candidate pool: the brightest stars of the sky, several times the number wanted
  // (sparse regions need the fainter ones); the greedy thinning then makes it uniform.
  const target = (41253 / (fov * fov)) * PATTERN_DENSITY;
  const order = brightOrder(cat);
  const pool = order.subarray(0, Math.min(order.length, Math.ceil(8 * target) + 500));
  // Greedy thinning with a grid of accepted stars.
  const grid = new SkyCells(Math.max(sep, 0.05));
  const buckets = new Map<number, number[]>();
  const ra: number[] = [], dec: number[] = [];
  const cosSep = Math.cos(sep * D2R);
  const unit = (r: number, d: number): [number, number, number] => {
    const cd = Math.cos(d * D2R);
    return [cd * Math.cos(r * D2R), cd * Math.sin(r * D2R), Math.sin(d * D2R)];
  };
  const vx: number[] = [], vy: number[] = [], vz: number[] = [];
  for (const i of pool) {
    const r = cat.ra(i), d = cat.dec(i);
    const v = unit(r, d);
    let free = true;
    for (const c of grid.cellsInCap(r, d, sep)) {
      const b = buckets.get(c);
      if (!b) continue;
      for (const j of b) {
        if (v[0] * vx[j] + v[1] * vy[j] + v[2] * vz[j] > cosSep) { free = false; break; }
      }
      if (!free) break;
    }
    if (!free) continue;
    const k = ra.length;
    ra.push(r); dec.push(d); vx.push(v[0]); vy.push(v[1]); vz.push(v[2]);
    const c = grid.cellOf(r, d);
    const b = buckets.get(c);
    if (b) b.push(k); else buckets.set(c, [k]);
  }
  // Quads: every 4 pattern stars that fit in the field (tetra3-style), found from each
  // star's neighbours within the field's diameter (capped at the nearest ones).
  const n = ra.length;
  const reach = fov * 1.17;
  const cosReach = Math.cos(reach * D2R);
  const tmp: [number, number] = [0, 0];
  const pg = new SkyCells(Math.max(reach / 2, 0.1));
  const pb = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const c = pg.cellOf(ra[k], dec[k]);
    const b = pb.get(c);
    if (b) b.push(k); else pb.set(c, [k]);
  }
  const quads = buildQuadsFrom(n, (k) => {
    const cand: { j: number; d: number }[] = [];
    for (const c of pg.cellsInCap(ra[k], dec[k], reach)) {
      for (const j of pb.get(c) ?? []) {
        if (j === k) continue;
        const dot = vx[k] * vx[j] + vy[k] * vy[j] + vz[k] * vz[j];
        if (dot > cosReach) cand.push({ j, d: -dot });
      }
    }
    cand.sort((a, b) => a.d - b.d);
    const members = [k, ...cand.slice(0, MAX_NEIGHBOURS).map((c) => c.j)];
    const xs: number[] = [], ys: number[] = [];
    for (const j of members) {
      const p = tanProject(ra[k], dec[k], ra[j], dec[j], tmp)!;
      xs.push(p[0]); ys.push(p[1]);
    }
    return { members, xs, ys, maxSize: reach };
  });
  return { fov, ra: Float64Array.from(ra), dec: Float64Array.from(dec), grid: pg, buckets: pb, quads, buildMs: Date.now() - t0 };
}

/** Pattern stars within `radius` degrees of (ra, dec). */
export function patternStarsNear(idx: PatternIndex, ra: number, dec: number, radius: number): number[] {
  const out: number[] = [];
  const cosR = Math.cos(radius * D2R);
  const sd = Math.sin(dec * D2R), cd = Math.cos(dec * D2R);
  for (const c of idx.grid.cellsInCap(ra, dec, radius)) {
    for (const j of idx.buckets.get(c) ?? []) {
      const dj = idx.dec[j] * D2R;
      if (sd * Math.sin(dj) + cd * Math.cos(dj) * Math.cos((idx.ra[j] - ra) * D2R) >= cosR) out.push(j);
    }
  }
  return out;
}
