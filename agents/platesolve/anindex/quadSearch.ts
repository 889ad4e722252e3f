/**
 * Blind (or loosely hinted) search with the quads of astrometry.net index
 * files — the same patterns solve-field uses (Lang et al. 2010), matched in
 * TypeScript and verified against Sidereal's own catalog:
 *
 * image stars are taken in brightness order; each new star forms quads with
 * the brighter ones (as the A–B diagonal, or as C/D inside the circle on A–B);
 * each quad's code (C and D in the frame where A = (0,0) and B = (1,1)) is
 * looked up in the code kd-tree of every index whose quad sizes fit, for both
 * parities and the canonical star orders; each matching index quad gives a
 * 4-star correspondence, checked by {@link CandidateChecker}.
 */
import type { StarCatalog } from '../../lib/stars/starCatalog.ts';
import { CandidateChecker } from '../solver/candidate.ts';
import { newStats, type SearchStats } from '../solver/hinted.ts';
import { outOfTime, type ImageStars, type PositionHint, type ScaleHint, type Solution, type SolverBudget } from '../solver/types.ts';
import type { AnIndex } from './anIndex.ts';

/** An index to search, from which new image star on (solve-field's "startobj"; default 0) and up to which (exclusive; default all). */
export interface IndexUse {
  index: AnIndex;
  fromStar?: number;
  toStar?: number;
}

export interface QuadSearchOptions {
  /** pixel scale range; null = any scale the indexes can match (blind) */
  scale: ScaleHint | null;
  /** accept only solutions whose centre is within the radius */
  position: PositionHint | null;
  budget: SolverBudget;
  /** most image stars used for patterns; default 60 */
  maxStars?: number;
  /** code-space match tolerance; default 0.01 (solve-field's default) */
  codeTolerance?: number;
  /**
   * also use 3-star (triangle) indexes; default false: their 2-number codes
   * match so often that verification dominates (wide fields have the
   * all-sky pattern index instead)
   */
  triangles?: boolean;
  stats?: SearchStats;
  /** shared between passes over the same image (skips hypotheses already verified) */
  checker?: CandidateChecker;
}

export interface QuadSearchResult {
  solution: Solution | null;
  reason: string;
  /** code look-ups and index quads matched */
  lookups: number;
  matches: number;
  /** deepest image star reached */
  depth: number;
}

/** Smallest and largest quads in the image, as fractions of min(W, H) and of the diagonal (solve-field's defaults). */
const QUAD_MIN_FRACTION = 0.1;
const QUAD_MAX_FRACTION = 1.0;
/** Blind scale range when nothing is known: fields from ~0.25° to ~120° across. */
const BLIND_FIELD_MIN_DEG = 0.25;
const BLIND_FIELD_MAX_DEG = 120;

interface IndexRange {
  index: AnIndex;
  from: number;
  to: number;
  /** allowed squared A–B pixel distances */
  min2: number;
  max2: number;
}

/** Per-pair state: the code frame of A–B and which stars lie in its circle. */
interface Pair {
  d2: number;
  cos: number;
  sin: number;
  /** code-frame x, y of each star (valid where inbox) */
  x: Float32Array;
  y: Float32Array;
  inbox: Uint8Array;
}

/** Scale range a search uses: the hint, else every field from ~0.25° to ~120° across. */
export function searchScaleRange(stars: ImageStars, scale: ScaleHint | null): { low: number; high: number } {
  const maxSide = Math.max(stars.width, stars.height);
  return { low: scale?.low ?? (BLIND_FIELD_MIN_DEG * 3600) / maxSide, high: scale?.high ?? (BLIND_FIELD_MAX_DEG * 3600) / maxSide };
}

export function searchIndexQuads(
  cat: StarCatalog, stars: ImageStars, indexes: (AnIndex | IndexUse)[], opts: QuadSearchOptions,
): QuadSearchResult {
  const stats = opts.stats ?? newStats();
  const N = Math.min(stars.count, opts.maxStars ?? 60);
  const tol = opts.codeTolerance ?? 0.01;
  const minSide = Math.min(stars.width, stars.height);
  const diag = Math.hypot(stars.width, stars.height);
  const { low: sLow, high: sHigh } = searchScaleRange(stars, opts.scale);
  const qMin = QUAD_MIN_FRACTION * minSide, qMax = QUAD_MAX_FRACTION * diag;
  const ranges: IndexRange[] = [];
  let beyond = 0;
  for (const entry of indexes) {
    const index = 'index' in entry ? entry.index : entry;
    const from = 'index' in entry ? entry.fromStar ?? 0 : 0;
    const to = 'index' in entry ? entry.toStar ?? Infinity : Infinity;
    if (index.dimQuads < 4 && !opts.triangles) continue;
    // A star moving by the code tolerance moves the code this much in pixels (solve-field's fudge).
    const fudge = (index.scaleHigh * Math.SQRT1_2 * tol) / sHigh;
    const lo = Math.max(qMin, index.scaleLow / sHigh - fudge), hi = Math.min(qMax, index.scaleHigh / sLow + fudge);
    if (lo <= hi && from < N) ranges.push({ index, from, to, min2: lo * lo, max2: hi * hi });
    else if (lo <= hi) beyond++;
  }
  const result = (solution: Solution | null, reason: string, depth: number): QuadSearchResult => ({ solution, reason, lookups, matches, depth });
  let lookups = 0, matches = 0;
  if (ranges.length === 0) return result(null, beyond ? `no stars left (${stars.count} detected)` : 'no index fits this field size', 0);
  if (N < 4) return result(null, `only ${N} stars`, 0);
  let min2 = Infinity, max2 = 0;
  for (const r of ranges) { min2 = Math.min(min2, r.min2); max2 = Math.max(max2, r.max2); }

  const checker = opts.checker ?? new CandidateChecker(cat, stars, sLow, sHigh, opts.position, stats);
  const px = stars.p1, py = stars.p2;
  const pairs: (Pair | null)[] = new Array(N * N).fill(null);
  const margin = 1.5 * tol;
  const inCircle = tol * (Math.SQRT2 + tol);
  const quadStars = new Uint32Array(4);
  const xyz = new Float64Array(3);
  const skyRa = new Float64Array(4), skyDec = new Float64Array(4);
  const imgIds = new Int32Array(4);
  const code = new Float64Array(4), perm = new Float64Array(4);
  const hits: number[] = [];
  const reach = opts.position && opts.position.radius < 180 ? opts.position.radius + (diag * sHigh) / 3600 : 0;
  // the hint as a unit vector: a quad's first star is tested by one dot product (most are far away)
  const d2r = Math.PI / 180;
  const hx = opts.position ? Math.cos(opts.position.dec * d2r) * Math.cos(opts.position.ra * d2r) : 0;
  const hy = opts.position ? Math.cos(opts.position.dec * d2r) * Math.sin(opts.position.ra * d2r) : 0;
  const hz = opts.position ? Math.sin(opts.position.dec * d2r) : 0;
  const cosReach = reach > 0 && reach < 180 ? Math.cos(reach * d2r) : -2;
  let solution: Solution | null = null;
  let quadsTried = 0;
  let timeUp = false;

  const makePair = (a: number, b: number, upTo: number): Pair | null => {
    const dx = px[b] - px[a], dy = py[b] - py[a];
    const d2 = dx * dx + dy * dy;
    if (d2 < min2 || d2 > max2) return null;
    const p: Pair = { d2, cos: (dx + dy) / d2, sin: (dy - dx) / d2, x: new Float32Array(N), y: new Float32Array(N), inbox: new Uint8Array(N) };
    for (let c = 0; c < upTo; c++) if (c !== a && c !== b) addToBox(p, a, c);
    return p;
  };
  // Is star c inside the circle on A–B (with the code tolerance)? Records its code-frame position.
  const addToBox = (p: Pair, a: number, c: number): boolean => {
    const ex = px[c] - px[a], ey = py[c] - py[a];
    const x = ex * p.cos + ey * p.sin, y = -ex * p.sin + ey * p.cos;
    if (x * x - x + y * y - y > inCircle) return false;
    p.x[c] = x; p.y[c] = y; p.inbox[c] = 1;
    return true;
  };

  /** Looks up one quad (image stars q[0..dim-1], A = q[0], B = q[1]) in one index. */
  const tryQuad = (p: Pair, q: ArrayLike<number>, dim: number, index: AnIndex): void => {
    quadsTried++;
    const nc = dim - 2;
    for (let parity = 0; parity < 2; parity++) {
      for (let flipAB = 0; flipAB < 2; flipAB++) {
        // code of C (and D) in this parity / A–B order
        for (let k = 0; k < nc; k++) {
          let x = p.x[q[2 + k]], y = p.y[q[2 + k]];
          if (parity) { const t = x; x = y; y = t; }
          if (flipAB) { x = 1 - x; y = 1 - y; }
          code[2 * k] = x; code[2 * k + 1] = y;
        }
        // orders of C, D: the index stores cx ≤ dx and mean x ≤ 1/2 (within a margin)
        for (let swap = 0; swap < (nc === 2 ? 2 : 1); swap++) {
          const c0 = swap ? 1 : 0, c1 = swap ? 0 : 1;
          perm[0] = code[2 * c0]; perm[1] = code[2 * c0 + 1];
          if (nc === 2) {
            perm[2] = code[2 * c1]; perm[3] = code[2 * c1 + 1];
            if (perm[0] > perm[2] + margin) continue;
            if ((perm[0] + perm[2]) / 2 > 0.5 + margin) continue;
          } else if (perm[0] > 0.5 + margin) continue;
          stats.lookups++;
          if ((++lookups & 127) === 0 && outOfTime(opts.budget)) timeUp = true;
          hits.length = 0;
          index.searchCodes(perm, tol, (quad) => { hits.push(quad); });
          for (const quad of hits) {
            matches++;
            index.quadStars(quad, quadStars);
            // image stars in the index quad's order
            imgIds[0] = flipAB ? q[1] : q[0];
            imgIds[1] = flipAB ? q[0] : q[1];
            imgIds[2] = q[2 + c0];
            if (nc === 2) imgIds[3] = q[2 + c1];
            let outside = false;
            for (let k = 0; k < dim && !outside; k++) {
              if (quadStars[k] >= index.nStars) { outside = true; break; } // damaged file
              index.starXyz(quadStars[k], xyz);
              // Near a hint, a quad whose first star is beyond the search radius plus a field is out.
              if (k === 0 && xyz[0] * hx + xyz[1] * hy + xyz[2] * hz < cosReach) { outside = true; break; }
              skyRa[k] = ((Math.atan2(xyz[1], xyz[0]) * 180) / Math.PI + 360) % 360;
              skyDec[k] = (Math.atan2(xyz[2], Math.hypot(xyz[0], xyz[1])) * 180) / Math.PI;
            }
            if (outside) continue;
            const sol = checker.check(imgIds, skyRa, skyDec, dim);
            if (sol) { solution = sol; return; }
          }
          if (timeUp) return;
        }
      }
    }
  };

  let depth = 0;
  for (let n = 1; n < N && !(solution || timeUp); n++) {
    depth = n + 1;
    if (outOfTime(opts.budget)) { timeUp = true; break; }
    // 1. the new star as B, with every brighter A
    for (let a = 0; a < n && !(solution || timeUp); a++) {
      const p = makePair(a, n, n);
      pairs[a * N + n] = p;
      if (!p) continue;
      for (const r of ranges) {
        if (n < r.from || n >= r.to || p.d2 < r.min2 || p.d2 > r.max2) continue;
        const dim = r.index.dimQuads;
        for (let c = 0; c < n && !(solution || timeUp); c++) {
          if (!p.inbox[c]) continue;
          if (dim === 3) { tryQuad(p, [a, n, c], 3, r.index); continue; }
          for (let d = c + 1; d < n && !(solution || timeUp); d++) if (p.inbox[d]) tryQuad(p, [a, n, c, d], 4, r.index);
        }
        if (solution || timeUp) break;
      }
    }
    // 2. the new star as C, with every brighter A–B pair
    for (let a = 0; a < n && !(solution || timeUp); a++) {
      for (let b = a + 1; b < n && !(solution || timeUp); b++) {
        const p = pairs[a * N + b];
        if (!p || !addToBox(p, a, n)) continue;
        for (const r of ranges) {
          if (n < r.from || n >= r.to || p.d2 < r.min2 || p.d2 > r.max2) continue;
          const dim = r.index.dimQuads;
          if (dim === 3) tryQuad(p, [a, b, n], 3, r.index);
          else for (let d = 0; d < n && !(solution || timeUp); d++) if (p.inbox[d] && d !== n) tryQuad(p, [a, b, n, d], 4, r.index);
          if (solution || timeUp) break;
        }
      }
    }
  }
  if (solution) return result(solution, 'solved', depth);
  const why = timeUp || outOfTime(opts.budget) ? 'time limit reached' : 'no match';
  return result(null, `${why} (${depth} stars, ${quadsTried} quads, ${stats.hypotheses} hypotheses)`, depth);
}
