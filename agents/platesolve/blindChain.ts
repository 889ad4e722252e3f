/**
 * The built-in blind search (no position, or one too vague to search around),
 * as a sequence of cheap-first steps sharing one time budget and one
 * hypothesis count (so the false-alarm correction covers all of them):
 *
 * 1. the all-sky pattern index for wide fields (≥ 6° short side), briefly —
 *    star-tracker-like frames solve in milliseconds once its bands are built
 *    (~0.1–0.4 s each, ~20 MB in all, once per thread);
 * 2. astrometry.net index quads over the 30 brightest stars, deepened in
 *    stages together with the 3-star indexes of wide fields over the 12
 *    brightest (indexSolve.ts; most frames of ~0.4–20° solve here);
 * 3. the rest of the pattern index, if step 1 ran out of time;
 * 4. deeper 3-star index patterns (distorted wide fields) and deeper quads.
 *
 * The budget is work done ({@link workClock}: hypotheses and code look-ups),
 * not time: the same image gets the same search, and the same answer, on a
 * fast, a slow or a loaded machine (the wall-clock limit is only a backstop).
 *
 * Narrower pattern-index bands (4–6°, ~47 MB per thread) are not built: the
 * index quads cover those fields.
 */
import type { StarCatalog } from '../lib/stars/starCatalog.ts';
import { FIRST_PASS_TRIANGLES, indexSearch, loadCodeTrees } from './anindex/indexSolve.ts';
import { solveBlind } from './solver/blind.ts';
import { workClock, type SearchStats } from './solver/hinted.ts';
import { type ImageStars, type PositionHint, type ScaleHint, type Solution, type SolverBudget } from './solver/types.ts';

export interface BlindChainOptions {
  scale: ScaleHint | null;
  position: PositionHint | null;
  /** plausible work for all steps, in ms of a reference machine ({@link workClock}; one-time setup excluded) */
  budgetMs: number;
  /** wall-clock limit (Date.now() ms) for all steps */
  hardDeadline: number;
  signal?: AbortSignal;
  stats: SearchStats;
  /** narrowest field the catalog can verify, degrees */
  minFovDeg: number;
}

export interface BlindChainResult {
  solution: Solution | null;
  /** every step ran to its end (none was cut by the budget): the stars matched nothing the indexes hold */
  exhausted?: boolean;
  attempts: { solver: string; ms: number; result: string }[];
}

/** Share of the remaining blind time for each step (the last step takes the rest). */
const QUICK_PATTERN_MS = 1000;
/** Narrowest short side for the pattern index when the index quads are there (memory grows as 1/fov²). */
const PATTERN_MIN_FOV = 6;
const FIRST_QUADS_SHARE = 0.6;
const PATTERN_SHARE = 0.3;

export function blindChain(cat: StarCatalog, stars: ImageStars, opts: BlindChainOptions): BlindChainResult {
  const attempts: BlindChainResult['attempts'] = [];
  const { scale, position, signal, stats } = opts;
  // The plausible search is counted in work done (a slow or loaded machine does not cut it
  // short), within the wall-clock backstop. One-time costs (building pattern-index bands,
  // loading code trees) are no search work and do not count against it.
  const clock = workClock(stats);
  const until = clock() + opts.budgetMs;
  const hard = opts.hardDeadline;
  const left = (): number => until - clock();
  const budget = (ms: number): SolverBudget => ({ deadline: Math.min(until, clock() + ms), clock, hardDeadline: hard, signal });
  const stop = (): boolean => left() <= 0 || Date.now() > hard || signal?.aborted === true;
  const record = (t0: number, result: string): void => { attempts.push({ solver: 'sidereal-blind', ms: Date.now() - t0, result }); };
  const pattern = (minFovDeg: number, ms: number): Solution | null => {
    const t0 = Date.now();
    const r = solveBlind(cat, stars, { scale, position, stats, minFovDeg, budget: budget(ms) });
    record(t0, r.solution ? `solved with the pattern index (${r.solution.matched} stars)` : `pattern index ≥ ${minFovDeg}°: ${r.reason}`);
    return r.solution;
  };

  const minPatternFov = Math.max(opts.minFovDeg, PATTERN_MIN_FOV);
  let sol = pattern(minPatternFov, Math.min(QUICK_PATTERN_MS, left() * 0.1));
  if (sol || stop()) return { solution: sol, attempts };
  const patternDone = !/time limit/.test(attempts[attempts.length - 1].result);

  loadCodeTrees(stars, scale);
  let t0 = Date.now();
  // (an image of no more stars than the first pass uses leaves the second pass nothing to do)
  const firstShare = stars.count > FIRST_PASS_TRIANGLES ? FIRST_QUADS_SHARE : 1;
  const first = indexSearch(cat, stars, { scale, position, stats, firstPass: true, budget: budget(left() * firstShare) });
  if (first) {
    record(t0, first.solution ? `solved with index quads (${first.solution.matched} stars)` : `index quads: ${first.reason}`);
    if (first.solution) return { solution: first.solution, attempts };
  }
  if (stop()) return { solution: null, attempts };

  if (!patternDone || !first) {
    sol = pattern(first ? minPatternFov : Math.max(opts.minFovDeg, 4), first ? Math.max(500, left() * PATTERN_SHARE) : left());
    if (sol || stop() || !first) return { solution: sol, attempts };
  }

  t0 = Date.now();
  const second = indexSearch(cat, stars, { scale, position, stats, firstPass: false, checker: first.checker, budget: budget(left()) });
  record(t0, second?.solution ? `solved with index patterns (${second.solution.matched} stars)` : `index patterns: ${second?.reason}`);
  const exhausted = !second?.solution && second !== null && Date.now() <= hard && signal?.aborted !== true &&
    attempts.every((a) => !/time limit|unusable/.test(a.result));
  return { solution: second?.solution ?? null, attempts, exhausted };
}
