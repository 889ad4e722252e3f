/**
 * Pattern matching of image stars against one catalog window: quad
 * descriptors, similarity hypotheses (both parities) and verification by the
 * binomial false-alarm probability. Shared by the hinted and blind searches.
 */
import { tanDeproject, type Wcs } from '../../lib/wcs/index.ts';
import { log10BinomialTail } from './falseAlarm.ts';
import { fitLinearWcs } from './refine.ts';
import { PointGrid } from './pointGrid.ts';
import { lowerBoundRatio, RATIO_BIN, type QuadSet } from './quads.ts';
import { applySimilarity, fitSimilarity, invertSimilarity, similarityScale, type Similarity } from './similarity.ts';
import { outOfTime, type ImageStars, type SolverBudget } from './types.ts';

/** Image side: offsets (u, v) of the brightest stars from the image centre, and their quads. */
export interface ImageSide {
  n: number;
  u: Float64Array;
  v: Float64Array;
  quads: QuadSet;
}

/** Catalog side: standard coordinates (degrees) at the window centre. */
export interface CatalogWindow {
  ra0: number;
  dec0: number;
  n: number;
  xi: Float64Array;
  eta: Float64Array;
  ra: Float64Array;
  dec: Float64Array;
  quads: QuadSet;
  grid: PointGrid;
}

export interface MatchOptions {
  /** allowed pixel scale range, arcsec/px */
  scaleLow: number;
  scaleHigh: number;
  /** ratio tolerance; default 0.012 */
  ratioTolerance?: number;
  /** counts hypotheses across calls (for the false-alarm correction) */
  counter: { hypotheses: number };
  /** stop when this budget is spent (its clock may count `counter`'s hypotheses: {@link workClock}) */
  budget: SolverBudget;
  /** accept when log10(false alarm × hypotheses) is below this; default −9 */
  log10Threshold?: number;
  /** hypotheses already rejected (their WCS centre/scale) are skipped */
}

export interface Hypothesis {
  wcs: Wcs;
  matched: number;
  log10FalseAlarm: number;
}

export function imageSide(stars: ImageStars, n: number, quads: QuadSet): ImageSide {
  const cx = (stars.width + 1) / 2, cy = (stars.height + 1) / 2;
  const u = new Float64Array(n), v = new Float64Array(n);
  for (let i = 0; i < n; i++) { u[i] = stars.p1[i] - cx; v[i] = stars.p2[i] - cy; }
  return { n, u, v, quads };
}

/**
 * Tries every image quad against the window's quads; returns the first
 * verified hypothesis (as a TAN WCS at the image centre) or null.
 */
export function matchWindow(
  stars: ImageStars, img: ImageSide, win: CatalogWindow, opts: MatchOptions,
  onCandidate?: (h: Hypothesis) => boolean,
): Hypothesis | null {
  const tol = opts.ratioTolerance ?? 0.012;
  const iq = img.quads, cq = win.quads;
  const area = stars.width * stars.height;
  const fwhm = stars.fwhm ?? 2.5;
  const diag = Math.hypot(stars.width, stars.height);
  const r1 = Math.min(25, Math.max(3, 0.012 * diag));
  const r2 = Math.max(2, 1.5 * fwhm);
  const thr = opts.log10Threshold ?? -9;
  const qu = new Float64Array(4), qv = new Float64Array(4), qx = new Float64Array(4), qy = new Float64Array(4);
  const tried = new Set<string>();
  let checks = 0;
  for (let i = 0; i < iq.count; i++) {
    const r0 = iq.ratios[i * 5];
    const sizePx = iq.size[i];
    for (let j = lowerBoundRatio(cq, r0 - tol - RATIO_BIN); j < cq.count && cq.ratios[j * 5] <= r0 + tol + RATIO_BIN; j++) {
      let ok = true;
      for (let k = 0; k < 5; k++) if (Math.abs(cq.ratios[j * 5 + k] - iq.ratios[i * 5 + k]) > tol) { ok = false; break; }
      if (!ok) continue;
      const scale = (cq.size[j] * 3600) / sizePx;
      if (scale < opts.scaleLow || scale > opts.scaleHigh) continue;
      if ((++checks & 63) === 0 && outOfTime(opts.budget)) return null;
      for (let k = 0; k < 4; k++) {
        const a = iq.stars[i * 4 + k], b = cq.stars[j * 4 + k];
        qu[k] = img.u[a]; qv[k] = img.v[a]; qx[k] = win.xi[b]; qy[k] = win.eta[b];
      }
      const fn = fitSimilarity(qu, qv, qx, qy, false, 4);
      const fm = fitSimilarity(qu, qv, qx, qy, true, 4);
      const best = !fn ? fm : !fm ? fn : fn.rms <= fm.rms ? fn : fm;
      if (!best) continue;
      const s = similarityScale(best.t);
      // Residual of the 4-star fit in pixels must be at the level of centroid errors.
      if (best.rms / s > Math.max(1.5, 0.02 * sizePx)) continue;
      const key = `${Math.round(best.t.c / (s * 20))},${Math.round(best.t.d / (s * 20))},${Math.round(Math.atan2(best.t.b, best.t.a) * 50)},${best.t.mirrored}`;
      if (tried.has(key)) continue;
      tried.add(key);
      opts.counter.hypotheses++;
      const h = verify(stars, img, win, best.t, r1, r2, area, opts.counter.hypotheses, thr);
      if (h && (!onCandidate || onCandidate(h))) return h;
    }
  }
  return null;
}

function countMatches(img: ImageSide, win: CatalogWindow, t: Similarity, rDeg: number, pairs?: { i: number; j: number }[]): number {
  let k = 0;
  const used = new Set<number>();
  for (let i = 0; i < img.n; i++) {
    const [x, y] = applySimilarity(t, img.u[i], img.v[i]);
    const j = win.grid.nearest(x, y, rDeg);
    if (j >= 0 && !used.has(j)) {
      used.add(j);
      k++;
      pairs?.push({ i, j });
    }
  }
  return k;
}

/** Catalog stars of the window that this hypothesis puts inside the image. */
function countInside(stars: ImageStars, win: CatalogWindow, t: Similarity): number {
  const hw = stars.width / 2, hh = stars.height / 2;
  let n = 0;
  for (let j = 0; j < win.n; j++) {
    const [u, v] = invertSimilarity(t, win.xi[j], win.eta[j]);
    if (Math.abs(u) <= hw && Math.abs(v) <= hh) n++;
  }
  return n;
}

/** Verifies one similarity hypothesis (in the window's tangent plane) against the window's stars. */
export function verify(
  stars: ImageStars, img: ImageSide, win: CatalogWindow, t0: Similarity, r1: number, r2: number, area: number,
  hypotheses: number, thr: number,
): Hypothesis | null {
  const s0 = similarityScale(t0);
  const pairs: { i: number; j: number }[] = [];
  const k1 = countMatches(img, win, t0, r1 * s0, pairs);
  if (k1 < 5) return null;
  // Refit on the loose matches, then count again with the tight radius.
  const n = pairs.length;
  const u = new Float64Array(n), v = new Float64Array(n), x = new Float64Array(n), y = new Float64Array(n);
  pairs.forEach((p, k) => { u[k] = img.u[p.i]; v[k] = img.v[p.i]; x[k] = win.xi[p.j]; y[k] = win.eta[p.j]; });
  const refit = fitSimilarity(u, v, x, y, t0.mirrored, n);
  let t = refit ? refit.t : t0;
  const s = similarityScale(t);
  let tight: { i: number; j: number }[] = [];
  const k2 = countMatches(img, win, t, r2 * s, tight);
  const inside = countInside(stars, win, t);
  const minK = img.n < 20 ? 6 : 8;
  // Two counts, so the false-alarm bound is doubled: within the tight radius, and — when the
  // stars it matched fit the hypothesis far better than that radius (soft stars make it wide) —
  // within what their own residuals allow (the rule finalCheck applies to every solution). A small
  // picture of soft stars has few stars and a wide radius: only the second can make it significant.
  const tailOf = (k: number, r: number): number =>
    log10BinomialTail(k, img.n, Math.min(1, (Math.max(inside, 1) * Math.PI * r * r) / area)) + Math.log10(2 * Math.max(1, hypotheses));
  let k = k2, log10P = tailOf(k2, r2);
  if (log10P > thr && k2 >= minK) {
    const m = tight.length;
    const u2 = new Float64Array(m), v2 = new Float64Array(m), x2 = new Float64Array(m), y2 = new Float64Array(m);
    tight.forEach((q, i) => { u2[i] = img.u[q.i]; v2[i] = img.v[q.i]; x2[i] = win.xi[q.j]; y2[i] = win.eta[q.j]; });
    const fit = fitSimilarity(u2, v2, x2, y2, t.mirrored, m);
    if (fit) {
      const r3 = Math.max(1.5, 3 * (fit.rms / similarityScale(fit.t)) + 0.5);
      if (r3 < r2) {
        const closer: { i: number; j: number }[] = [];
        const k3 = countMatches(img, win, fit.t, r3 * similarityScale(fit.t), closer);
        const l3 = tailOf(k3, r3);
        if (l3 < log10P) { k = k3; log10P = l3; tight = closer; t = fit.t; }
      }
    }
  }
  if (k < minK || log10P > thr) return null;
  const crval = tanDeproject(win.ra0, win.dec0, t.c, t.d);
  const cd: Wcs['cd'] = t.mirrored ? [t.a, t.b, t.b, -t.a] : [t.a, -t.b, t.b, t.a];
  const rough: Wcs = { crval, crpix: [(stars.width + 1) / 2, (stars.height + 1) / 2], cd, sip: null, width: stars.width, height: stars.height };
  // The similarity lives in the window's tangent plane; refit in the image centre's own
  // plane (north turns by Δα·sin δ between the two) from the matched stars.
  const matches = tight.map((p) => ({ img: p.i, ra: win.ra[p.j], dec: win.dec[p.j] }));
  const wcs = fitLinearWcs(stars, matches, rough, null) ?? rough;
  return { wcs, matched: k, log10FalseAlarm: log10P };
}
