/**
 * Hinted solver (PLATESOLVE.md §3.2): catalog windows of the image's size
 * around the hinted position, density-matched to the image stars, stepped in
 * a square spiral out to the search radius; quads, similarity hypotheses,
 * binomial verification, then a least-squares refinement with a final check.
 */
import { tanDeproject, angularDistance, pixelScaleArcsec, tanProject, describeWcs } from '../../lib/wcs/index.ts';
import type { StarCatalog } from '../../lib/stars/starCatalog.ts';
import { log10BinomialTail } from './falseAlarm.ts';
import { imageSide, matchWindow, type CatalogWindow, type ImageSide, type Hypothesis } from './matchWindow.ts';
import { PointGrid } from './pointGrid.ts';
import { buildQuads, NO_QUADS } from './quads.ts';
import { refineWcs } from './refine.ts';
import { outOfTime, type ImageStars, type PositionHint, type ScaleHint, type Solution, type SolverBudget } from './types.ts';

export interface SearchStats {
  windows: number;
  hypotheses: number;
  /** windows skipped because the catalog had too few stars there */
  sparseWindows: number;
  /** verified hypotheses rejected by the final check after refinement */
  rejectedAfterRefine: number;
  /** pattern codes looked up in index files (with `hypotheses`, the work a blind search has done: {@link workClock}) */
  lookups: number;
}

export interface HintedOptions {
  position: PositionHint;
  scale: ScaleHint;
  budget: SolverBudget;
  /** most image stars used for patterns; default 80 */
  maxPatternStars?: number;
  /** shared across calls (e.g. a scale ladder) so the false-alarm correction counts all hypotheses */
  stats?: SearchStats;
}

/**
 * Work done by a search, in milliseconds of a reference machine (a 2-core
 * NAS-class CPU): each distinct hypothesis costs about a catalog query and a
 * pre-check, each code look-up a kd-tree descent. A budget on this clock is
 * the same on any machine — a slow or loaded one reaches the same answer
 * later instead of giving up — and, unlike process CPU time, it does not count
 * the work of other worker threads.
 */
export const WORK_MS_PER_HYPOTHESIS = 0.1;
export const WORK_MS_PER_LOOKUP = 0.005;
export const WORK_MS_PER_WINDOW = 2;
export function workClock(stats: SearchStats): () => number {
  return () => stats.hypotheses * WORK_MS_PER_HYPOTHESIS + stats.lookups * WORK_MS_PER_LOOKUP + stats.windows * WORK_MS_PER_WINDOW;
}

export function newStats(): SearchStats {
  return { windows: 0, hypotheses: 0, sparseWindows: 0, rejectedAfterRefine: 0, lookups: 0 };
}

/** Window centres in a square spiral (nearest first) around the hint, in its tangent plane. */
export function spiralCentres(hint: PositionHint, step: number): [number, number][] {
  const rings = Math.max(0, Math.ceil(hint.radius / step));
  const out: { ra: number; dec: number; d: number }[] = [];
  for (let i = -rings; i <= rings; i++) {
    for (let j = -rings; j <= rings; j++) {
      const xi = i * step, eta = j * step;
      if (Math.hypot(xi, eta) > hint.radius + step * 0.75) continue;
      const [ra, dec] = tanDeproject(hint.ra, hint.dec, xi, eta);
      out.push({ ra, dec, d: Math.max(Math.abs(i), Math.abs(j)) * 1000 + Math.hypot(i, j) });
    }
  }
  out.sort((a, b) => a.d - b.d);
  return out.map((c) => [c.ra, c.dec]);
}

/**
 * The brightest `maxStars` catalog stars within `radius` of (ra0, dec0), in
 * that point's tangent plane, with their quads (for matching) unless
 * `withQuads` is false (verification only).
 */
export function catalogWindow(cat: StarCatalog, ra0: number, dec0: number, radius: number, maxStars: number, withQuads = true): CatalogWindow {
  const set = cat.query(ra0, dec0, radius, { maxStars });
  const n = set.count;
  const xi = new Float64Array(n), eta = new Float64Array(n);
  const tmp: [number, number] = [0, 0];
  for (let i = 0; i < n; i++) {
    const p = tanProject(ra0, dec0, set.ra[i], set.dec[i], tmp);
    xi[i] = p ? p[0] : 1e9; eta[i] = p ? p[1] : 1e9;
  }
  const quads = withQuads ? buildQuads(xi, eta, n) : NO_QUADS;
  const cell = Math.max(radius / 30, 1e-6);
  return { ra0, dec0, n, xi, eta, ra: set.ra, dec: set.dec, quads, grid: new PointGrid(xi, eta, cell) };
}

/** Counts catalog stars in a cap (cheap upper bound on density). */
function catalogCount(cat: StarCatalog, ra: number, dec: number, radius: number, cap: number): number {
  return cat.query(ra, dec, radius, { maxStars: cap }).count;
}

export function solveHinted(cat: StarCatalog, stars: ImageStars, opts: HintedOptions): Solution | null {
  const stats = opts.stats ?? newStats();
  const scale0 = Math.sqrt(opts.scale.low * opts.scale.high);
  const fovW = (stars.width * scale0) / 3600, fovH = (stars.height * scale0) / 3600;
  const maxPattern = opts.maxPatternStars ?? 80;
  const step = Math.min(fovW, fovH) * 0.7;
  // The window holds the whole image whenever the image centre is within step/√2 of the window centre.
  const rWin = Math.hypot(fovW, fovH) / 2 + step * 0.72;
  const areaImg = fovW * fovH, areaWin = Math.PI * rWin * rWin;
  const centres = spiralCentres(opts.position, step);
  const imgCache = new Map<number, ImageSide>();
  const sideFor = (n: number): ImageSide => {
    let s = imgCache.get(n);
    if (!s) {
      const tmp = imageSide(stars, n, { count: 0, ratios: new Float32Array(0), size: new Float64Array(0), stars: new Int32Array(0) });
      s = { ...tmp, quads: buildQuads(tmp.u, tmp.v, n) };
      imgCache.set(n, s);
    }
    return s;
  };
  for (const [ra, dec] of centres) {
    if (outOfTime(opts.budget)) return null;
    stats.windows++;
    // Density matching: as many image stars as the catalog has in the image's area (bounded).
    const capWin = Math.ceil((maxPattern * areaWin) / areaImg) + 1;
    const inWin = catalogCount(cat, ra, dec, rWin, capWin);
    const expected = (inWin * areaImg) / areaWin;
    const nImg = Math.min(stars.count, maxPattern, Math.max(8, Math.round(expected)));
    const nCat = Math.min(inWin, Math.round((nImg * areaWin) / areaImg));
    if (nImg < 6 || nCat < 6) { stats.sparseWindows++; continue; }
    const img = sideFor(nImg);
    const win = catalogWindow(cat, ra, dec, rWin, nCat);
    let accepted: Solution | null = null;
    // the stats count the hypotheses as they are tried, so a budget on the work clock sees them
    matchWindow(stars, img, win, {
      scaleLow: opts.scale.low, scaleHigh: opts.scale.high, counter: stats, budget: opts.budget,
    }, (h) => {
      accepted = finalCheck(cat, stars, h, opts, stats.hypotheses);
      if (!accepted) stats.rejectedAfterRefine++;
      return accepted !== null;
    });
    if (accepted) return accepted;
  }
  return null;
}

/**
 * Refines a verified hypothesis with all stars and re-verifies: the refined
 * solution must still have a tiny false-alarm probability, a plausible scale
 * and centre, and a small RMS.
 */
export function finalCheck(
  cat: StarCatalog, stars: ImageStars, h: Hypothesis,
  opts: { position?: PositionHint; scale: ScaleHint }, hypotheses: number,
): Solution | null {
  const ref = refineWcs(cat, stars, h.wcs);
  if (!ref) return null;
  const scale = pixelScaleArcsec(ref.wcs);
  if (scale < opts.scale.low / 1.05 || scale > opts.scale.high * 1.05) return null;
  const sum = describeWcs(ref.wcs);
  if (opts.position) {
    const fov = Math.hypot(sum.fieldWidthDeg, sum.fieldHeightDeg);
    if (angularDistance(sum.ra, sum.dec, opts.position.ra, opts.position.dec) > opts.position.radius + fov) return null;
  }
  const nImg = Math.min(stars.count, 400);
  const r = Math.max(1.5, Math.min(3 * ref.rmsPixels + 0.5, 3 * (stars.fwhm ?? 2.5)));
  const p = Math.min(1, (Math.max(ref.catalogInImage, 1) * Math.PI * r * r) / (stars.width * stars.height));
  const log10P = log10BinomialTail(ref.matches.length, nImg, p) + Math.log10(Math.max(1, hypotheses));
  if (log10P > -9 || ref.matches.length < 8 || ref.rmsPixels > Math.max(2, 0.75 * (stars.fwhm ?? 2.5))) return null;
  return {
    wcs: ref.wcs,
    matched: ref.matches.length,
    rmsArcsec: ref.rmsArcsec,
    rmsPixels: ref.rmsPixels,
    log10FalseAlarm: Math.max(log10P, h.log10FalseAlarm),
    hypotheses,
  };
}

