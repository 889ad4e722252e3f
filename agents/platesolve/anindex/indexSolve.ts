/**
 * How the solve chain uses the astrometry.net index quads
 * ({@link searchIndexQuads}): which indexes, how deep, in which pass.
 *
 * - near a position hint: 4-star and 3-star indexes together, deep (the
 *   position check throws out far-away matches before any verification);
 * - blind, first pass: 4-star indexes over the 30 brightest stars and the
 *   3-star (triangle) indexes of wide fields over the 12 brightest, deepened
 *   together in stages ({@link FIRST_PASS_STAGES}) so that neither series
 *   waits for the other's whole depth: a 10–20° field (only the triangle
 *   indexes have quads of its size) is not kept waiting behind ~20,000
 *   narrow-field quad hypotheses, and a narrow field pays only for the
 *   shallow triangles of the first stage;
 * - blind, second pass: deeper triangles, then deeper 4-star quads.
 */
import type { StarCatalog } from '../../lib/stars/starCatalog.ts';
import { CandidateChecker } from '../solver/candidate.ts';
import type { SearchStats } from '../solver/hinted.ts';
import { outOfTime, type ImageStars, type PositionHint, type ScaleHint, type Solution, type SolverBudget } from '../solver/types.ts';
import { installedIndexes } from './indexSet.ts';
import type { AnIndex } from './anIndex.ts';
import { searchIndexQuads, searchScaleRange, type IndexUse, type QuadSearchOptions } from './quadSearch.ts';

/** Brightest image stars of the first blind pass, and the deepest any pass goes. */
const FIRST_PASS_STARS = 30;
const BLIND_STARS = 80;
const TRIANGLE_STARS = 40;
/**
 * Stages of the first blind pass: image stars [from, to) that 4-star and
 * 3-star indexes take as their newest star. Each stage costs about as much as
 * all before it (triangle hypotheses grow ~ n³ with the depth n), so the
 * cheap depths of both series come first.
 */
export const FIRST_PASS_STAGES: readonly { quads: number; triangles: number }[] = [
  { quads: 15, triangles: 5 },
  { quads: 22, triangles: 7 },
  { quads: FIRST_PASS_STARS, triangles: 9 },
  { quads: FIRST_PASS_STARS, triangles: 12 },
];
/** Image stars the first pass's triangles reach (the second pass goes on from there). */
export const FIRST_PASS_TRIANGLES = FIRST_PASS_STAGES[FIRST_PASS_STAGES.length - 1].triangles;
/** Share of the second blind pass given to the 3-star indexes. */
const TRIANGLE_SHARE = 0.6;
const HINTED_STARS = 100;

export interface IndexSearchOptions {
  scale: ScaleHint | null;
  position: PositionHint | null;
  budget: SolverBudget;
  stats: SearchStats;
  /** blind passes: true = first (4-star, brightest stars), false = second (the rest); undefined = hinted */
  firstPass?: boolean;
  /** the first pass's checker, so the second pass does not verify the same hypotheses again */
  checker?: CandidateChecker;
  /** index directories (tests); default the usual astrometry.net places */
  dirs?: readonly string[];
}

export interface IndexSearchResult {
  solution: Solution | null;
  reason: string;
  checker: CandidateChecker;
}

/**
 * Loads the code trees of the installed indexes whose quads fit the image
 * (a one-time cost per thread); returns the ms it took (0 when already loaded).
 */
export function loadCodeTrees(stars: ImageStars, scale: ScaleHint | null, dirs?: readonly string[]): number {
  const t0 = Date.now();
  const indexes = dirs ? installedIndexes(dirs) : installedIndexes();
  const { low, high } = searchScaleRange(stars, scale);
  const range = { low: 0.1 * Math.min(stars.width, stars.height) * low, high: Math.hypot(stars.width, stars.height) * high };
  for (const i of indexes) {
    if (i.scaleLow <= range.high && i.scaleHigh >= range.low) {
      try { i.loadCodeTree(); } catch { /* reported by the search itself */ }
    }
  }
  return Date.now() - t0;
}

/** Null when no usable index files are installed (or the catalog is too shallow to verify small fields). */
export function indexSearch(cat: StarCatalog, stars: ImageStars, opts: IndexSearchOptions): IndexSearchResult | null {
  if (!cat.deep) return null;
  const indexes = opts.dirs ? installedIndexes(opts.dirs) : installedIndexes();
  if (indexes.length === 0) return null;
  const { low, high } = searchScaleRange(stars, opts.scale);
  const checker = opts.checker ?? new CandidateChecker(cat, stars, low, high, opts.position, opts.stats);
  const common = { scale: opts.scale, position: opts.position, budget: opts.budget, stats: opts.stats, checker };
  try {
    return { ...search(cat, stars, opts, indexes, common), checker };
  } catch (err) {
    // A damaged or truncated index file: report it, let the other solvers run.
    return { solution: null, reason: `index files unusable: ${(err as Error).message}`, checker };
  }
}

function search(
  cat: StarCatalog, stars: ImageStars, opts: IndexSearchOptions, indexes: AnIndex[], common: Omit<QuadSearchOptions, 'maxStars'>,
): { solution: Solution | null; reason: string } {
  const quads = indexes.filter((i) => i.dimQuads === 4), triangles = indexes.filter((i) => i.dimQuads === 3);
  let r;
  if (opts.firstPass === undefined) {
    r = searchIndexQuads(cat, stars, indexes, { ...common, triangles: true, maxStars: HINTED_STARS });
  } else if (opts.firstPass) {
    r = { solution: null as Solution | null, reason: 'no stage ran' };
    let from4 = 0, from3 = 0;
    const why: string[] = [];
    for (const st of FIRST_PASS_STAGES) {
      const use: IndexUse[] = [
        ...(st.quads > from4 ? quads.map((index) => ({ index, fromStar: from4, toStar: st.quads })) : []),
        ...(st.triangles > from3 ? triangles.map((index) => ({ index, fromStar: from3, toStar: st.triangles })) : []),
      ];
      from4 = st.quads; from3 = st.triangles;
      if (use.length === 0) continue;
      const q = searchIndexQuads(cat, stars, use, { ...common, triangles: true, maxStars: Math.max(st.quads, st.triangles) });
      why.push(`stars ≤ ${st.quads}/${st.triangles} (4-/3-star): ${q.reason}`);
      r = { solution: q.solution, reason: why.join('; ') };
      if (q.solution || outOfTime(opts.budget)) break;
    }
  } else {
    // Triangles match far more often than quads, so they get their own share of the time
    // (they rescue distorted wide fields); then deeper quads (dense or oddly ranked fields).
    const now = (opts.budget.clock ?? Date.now)(), until = opts.budget.deadline;
    const split = { ...opts.budget, deadline: Math.min(until, now + (until - now) * TRIANGLE_SHARE) };
    const deepTriangles = triangles.map((index) => ({ index, fromStar: FIRST_PASS_TRIANGLES }));
    r = searchIndexQuads(cat, stars, deepTriangles, { ...common, budget: split, triangles: true, maxStars: TRIANGLE_STARS });
    if (!r.solution) {
      const deep = quads.map((index) => ({ index, fromStar: FIRST_PASS_STARS }));
      const q = searchIndexQuads(cat, stars, deep, { ...common, maxStars: BLIND_STARS });
      r = { ...q, reason: `3-star from star ${FIRST_PASS_TRIANGLES + 1}: ${r.reason}; 4-star from star ${FIRST_PASS_STARS + 1}: ${q.reason}` };
    }
  }
  return { solution: r.solution, reason: r.reason };
}
