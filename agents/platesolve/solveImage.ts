/**
 * The solve chain for one image (PLATESOLVE.md §3.1): an existing solution in
 * the header, the built-in hinted solver, the built-in blind solver for wide
 * fields, then astrometry.net's solve-field — within one time limit. Always
 * returns {@link SolveFacts}: a verified solution, or `solved: false` with the
 * reason (a wrong solution is never returned knowingly).
 */
import type { PixelImage } from '../lib/formats/types.ts';
import type { Acquisition, HeaderCard, SolveFacts } from '../sdk/facts.ts';
import { describeWcs, readWcs, wcsFromScaleRotation, wcsToCards, pixelScaleArcsec, type Wcs } from '../lib/wcs/index.ts';
import { resolveStarCatalog, type ResolvedCatalog } from '../lib/stars/catalogLocation.ts';
import { detectStars, type DetectRegion } from './detect/detectStars.ts';
import { hintsFromCards } from './hints.ts';
import { newStats, solveHinted, workClock } from './solver/hinted.ts';
import { makeImageStars, outOfTime, type ImageStars, type SolverBudget } from './solver/types.ts';
import { verifyWcs, type WcsCheck } from './solver/verifyWcs.ts';
import { verifyNear, type NearCheck } from './solver/verifyNear.ts';
import { runSolveField, solveFieldAvailable } from './solveField.ts';
import { indexSearch } from './anindex/indexSolve.ts';
import { blindChain } from './blindChain.ts';
import {
  MIN_IMAGE_STARS, blindBudgetMs, estimateField, fieldTooNarrow, indexFits, noIndexMatch,
  quadSizeRangeArcsec, shortOfCatalogStars,
  type UnsolvedCode, type UnsolvedReason,
} from './plan.ts';
import { installedIndexes } from './anindex/indexSet.ts';
import { ASTROMETRY_INDEX_DIRS } from '../lib/stars/buildStarCatalog.ts';
import { deepCatalogNear, deepIndexTiles, hasDeepSources, type DeepSources, type LocalCatalog } from './catalog/deepSources.ts';
import { planDeepBlind, solveDeepBlind, type DeepBlindPlan } from './deepBlind.ts';
import { findAstapDatabases } from '../lib/stars/astapDatabase.ts';

/** Share of the time limit the built-in blind search may use as work (solve-field gets the rest). */
const BLIND_SHARE = 0.6;
/** A machine this much slower than the reference (or as loaded) still finishes the same blind search. */
export const SLOW_MACHINE_FACTOR = 4;
/** The part of a large image whose stars check a known solution (a header's, a sibling's). */
const CENTRAL: DetectRegion = { x0: 1 / 3, y0: 1 / 3, x1: 2 / 3, y1: 2 / 3 };
/** A sibling's solution for a field wider than this (degrees) is checked and refitted on all stars. */
const WIDE_CHECK_DEG = 3;
/** Images (decoded pixels) smaller than this are checked on all their stars. */
const CENTRAL_MIN_PIXELS = 2_000_000;
/** Deeper catalogs are read for fields up to this size (wider ones have enough Tycho-2 stars). */
const DEEP_MAX_FOV = 1.5;
/** Share of the blind time for the deep-series search when the scale is unknown (it runs first). */
const DEEP_BLIND_SHARE = 0.4;

export interface SolveInput {
  /** decoded pixels (possibly binned by the reader; `binned` says by how much) */
  pixels?: PixelImage | null;
  /** header cards of the file (FITS keywords, XISF properties/keywords) */
  cards?: readonly HeaderCard[];
  /** stored size of the full-resolution image */
  width: number;
  height: number;
  /**
   * file format: for `fits` the WCS counts stored rows (p₂ = row + 1); for every
   * other format rows are counted from the bottom of the displayed picture
   * (p₂ = H − row), so that "normal" parity means an un-mirrored picture.
   */
  format?: string;
  acquisition?: Partial<Acquisition> | null;
  /** explicit hints override the header's */
  hints?: { ra?: number; dec?: number; radiusDeg?: number; scaleArcsec?: number; scaleTolerance?: number; sibling?: SiblingSolution };
  /**
   * time limit: of the wall clock for the quick steps and solve-field; the built-in blind
   * search gets its share of it as work (ms of a reference machine, solver/hinted.ts
   * `workClock`), so a slow or loaded machine does the same search, later (default 60 s)
   */
  timeLimitMs?: number;
  /** wall-clock backstop for the built-in blind search (default {@link SLOW_MACHINE_FACTOR} × the time limit) */
  wallLimitMs?: number;
  signal?: AbortSignal;
  /** star catalog file; default ./data/catalog/stars.bin ({@link resolveStarCatalog}) */
  catalogPath?: string;
  /** use astrometry.net when installed (default true) */
  solveField?: boolean;
  /** a file path solve-field can read, used when no pixels/stars are available */
  imagePath?: string;
  /** check an existing header solution against the stars (default true when pixels are given) */
  verifyExisting?: boolean;
  /** skip the built-in solvers (testing/benchmarks) */
  builtIn?: boolean;
  /** deeper catalogs in configured folders (ASTAP databases, astrometry.net index series) */
  deepCatalogs?: DeepSources;
}

/**
 * The solution of another frame of the same session (same target, optics and
 * night): checked first — a verification instead of a search — then used as
 * a tight hint (dithers and small drifts move the field a little).
 */
export interface SiblingSolution {
  ra: number;
  dec: number;
  scaleArcsec: number;
  rotationDeg: number;
  parity: 'normal' | 'flipped';
}

/** Extra facts beyond the SolveFacts contract. */
export interface SolveDetails {
  /** "fits" (p₂ = stored row + 1) or "bottom-up" (p₂ = H − displayed row) */
  pixelConvention: 'fits' | 'bottom-up';
  catalog: string | null;
  starsDetected: number | null;
  log10FalseAlarm: number | null;
  hints: { position: string | null; scale: string | null };
  attempts: { solver: string; ms: number; result: string }[];
  /** why not solved, with a stable code (null when solved) */
  unsolvedReason: UnsolvedReason | null;
  /** time of each step in ms (null = the step did not run) */
  timingsMs: StepTimings;
}

export interface StepTimings {
  detect: number | null;
  /** checking a header or sibling solution, or solve-field's answer, against the stars */
  verify: number | null;
  hinted: number | null;
  blind: number | null;
  solveField: number | null;
  total: number | null;
}

export type SolveOutput = SolveFacts & SolveDetails;

export async function solveImage(input: SolveInput): Promise<SolveOutput> {
  const t0 = Date.now();
  const limitMs = input.timeLimitMs ?? 60000;
  const deadline = t0 + limitMs;
  const wallDeadline = t0 + Math.max(limitMs, input.wallLimitMs ?? SLOW_MACHINE_FACTOR * limitMs);
  const cards = input.cards ?? [];
  const { width, height } = input;
  const fitsRows = (input.format ?? 'fits').toLowerCase().startsWith('fit');
  const attempts: SolveDetails['attempts'] = [];
  const details: SolveDetails = {
    pixelConvention: fitsRows ? 'fits' : 'bottom-up', catalog: null, starsDetected: null, log10FalseAlarm: null,
    hints: { position: null, scale: null }, attempts, unsolvedReason: null,
    timingsMs: { detect: null, verify: null, hinted: null, blind: null, solveField: null, total: null },
  };
  const timings = details.timingsMs;
  const spent = (step: Exclude<keyof StepTimings, 'total'>, since: number): void => { timings[step] = (timings[step] ?? 0) + (Date.now() - since); };
  const fail = (code: UnsolvedCode, message: string): SolveOutput => {
    timings.total = Date.now() - t0;
    return { ...unsolved(message, timings.total), ...details, unsolvedReason: { code, message } };
  };
  const done = (wcs: Wcs, solver: string, extra: { matched?: number | null; rmsArcsec?: number | null; log10FalseAlarm?: number }): SolveOutput => {
    timings.total = Date.now() - t0;
    return {
      ...solvedFacts(wcs, solver, extra.matched ?? null, extra.rmsArcsec ?? null, timings.total),
      ...details,
      log10FalseAlarm: extra.log10FalseAlarm ?? null,
    };
  };

  if (!(width > 0 && height > 0)) return fail('image-size-unknown', 'image size unknown');
  let resolved: ResolvedCatalog | null | undefined;
  const catalog = () => (resolved === undefined ? (resolved = resolveStarCatalog(input.catalogPath)) : resolved);

  // Stars: every solver uses them. A solution that only needs checking (the header's, a sibling
  // sub's) is checked first on the stars of the central ninth of the image (a ninth of the cost).
  let all: ImageStars | null | undefined;
  let central: ImageStars | null | undefined;
  const detect = (region: DetectRegion | undefined): ImageStars | null => {
    if (!input.pixels) return null;
    const td = Date.now();
    const det = detectStars(input.pixels, region ? { region } : {});
    const f = input.pixels.binned || 1;
    const list = det.stars.map((s) => ({ x: s.x * f, y: s.y * f, flux: s.flux }));
    const searched = { x0: det.searched.x0 * f, y0: det.searched.y0 * f, x1: Math.min(width, det.searched.x1 * f), y1: Math.min(height, det.searched.y1 * f) };
    const found = makeImageStars(list, width, height, !fitsRows, det.medianFwhm && det.medianFwhm * f, region ? searched : undefined);
    details.starsDetected = list.length;
    attempts.push({ solver: 'detect', ms: Date.now() - td, result: `${list.length} stars${region ? ' in the central ninth' : ''}` });
    spent('detect', td);
    return found;
  };
  const allStars = (): ImageStars | null => (all === undefined ? (all = detect(undefined)) : all);
  const centralStars = (): ImageStars | null => {
    if (central !== undefined) return central;
    const big = input.pixels && input.pixels.width * input.pixels.height >= CENTRAL_MIN_PIXELS;
    return (central = big && all === undefined ? detect(CENTRAL) : allStars());
  };
  /**
   * A check on the central stars (all stars if `whole`), repeated on all stars when it fails
   * there; `ms` is the time of the checks alone (detection has its own step).
   */
  const check = (run: (s: ImageStars) => WcsCheck, whole = false): { v: WcsCheck; ms: number } | null => {
    const timed = (st: ImageStars): { v: WcsCheck; ms: number } => {
      const tv = Date.now();
      const v = run(st);
      spent('verify', tv);
      return { v, ms: Date.now() - tv };
    };
    const c = whole ? allStars() : centralStars();
    if (!c) return null;
    const first = timed(c);
    if (first.v.ok || !c.region) return first;
    const a = allStars();
    if (!a) return first;
    const second = timed(a);
    return { v: second.v, ms: first.ms + second.ms };
  };

  // 1. An existing, complete solution in the header.
  const existing = readWcs(cards, { width, height });
  if (existing.ok) {
    const verify = input.verifyExisting ?? true;
    const cat = input.pixels && verify ? catalog() : null;
    const r = cat ? check((st) => verifyWcs(cat.catalog, st, existing.wcs)) : null;
    if (r && cat) {
      const v = r.v;
      attempts.push({ solver: 'header', ms: r.ms, result: v.ok ? `verified ${v.matched} stars` : `rejected: ${v.reason}` });
      if (v.ok) {
        details.catalog = cat.catalog.name;
        return done(existing.wcs, `header:${existing.provenance}`, { matched: v.matched, rmsArcsec: v.rmsArcsec });
      }
      if (v.decisive) {
        // The stars clearly contradict it: solve afresh below (the header stays a hint).
      } else {
        return done(existing.wcs, `header:${existing.provenance}`, {});
      }
    } else {
      attempts.push({ solver: 'header', ms: 0, result: 'accepted without verification' });
      return done(existing.wcs, `header:${existing.provenance}`, {});
    }
  }

  // A solved sibling frame (same session): its solution, shifted by a dither or turned by a
  // meridian flip, checked on this frame's stars — a verification instead of a search.
  const sib = input.hints?.sibling;
  const sibCat = sib && input.pixels && input.builtIn !== false ? catalog() : null;
  if (sib && sibCat) {
    const guess = wcsFromScaleRotation({ ...sib, width, height });
    // the sibling check returns a WCS refitted on the stars it used: a wide field (where lens
    // distortion bends the corners) is refitted on all of them, not extrapolated from its centre
    const r = check((st) => verifyNear(sibCat.catalog, st, guess), (Math.max(width, height) * sib.scaleArcsec) / 3600 > WIDE_CHECK_DEG);
    if (r) {
      const v = r.v as NearCheck;
      const moved = v.shift ? ` after a shift of ${Math.hypot(v.shift[0], v.shift[1]).toFixed(0)} px${v.turned ? ' and a meridian flip' : ''}` : '';
      attempts.push({ solver: 'sidereal-sibling', ms: r.ms, result: v.ok ? `verified (${v.matched} stars${moved})` : `not verified: ${v.reason}` });
      if (v.ok && v.refined) {
        details.catalog = sibCat.catalog.name;
        return done(v.refined, 'sidereal-sibling', { matched: v.matched, rmsArcsec: v.rmsArcsec, log10FalseAlarm: v.log10FalseAlarm });
      }
    }
  }
  const stars = allStars();

  const hints = hintsFromCards(cards, input.acquisition ?? null, { width, height });
  if (input.hints?.ra !== undefined && input.hints.dec !== undefined) {
    hints.position = { ra: input.hints.ra, dec: input.hints.dec, source: 'explicit' };
  }
  if (input.hints?.scaleArcsec) hints.scale = { arcsecPerPixel: input.hints.scaleArcsec, source: 'explicit', alternatives: [] };
  details.hints = { position: hints.position?.source ?? null, scale: hints.scale?.source ?? null };
  const tol = input.hints?.scaleTolerance ?? 0.1;
  const scales = hints.scale ? [hints.scale.arcsecPerPixel, ...hints.scale.alternatives] : [];
  const fovOf = (s: number): number => (Math.max(width, height) * s) / 3600;
  const radiusFor = (s: number): number => input.hints?.radiusDeg ?? Math.max(2, 2 * fovOf(s));
  const signal = input.signal;
  const useSolveField = (input.solveField ?? true) && solveFieldAvailable();
  const timeLeft = (): number => deadline - Date.now();
  const indexDirs = [...ASTROMETRY_INDEX_DIRS, ...(input.deepCatalogs?.indexDirs ?? [])];
  // Every built-in search is bounded by work done (windows, hypotheses, index look-ups: workClock),
  // not by the clock: a slow or loaded machine does the same search, later, and reaches the same
  // answer. The time limit is spent in work; the wall clock (SLOW_MACHINE_FACTOR × the limit) is
  // only a backstop. One count for the whole solve, so the false-alarm correction counts every
  // hypothesis tried.
  const stats = newStats();
  const work = workClock(stats);
  /** the part of the time limit not yet spent in work by the built-in searches */
  const workLeft = (): number => limitMs - work();
  const canSearch = (): boolean => workLeft() > 0 && Date.now() < wallDeadline && !signal?.aborted;
  const workBudget = (ms: number): SolverBudget => ({ deadline: work() + ms, clock: work, hardDeadline: wallDeadline, signal });
  /** work done so far, for the attempts' record */
  const workNote = (since: number): string => `, work ${Math.round(work() - since)} ms`;

  // Plan before searching: what can the installed catalogs and index files solve?
  const tp = Date.now();
  const giveUp = (code: UnsolvedCode, message: string): SolveOutput => {
    attempts.push({ solver: 'plan', ms: Date.now() - tp, result: `no search: ${message}` });
    return fail(code, message);
  };
  if (stars && stars.count < MIN_IMAGE_STARS) {
    return giveUp('too-few-stars', `only ${stars.count} stars detected; a solution needs at least ${MIN_IMAGE_STARS} stars matched to the catalog`);
  }
  const cat = stars && input.builtIn !== false ? catalog() : null;

  // Not verified: search tightly around the sibling's solution.
  if (sib && stars && cat) {
    const th = Date.now(), w0 = work();
    const fov = fovOf(sib.scaleArcsec);
    const sol = solveHinted(cat.catalog, stars, {
      position: { ra: sib.ra, dec: sib.dec, radius: Math.max(0.05, 0.5 * fov) },
      scale: { low: sib.scaleArcsec * 0.98, high: sib.scaleArcsec * 1.02 },
      budget: workBudget(Math.max(1000, workLeft() / 4)), stats,
    });
    spent('hinted', th);
    attempts.push({ solver: 'sidereal-sibling', ms: Date.now() - th, result: `${sol ? `solved near the sibling (${sol.matched} stars)` : 'no match near the sibling'}${workNote(w0)}` });
    if (sol) { details.catalog = cat.catalog.name; return done(sol.wcs, 'sidereal-sibling', sol); }
  }
  const aspect = Math.min(width, height) / Math.max(width, height);
  const indexes = installedIndexes();
  /** solve-field (same index directories) can help when one of its index files has quads of the image's size */
  const indexesCover = (sLow: number, sHigh: number): boolean =>
    indexes.length === 0 || indexes.some((i) => indexFits(i, quadSizeRangeArcsec(width, height, sLow, sHigh)));
  let feasibleScales = scales;
  let narrow: UnsolvedReason | null = null;
  if (cat && scales.length) {
    feasibleScales = scales.filter((s) => {
      const f = s * (1 + tol);
      const est = estimateField(cat.catalog, (width * f) / 3600, (height * f) / 3600,
        hints.position ? { ra: hints.position.ra, dec: hints.position.dec, radius: radiusFor(s) } : null);
      if (!est.feasible) {
        narrow ??= fieldTooNarrow(cat.catalog, est, aspect);
        attempts.push({ solver: 'plan', ms: 0, result: `${(s).toFixed(3)}″/px: ${fieldTooNarrow(cat.catalog, est, aspect).message}` });
        return false;
      }
      // Where the header points, the field's own stars (a poor patch beside a rich one), in the
      // field of the hinted scale itself (the tolerance is for the search, not for this count).
      const short = hints.position && input.hints?.radiusDeg === undefined ? shortOfCatalogStars(cat.catalog, hints.position, width, height, s) : null;
      if (short) {
        if (narrow?.code !== 'too-few-catalog-stars') narrow = short;
        attempts.push({ solver: 'plan', ms: 0, result: `${(s).toFixed(3)}″/px: ${short.message}` });
        return false;
      }
      return true;
    });
  }
  // Deeper catalogs (ASTAP databases, HEALPix-split index series) near the position, for narrow fields.
  const deepPlans: { s: number; local: LocalCatalog; radius: number }[] = [];
  let deepNarrow: UnsolvedReason | null = null;
  if (cat && hints.position && scales.length && hasDeepSources(input.deepCatalogs, indexDirs)) {
    for (const s of scales) {
      if (fovOf(s) > DEEP_MAX_FOV) continue;
      const f = s * (1 + tol);
      const w = (width * f) / 3600, h = (height * f) / 3600;
      const radius = Math.min(radiusFor(s), Math.max(1, 3 * fovOf(s)));
      // enough of the brightest stars for ~400 per field (the image shows fewer)
      const maxStars = Math.min(400_000, Math.ceil((400 * Math.PI * radius * radius) / (w * h)));
      const local = deepCatalogNear(input.deepCatalogs, indexDirs, hints.position.ra, hints.position.dec, radius, maxStars);
      if (!local) continue;
      const est = estimateField(local.catalog, w, h, { ra: hints.position.ra, dec: hints.position.dec, radius });
      const short = est.feasible ? shortOfCatalogStars(local.catalog, hints.position, width, height, s, true) : null;
      if (est.feasible && (!short || input.hints?.radiusDeg !== undefined)) deepPlans.push({ s, local, radius });
      else {
        const r = short ?? fieldTooNarrow(local.catalog, est, aspect, true);
        deepNarrow ??= r;
        attempts.push({ solver: 'plan', ms: 0, result: `${s.toFixed(3)}″/px: ${r.message}` });
      }
    }
  }
  const sfScale = scales.length ? { low: Math.min(...scales) * (1 - tol), high: Math.max(...scales) * (1 + tol) } : null;
  const sfCovers = useSolveField && (!sfScale || indexesCover(sfScale.low, sfScale.high));
  // Narrow fields without a position (or without a scale to search around it): the quads of
  // HEALPix-split index series, blind, verified on the deep stars where each quad points.
  let deepBlind: DeepBlindPlan | null = null;
  let deepBlindWhy: string | null = null;
  if (stars && cat && (!hints.position || !scales.length) && (!sfScale || fovOf(sfScale.low) <= DEEP_MAX_FOV)) {
    const astap = input.deepCatalogs?.astapDir ? findAstapDatabases(input.deepCatalogs.astapDir).length > 0 : false;
    const near = hints.position ? { ra: hints.position.ra, dec: hints.position.dec, radius: input.hints?.radiusDeg ?? 5 } : null;
    const p = deepIndexTiles(indexDirs).length || astap ? planDeepBlind(indexDirs, width, height, sfScale, DEEP_MAX_FOV, near) : null;
    const astapOnly = astap && !deepIndexTiles(indexDirs).length;
    if (p && 'tiles' in p) deepBlind = p;
    else if (p && !(astapOnly && hints.position)) {
      // (an ASTAP database with a position but no scale is searched on a ladder of scales below)
      deepBlindWhy = astapOnly
        ? 'the ASTAP database has no star patterns to search blind: it is used around a header position (RA/DEC, OBJCTRA/OBJCTDEC), and this image has none'
        : `deep blind search: ${p.reason}`;
      attempts.push({ solver: 'plan', ms: 0, result: deepBlindWhy });
    }
  }
  // (solve-field's index stars are a subset of the catalog's: where the catalog holds too few, so do they)
  const hopeless = (narrow as UnsolvedReason | null)?.code === 'too-few-catalog-stars';
  if (scales.length && !feasibleScales.length && !deepPlans.length && !deepBlind && narrow && (!sfCovers || hopeless)) {
    const n: UnsolvedReason = deepNarrow ?? narrow;
    const msg = useSolveField ? `${n.message}; no installed index file has quads that small` : n.message;
    return giveUp(n.code, deepBlindWhy ? `${msg}; ${deepBlindWhy}` : msg);
  }

  /** set when a blind search without a scale ran its whole plan (not cut by its budget) and found nothing */
  let blindExhausted: UnsolvedReason | null = null;
  // 2./3. Built-in solvers.
  if (stars && cat && input.builtIn !== false) {
    details.catalog = cat.catalog.name;
    // the narrowest field that could hold enough catalog stars anywhere on the sky
    const richMinFov = Math.max(0.1, Math.sqrt(8 / ((3 * cat.catalog.size) / 41253)));
    if (hints.position && feasibleScales.length) {
      for (const s of feasibleScales) {
        if (!canSearch()) break;
        const th = Date.now(), w0 = work();
        const sol = solveHinted(cat.catalog, stars, {
          position: { ra: hints.position.ra, dec: hints.position.dec, radius: radiusFor(s) },
          scale: { low: s * (1 - tol), high: s * (1 + tol) },
          budget: workBudget(Math.max(1000, workLeft() / 2)),
          stats,
        });
        attempts.push({ solver: 'sidereal-hinted', ms: Date.now() - th, result: `${sol ? `solved (${sol.matched} stars)` : `no match in ${stats.windows} windows`}${workNote(w0)}` });
        spent('hinted', th);
        if (sol) return done(sol.wcs, 'sidereal-hinted', sol);
        // The index quads near the hint: deeper and independent of brightness ranking in a window.
        const tq = Date.now(), wq = work();
        const q = indexSearch(cat.catalog, stars, {
          scale: { low: s * (1 - tol), high: s * (1 + tol) },
          position: { ra: hints.position.ra, dec: hints.position.dec, radius: radiusFor(s) },
          budget: workBudget(Math.max(1000, workLeft() / 3)), stats, dirs: indexDirs,
        });
        spent('hinted', tq);
        if (q) {
          attempts.push({ solver: 'sidereal-hinted', ms: Date.now() - tq, result: `${q.solution ? `solved with index quads (${q.solution.matched} stars)` : `index quads: ${q.reason}`}${workNote(wq)}` });
          if (q.solution) return done(q.solution.wcs, 'sidereal-hinted', q.solution);
        }
      }
    }
    for (const p of deepPlans) {
      if (!canSearch() || !hints.position) break;
      const th = Date.now();
      const position = { ra: hints.position.ra, dec: hints.position.dec, radius: p.radius };
      const scale = { low: p.s * (1 - tol), high: p.s * (1 + tol) };
      const sol = solveHinted(p.local.catalog, stars, {
        position, scale, budget: workBudget(Math.max(1000, workLeft() / 2)), stats,
      });
      attempts.push({ solver: 'sidereal-hinted', ms: Date.now() - th, result: sol ? `solved with ${p.local.label} (${sol.matched} stars)` : `${p.local.label}: no match in ${stats.windows} windows` });
      spent('hinted', th);
      if (sol) { details.catalog = p.local.catalog.name; return done(sol.wcs, 'sidereal-hinted', sol); }
      if (deepIndexTiles(indexDirs).length) {
        const tq = Date.now();
        const q = indexSearch(p.local.catalog, stars, {
          scale, position, dirs: indexDirs, budget: workBudget(Math.max(1000, workLeft() / 3)), stats,
        });
        spent('hinted', tq);
        if (q) {
          attempts.push({ solver: 'sidereal-hinted', ms: Date.now() - tq, result: q.solution ? `solved with index quads and ${p.local.label} (${q.solution.matched} stars)` : `${p.local.label} index quads: ${q.reason}` });
          if (q.solution) { details.catalog = p.local.catalog.name; return done(q.solution.wcs, 'sidereal-hinted', q.solution); }
        }
      }
    }
    if (hints.position && !scales.length && canSearch() && hasDeepSources(input.deepCatalogs, indexDirs)) {
      // Position without scale, deeper catalogs installed: a ladder of narrow fields (below what
      // Tycho-2 can hold here, ≤ 1.5°) searched with the deep stars around the position.
      const tl = Date.now();
      const ladder = workBudget(workLeft() / 4);
      const tycho = estimateField(cat.catalog, 1, 1, { ra: hints.position.ra, dec: hints.position.dec, radius: 2 });
      const tychoMinFov = Math.sqrt(8 / Math.max(tycho.density, 1e-6) / aspect);
      const radius = Math.min(input.hints?.radiusDeg ?? 1.5, 3);
      const maxSide = Math.max(width, height);
      const local = deepCatalogNear(input.deepCatalogs, indexDirs, hints.position.ra, hints.position.dec, radius, 200_000);
      if (local) {
        const here = estimateField(local.catalog, 1, 1, { ra: hints.position.ra, dec: hints.position.dec, radius });
        const minFov = Math.max(0.03, Math.sqrt(8 / Math.max(here.density, 1e-6) / aspect));
        const maxFov = Math.min(DEEP_MAX_FOV, tychoMinFov * 1.2);
        let sol = null, steps = 0;
        for (let fov = minFov; fov <= maxFov && !sol && !outOfTime(ladder); fov *= 1.2) {
          steps++;
          const sc = (fov * 3600) / maxSide;
          sol = solveHinted(local.catalog, stars, {
            position: { ra: hints.position.ra, dec: hints.position.dec, radius: Math.min(radius, Math.max(0.5, 3 * fov)) },
            scale: { low: sc / 1.1, high: sc * 1.1 }, budget: ladder, stats,
          });
        }
        attempts.push({ solver: 'sidereal-hinted', ms: Date.now() - tl, result: sol ? `solved with ${local.label} on the scale ladder (${sol.matched} stars)` : `${local.label}: no match on ${steps} scale steps of ${minFov.toFixed(2)}–${maxFov.toFixed(2)}°` });
        spent('hinted', tl);
        if (sol) { details.catalog = local.catalog.name; return done(sol.wcs, 'sidereal-hinted', sol); }
      }
    }
    if (hints.position && !scales.length && canSearch()) {
      // Position without scale (no focal length in the header): a ladder of scales, ±10 % each,
      // over the fields the catalog can solve here, within a third of the remaining time.
      const tl = Date.now();
      const ladder = workBudget(workLeft() / 3);
      const local = estimateField(cat.catalog, 1, 1, { ra: hints.position.ra, dec: hints.position.dec, radius: 2 });
      const minFovHere = Math.max(0.1, Math.sqrt(8 / Math.max(local.density, 1e-6) / aspect));
      const minS = (minFovHere * 3600) / Math.max(width, height), maxS = (30 * 3600) / Math.max(width, height);
      let sol = null;
      let steps = 0;
      for (let s = minS; s <= maxS && !sol && !outOfTime(ladder); s *= 1.2) {
        steps++;
        sol = solveHinted(cat.catalog, stars, {
          position: { ra: hints.position.ra, dec: hints.position.dec, radius: input.hints?.radiusDeg ?? Math.max(1, Math.min(5, fovOf(s))) },
          scale: { low: s / 1.1, high: s * 1.1 }, budget: ladder, stats,
        });
      }
      attempts.push({ solver: 'sidereal-hinted', ms: Date.now() - tl, result: sol ? `solved on the scale ladder (${sol.matched} stars)` : `no match on ${steps} scale steps` });
      spent('hinted', tl);
      if (sol) return done(sol.wcs, 'sidereal-hinted', sol);
      const tq = Date.now();
      const q = indexSearch(cat.catalog, stars, {
        scale: { low: minS, high: maxS }, position: { ra: hints.position.ra, dec: hints.position.dec, radius: input.hints?.radiusDeg ?? 5 },
        budget: workBudget(Math.max(1000, workLeft() / 3)), stats,
      });
      spent('hinted', tq);
      if (q) {
        attempts.push({ solver: 'sidereal-hinted', ms: Date.now() - tq, result: q.solution ? `solved with index quads (${q.solution.matched} stars)` : `index quads: ${q.reason}` });
        if (q.solution) return done(q.solution.wcs, 'sidereal-hinted', q.solution);
      }
    }
    if (deepBlind && canSearch()) {
      const tb = Date.now();
      // Cheap first: the deep series hold only narrow fields, and their search is short when it fits
      // (without a scale it gets a part of the blind time; the Tycho-2 blind search follows).
      const share = workLeft() * (useSolveField && sfCovers ? BLIND_SHARE : 1);
      const budgetMs = blindBudgetMs(stars.count, share) * (scales.length ? 1 : DEEP_BLIND_SHARE);
      const r = solveDeepBlind(stars, {
        src: input.deepCatalogs, dirs: indexDirs, plan: deepBlind, base: cat.catalog, stats,
        position: hints.position ? { ra: hints.position.ra, dec: hints.position.dec, radius: input.hints?.radiusDeg ?? 5 } : null,
        budget: workBudget(budgetMs),
      });
      attempts.push({ solver: 'sidereal-deep-blind', ms: Date.now() - tb, result: r.solution ? `solved with ${r.label} (${r.solution.matched} stars)` : `deep index quads: ${r.reason}` });
      spent('blind', tb);
      if (r.solution) { details.catalog = r.catalog?.name ?? details.catalog; return done(r.solution.wcs, 'sidereal-blind', r.solution); }
    }
    if (canSearch() && (!scales.length || feasibleScales.length)) {
      const tb = Date.now();
      // A blind search is bounded by what the detected stars can support, counted in work done
      // (the same search on any machine), within a share of the time limit; the wall clock is
      // only a backstop (a machine SLOW_MACHINE_FACTOR times slower or busier still finishes).
      const share = limitMs * (useSolveField && sfCovers ? BLIND_SHARE : 1);
      const r = blindChain(cat.catalog, stars, {
        scale: feasibleScales.length ? { low: Math.min(...feasibleScales) * (1 - tol), high: Math.max(...feasibleScales) * (1 + tol) } : null,
        position: hints.position ? { ra: hints.position.ra, dec: hints.position.dec, radius: 180 } : null,
        budgetMs: blindBudgetMs(stars.count, share), hardDeadline: wallDeadline, signal, stats, minFovDeg: cat.catalog.deep ? richMinFov : 3,
      });
      attempts.push(...r.attempts);
      spent('blind', tb);
      if (r.solution) return done(r.solution.wcs, 'sidereal-blind', r.solution);
      if (!scales.length && r.exhausted) blindExhausted = noIndexMatch(stars.count, indexes);
    }
  } else if (stars && !cat && input.builtIn !== false) {
    attempts.push({ solver: 'sidereal', ms: 0, result: 'no star catalog installed' });
  }

  // solve-field's share of the limit survives built-in searches that took longer than their share
  // of the wall clock on a slow or loaded machine (within the wall-clock backstop)
  function sfTimeLeft(): number {
    if (timings.blind === null && timings.hinted === null) return timeLeft();
    return Math.max(timeLeft(), Math.min(wallDeadline - Date.now(), (1 - BLIND_SHARE) * limitMs));
  }
  // 4. astrometry.net, only when its index files have quads of this image's size (and not for
  // an image whose stars are too few: it would find no more than we did).
  if (useSolveField && !sfCovers) {
    attempts.push({ solver: 'astrometry.net', ms: 0, result: 'not run: no installed index file has quads of this field size' });
  } else if (useSolveField && sfTimeLeft() > 1500 && !signal?.aborted) {
    const useStars = stars !== null;
    const imagePath = !stars && input.imagePath && /\.(fits?|fts|jpe?g|png)$/i.test(input.imagePath) ? input.imagePath : undefined;
    if (useStars || imagePath) {
      const ts = Date.now();
      const plausible = sfScale ? sfTimeLeft() : blindBudgetMs(stars?.count ?? 80, sfTimeLeft());
      const r = await runSolveField({
        stars: useStars ? stars! : undefined,
        imagePath,
        imageTopDown: !fitsRows,
        width, height,
        scale: sfScale,
        position: hints.position && sfScale ? { ra: hints.position.ra, dec: hints.position.dec, radius: radiusFor(sfScale.high) } : null,
      }, { timeLimitMs: plausible, signal });
      attempts.push({ solver: 'astrometry.net', ms: Date.now() - ts, result: r.wcs ? 'solved' : r.reason ?? 'failed' });
      spent('solveField', ts);
      if (r.wcs) {
        // Refit on our catalog when it confirms the solution (solve-field's SIP tweak, fitted
        // on few index stars, can be off by pixels in the corners), and report matches/RMS.
        const tv = Date.now();
        const vcat = stars ? catalog() : null;
        const v = vcat && stars ? verifyWcs(vcat.catalog, stars, r.wcs, { sip: true }) : null;
        spent('verify', tv);
        if (vcat) details.catalog = vcat.catalog.name;
        if (v?.ok && v.refined) return done(v.refined, 'astrometry.net', { matched: v.matched, rmsArcsec: v.rmsArcsec, log10FalseAlarm: v.log10FalseAlarm });
        return done(r.wcs, 'astrometry.net', {});
      }
    }
  }
  if (signal?.aborted) return fail('aborted', 'aborted');
  const why = attempts.filter((a) => a.solver !== 'detect').map((a) => `${a.solver}: ${a.result}`).join('; ');
  if (!input.pixels && !existing.ok) return fail('no-pixels', `no pixels to solve${existing.reason ? ` (${existing.reason})` : ''}${why ? `; ${why}` : ''}`);
  if (stars && !cat && !useSolveField) return fail('no-catalog', why || 'no star catalog installed');
  const n = (deepNarrow ?? narrow) as UnsolvedReason | null;
  if (n && !feasibleScales.length && !deepPlans.length) return fail(n.code, `${n.message}${why ? `; ${why}` : ''}`);
  if (blindExhausted) return fail(blindExhausted.code, `${blindExhausted.message}; ${why}`);
  return fail('not-found', why ? `no match: ${why}` : 'no solver could run');
}

export function unsolved(reason: string, durationMs: number | null): SolveFacts {
  return {
    solved: false, reason, solver: null, ra: null, dec: null, fieldWidthDeg: null, fieldHeightDeg: null,
    pixelScaleArcsec: null, rotationDeg: null, parity: null, corners: null, wcs: null, matchedStars: null,
    rmsArcsec: null, durationMs,
  };
}

export function solvedFacts(wcs: Wcs, solver: string, matched: number | null, rmsArcsec: number | null, durationMs: number): SolveFacts {
  const s = describeWcs(wcs);
  const round = (v: number, d: number): number => Number(v.toFixed(d));
  return {
    solved: true,
    reason: null,
    solver,
    ra: round(s.ra, 7),
    dec: round(s.dec, 7),
    fieldWidthDeg: round(s.fieldWidthDeg, 6),
    fieldHeightDeg: round(s.fieldHeightDeg, 6),
    pixelScaleArcsec: round(pixelScaleArcsec(wcs), 5),
    rotationDeg: round(s.rotationDeg, 4),
    parity: s.parity,
    corners: s.corners.map(([a, d]) => [round(a, 6), round(d, 6)] as [number, number]),
    wcs: wcsToCards(wcs),
    matchedStars: matched,
    rmsArcsec: rmsArcsec === null ? null : round(rmsArcsec, 3),
    durationMs,
  };
}
