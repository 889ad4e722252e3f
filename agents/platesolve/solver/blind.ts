/**
 * Built-in blind solver for wide fields (short side ≳ 3°): for each field-size
 * band (the hinted scale, or a ladder from the middle outwards) the image's
 * brightest stars are thinned the same way as the catalog's pattern stars,
 * their quads are looked up in the all-sky {@link patternIndex}, and every
 * candidate becomes a similarity hypothesis verified in a catalog window at
 * the implied position, then refined and re-verified ({@link finalCheck}).
 */
import { tanDeproject, tanProject, angularDistance } from '../../lib/wcs/index.ts';
import type { StarCatalog } from '../../lib/stars/starCatalog.ts';
import { catalogWindow, finalCheck, newStats, type SearchStats } from './hinted.ts';
import { verify } from './matchWindow.ts';
import { hasPatternIndex, patternIndex, patternStarsNear, SEPARATION, type PatternIndex } from './patternIndex.ts';
import { invertSimilarity } from './similarity.ts';
import { PointGrid } from './pointGrid.ts';
import { buildAllQuads, lowerBoundRatio, RATIO_BIN, type QuadSet } from './quads.ts';
import { fitSimilarity, similarityScale } from './similarity.ts';
import { outOfTime, type ImageStars, type PositionHint, type ScaleHint, type Solution, type SolverBudget } from './types.ts';

export interface BlindOptions {
  /** pixel scale range when known (arcsec/px) */
  scale: ScaleHint | null;
  /** only accept solutions within this cap (a weak position hint) */
  position: PositionHint | null;
  budget: SolverBudget;
  /** narrowest short-side field to try, degrees (the pattern index grows as 1/fov²) */
  minFovDeg: number;
  /** widest short-side field, degrees; default 70 */
  maxFovDeg?: number;
  stats?: SearchStats;
}

export interface BlindResult {
  solution: Solution | null;
  reason: string;
  bands: number[];
  /** ms spent building pattern-index bands (a one-time cost per thread, not part of the search budget) */
  setupMs?: number;
}

const BAND_STEP = 1.35;
/** Brightest (thinned) image stars whose 4-combinations are looked up. */
const IMAGE_PATTERN_STARS = 10;

/** Short-side field sizes to try, nearest the hint first (or from ~10° outwards). */
export function fovBands(stars: ImageStars, opts: BlindOptions): number[] {
  const short = Math.min(stars.width, stars.height);
  const maxF = opts.maxFovDeg ?? 70;
  const all: number[] = [];
  for (let f = 3; f <= maxF * 1.01; f *= BAND_STEP) if (f >= opts.minFovDeg / 1.17) all.push(Number(f.toFixed(4)));
  if (opts.scale) {
    const lo = (short * opts.scale.low) / 3600, hi = (short * opts.scale.high) / 3600;
    return all.filter((f) => f * 1.17 >= lo && f / 1.17 <= hi).sort((a, b) => Math.abs(Math.log(a / Math.sqrt(lo * hi))) - Math.abs(Math.log(b / Math.sqrt(lo * hi))));
  }
  return all.sort((a, b) => Math.abs(Math.log(a / 10)) - Math.abs(Math.log(b / 10)));
}

/** Image stars thinned like the catalog's pattern stars: brightest first, minimum separation. */
function thinImageStars(stars: ImageStars, sepPx: number, max: number): number[] {
  const keep: number[] = [];
  for (let i = 0; i < stars.count && keep.length < max; i++) {
    let free = true;
    for (const j of keep) {
      if (Math.hypot(stars.p1[i] - stars.p1[j], stars.p2[i] - stars.p2[j]) < sepPx) { free = false; break; }
    }
    if (free) keep.push(i);
  }
  return keep;
}

export function solveBlind(cat: StarCatalog, stars: ImageStars, opts: BlindOptions): BlindResult {
  const stats = opts.stats ?? newStats();
  const bands = fovBands(stars, opts);
  if (bands.length === 0) return { solution: null, reason: `field narrower than ${opts.minFovDeg}° for blind search`, bands };
  const short = Math.min(stars.width, stars.height);
  const cx = (stars.width + 1) / 2, cy = (stars.height + 1) / 2;
  // Building a band is a one-time cost per thread: it extends this call's deadline.
  const budget = { ...opts.budget };
  opts = { ...opts, budget };
  let setupMs = 0;
  for (const f of bands) {
    if (outOfTime(budget)) return { solution: null, reason: 'time limit reached', bands, setupMs };
    const clock = budget.clock ?? Date.now;
    const tb = clock();
    const built = hasPatternIndex(cat, f);
    const idx = patternIndex(cat, f);
    if (!built) { const ms = clock() - tb; setupMs += ms; budget.deadline += ms; }
    const sepPx = SEPARATION * short; // the catalog separation, relative to the short side
    const sel = thinImageStars(stars, sepPx, IMAGE_PATTERN_STARS);
    if (sel.length < 5) continue;
    const u = sel.map((i) => stars.p1[i] - cx), v = sel.map((i) => stars.p2[i] - cy);
    const quads = buildAllQuads(u, v, sel.length, short);
    const sol = matchBand(cat, stars, idx, quads, u, v, f, opts, stats);
    if (sol) return { solution: sol, reason: 'solved', bands, setupMs };
  }
  return {
    solution: null,
    reason: outOfTime(budget) ? 'time limit reached' : `no match in ${bands.length} field-size bands (${stats.hypotheses} hypotheses)`,
    bands,
    setupMs,
  };
}

function matchBand(
  cat: StarCatalog, stars: ImageStars, idx: PatternIndex, iq: QuadSet, u: number[], v: number[],
  f: number, opts: BlindOptions, stats: SearchStats,
): Solution | null {
  const short = Math.min(stars.width, stars.height);
  // scale range of this band (and of the hint, when given)
  let sLow = (f / 1.17 / short) * 3600, sHigh = (f * 1.17 / short) * 3600;
  if (opts.scale) { sLow = Math.max(sLow, opts.scale.low); sHigh = Math.min(sHigh, opts.scale.high); }
  if (sLow > sHigh) return null;
  const cq = idx.quads;
  const tol = 0.012;
  const tried = new Set<string>();
  const qu = new Float64Array(4), qv = new Float64Array(4), qx = new Float64Array(4), qy = new Float64Array(4);
  const fovW = (stars.width * Math.sqrt(sLow * sHigh)) / 3600, fovH = (stars.height * Math.sqrt(sLow * sHigh)) / 3600;
  const rWin = (Math.hypot(fovW, fovH) / 2) * 1.05;
  const areaImg = fovW * fovH, areaWin = Math.PI * rWin * rWin;
  const nImg = Math.min(stars.count, 60);
  const side = { n: nImg, u: new Float64Array(nImg), v: new Float64Array(nImg), quads: iq };
  for (let i = 0; i < nImg; i++) { side.u[i] = stars.p1[i] - (stars.width + 1) / 2; side.v[i] = stars.p2[i] - (stars.height + 1) / 2; }
  // Quick pre-check grid: the image's 30 brightest stars.
  const nPre = Math.min(stars.count, 30);
  const pre = new PointGrid(side.u.subarray(0, nPre), side.v.subarray(0, nPre), 16);
  const rPre = Math.min(25, Math.max(3, 0.012 * Math.hypot(stars.width, stars.height)));
  let checks = 0;
  for (let i = 0; i < iq.count; i++) {
    const r0 = iq.ratios[i * 5];
    for (let j = lowerBoundRatio(cq, r0 - tol - RATIO_BIN); j < cq.count && cq.ratios[j * 5] <= r0 + tol + RATIO_BIN; j++) {
      let ok = true;
      for (let k = 0; k < 5; k++) if (Math.abs(cq.ratios[j * 5 + k] - iq.ratios[i * 5 + k]) > tol) { ok = false; break; }
      if (!ok) continue;
      const scale = (cq.size[j] * 3600) / iq.size[i];
      if (scale < sLow || scale > sHigh) continue;
      if ((++checks & 31) === 0 && outOfTime(opts.budget)) return null;
      // The 4 catalog stars in their own tangent plane → similarity → where the image centre is.
      const ids = [0, 1, 2, 3].map((k) => cq.stars[j * 4 + k]);
      const ra0 = idx.ra[ids[0]], dec0 = idx.dec[ids[0]];
      for (let k = 0; k < 4; k++) {
        const a = iq.stars[i * 4 + k];
        qu[k] = u[a]; qv[k] = v[a];
        const p = tanProject(ra0, dec0, idx.ra[ids[k]], idx.dec[ids[k]])!;
        qx[k] = p[0]; qy[k] = p[1];
      }
      for (const mirrored of [false, true]) {
        const fit = fitSimilarity(qu, qv, qx, qy, mirrored, 4);
        if (!fit) continue;
        const s = similarityScale(fit.t);
        if (fit.rms / s > Math.max(1.5, 0.02 * iq.size[i])) continue;
        const [ra, dec] = tanDeproject(ra0, dec0, fit.t.c, fit.t.d);
        if (opts.position && angularDistance(ra, dec, opts.position.ra, opts.position.dec) > opts.position.radius) continue;
        const rot = Math.atan2(fit.t.b, fit.t.a);
        const key = `${Math.round(ra * Math.cos((dec * Math.PI) / 180) / (f / 20))},${Math.round(dec / (f / 20))},${Math.round(rot * 20)},${mirrored}`;
        if (tried.has(key)) continue;
        tried.add(key);
        stats.hypotheses++;
        // Cheap test first: do other pattern stars of the band land on bright image stars?
        // (Sparse views — few pattern stars expected — go straight to the full verification.)
        let hits = 0, expected = 0;
        for (const k of patternStarsNear(idx, ra, dec, rWin)) {
          const p = tanProject(ra0, dec0, idx.ra[k], idx.dec[k]);
          if (!p) continue;
          const [pu, pv] = invertSimilarity(fit.t, p[0], p[1]);
          if (Math.abs(pu) > stars.width / 2 || Math.abs(pv) > stars.height / 2) continue;
          expected++;
          if (pre.nearest(pu, pv, rPre) >= 0) hits++;
        }
        if (expected >= 8 && hits < 5) continue;
        // Verify in a density-matched catalog window at the implied position.
        const inWin = cat.query(ra, dec, rWin, { maxStars: Math.ceil((nImg * areaWin) / areaImg) + 1 }).count;
        const n = Math.min(nImg, Math.max(8, Math.round((inWin * areaImg) / areaWin)));
        const win = catalogWindow(cat, ra, dec, rWin, Math.round((n * areaWin) / areaImg), false);
        const wx = new Float64Array(4), wy = new Float64Array(4);
        for (let k = 0; k < 4; k++) {
          const p = tanProject(ra, dec, idx.ra[ids[k]], idx.dec[ids[k]])!;
          wx[k] = p[0]; wy[k] = p[1];
        }
        const inWinFit = fitSimilarity(qu, qv, wx, wy, mirrored, 4);
        if (!inWinFit) continue;
        const img = { ...side, n };
        const h = verify(stars, img, win, inWinFit.t, Math.min(25, Math.max(3, 0.012 * Math.hypot(stars.width, stars.height))),
          Math.max(2, 1.5 * (stars.fwhm ?? 2.5)), stars.width * stars.height, stats.hypotheses, -9);
        if (!h) continue;
        const sol = finalCheck(cat, stars, h, { position: opts.position ?? undefined, scale: { low: sLow, high: sHigh } }, stats.hypotheses);
        if (sol) return sol;
        stats.rejectedAfterRefine++;
      }
    }
  }
  return null;
}

