/**
 * Turning a pattern match (3–4 image stars ↔ 3–4 catalog stars, from any
 * pattern source) into a verified solution: a similarity hypothesis of either
 * parity, a quick look at the catalog around the implied position, binomial
 * verification ({@link verify}) and the refined final check ({@link finalCheck}).
 * Shared by the blind searches; counts every distinct hypothesis so the
 * false-alarm correction stays honest.
 */
import { angularDistance, tanDeproject, tanProject } from '../../lib/wcs/index.ts';
import type { StarCatalog } from '../../lib/stars/starCatalog.ts';
import { catalogWindow, finalCheck, type SearchStats } from './hinted.ts';
import { verify, type ImageSide } from './matchWindow.ts';
import { PointGrid } from './pointGrid.ts';
import { NO_QUADS } from './quads.ts';
import { fitSimilarity, invertSimilarity, similarityScale } from './similarity.ts';
import type { Similarity } from './similarity.ts';
import type { ImageStars, PositionHint, Solution } from './types.ts';

/** Image stars taking part in verification (brightest first). */
const VERIFY_STARS = 60;
/** Brightest image stars for the quick pre-check. */
const PRE_STARS = 30;

export class CandidateChecker {
  readonly side: ImageSide;
  private readonly tried = new Set<string>();
  private readonly cx: number;
  private readonly cy: number;
  private readonly qu = new Float64Array(4);
  private readonly qv = new Float64Array(4);
  private readonly qx = new Float64Array(4);
  private readonly qy = new Float64Array(4);
  private readonly tmp: [number, number] = [0, 0];
  /** hypotheses given up on before the full verification (cheap rejections) */
  cheapRejects = 0;
  private readonly pre: PointGrid;
  private readonly rPre: number;

  constructor(
    private readonly cat: StarCatalog,
    private readonly stars: ImageStars,
    /** pixel scale range accepted, arcsec/px */
    private readonly sLow: number,
    private readonly sHigh: number,
    private readonly position: PositionHint | null,
    private readonly stats: SearchStats,
  ) {
    const n = Math.min(stars.count, VERIFY_STARS);
    this.cx = (stars.width + 1) / 2;
    this.cy = (stars.height + 1) / 2;
    const u = new Float64Array(n), v = new Float64Array(n);
    for (let i = 0; i < n; i++) { u[i] = stars.p1[i] - this.cx; v[i] = stars.p2[i] - this.cy; }
    this.side = { n, u, v, quads: NO_QUADS };
    const nPre = Math.min(n, PRE_STARS);
    this.rPre = Math.min(25, Math.max(3, 0.012 * Math.hypot(stars.width, stars.height)));
    this.pre = new PointGrid(u.subarray(0, nPre), v.subarray(0, nPre), Math.max(8, this.rPre));
  }

  /**
   * Quick test: of the catalog's brightest stars that the hypothesis puts in
   * the image (about as many as the pre-check uses image stars), do at least
   * a few land on bright image stars? Random hypotheses rarely get 5.
   */
  private precheck(t: Similarity, cra: number, cdec: number, rWin: number, areaRatio: number): boolean {
    const want = Math.ceil(PRE_STARS * 1.5 * areaRatio) + 4;
    const set = this.cat.query(cra, cdec, rWin, { maxStars: want });
    const hw = this.stars.width / 2, hh = this.stars.height / 2;
    let inside = 0, hits = 0;
    for (let i = 0; i < set.count && inside < PRE_STARS * 1.5; i++) {
      const p = tanProject(cra, cdec, set.ra[i], set.dec[i], this.tmp);
      if (!p) continue;
      const [u, v] = invertSimilarity(t, p[0], p[1]);
      if (Math.abs(u) > hw || Math.abs(v) > hh) continue;
      inside++;
      if (this.pre.nearest(u, v, this.rPre) >= 0) hits++;
    }
    // Verification needs at least 5–8 matches: fewer catalog stars on the bright ones is hopeless.
    return hits >= 5;
  }

  /**
   * Tries the correspondence image stars `img[k]` ↔ sky positions
   * (`skyRa[k]`, `skyDec[k]`), k < n (3 or 4). Returns a verified, refined solution or null.
   */
  check(img: ArrayLike<number>, skyRa: ArrayLike<number>, skyDec: ArrayLike<number>, n: number): Solution | null {
    const { stars, qu, qv, qx, qy } = this;
    const ra0 = skyRa[0], dec0 = skyDec[0];
    let sizePx = 0;
    for (let k = 0; k < n; k++) {
      qu[k] = stars.p1[img[k]] - this.cx; qv[k] = stars.p2[img[k]] - this.cy;
      const p = tanProject(ra0, dec0, skyRa[k], skyDec[k], this.tmp);
      if (!p) return null;
      qx[k] = p[0]; qy[k] = p[1];
      for (let j = 0; j < k; j++) sizePx = Math.max(sizePx, Math.hypot(qu[k] - qu[j], qv[k] - qv[j]));
    }
    const fn = fitSimilarity(qu, qv, qx, qy, false, n);
    const fm = fitSimilarity(qu, qv, qx, qy, true, n);
    const fit = !fn ? fm : !fm ? fn : fn.rms <= fm.rms ? fn : fm;
    if (!fit) return null;
    const s = similarityScale(fit.t);
    const scale = s * 3600;
    if (scale < this.sLow || scale > this.sHigh) return null;
    // The pattern itself must fit at the level of centroid errors.
    if (fit.rms / s > Math.max(1.5, 0.01 * sizePx)) return null;
    const [cra, cdec] = tanDeproject(ra0, dec0, fit.t.c, fit.t.d);
    if (this.position && angularDistance(cra, cdec, this.position.ra, this.position.dec) > this.position.radius) return null;
    const fovW = (stars.width * scale) / 3600, fovH = (stars.height * scale) / 3600;
    const g = Math.max(fovW, fovH) / 40;
    const rot = Math.atan2(fit.t.b, fit.t.a);
    const key = `${Math.round((cra * Math.cos((cdec * Math.PI) / 180)) / g)},${Math.round(cdec / g)},${Math.round(rot * 40)},${Math.round(Math.log(scale) * 60)},${fit.t.mirrored}`;
    if (this.tried.has(key)) return null;
    this.tried.add(key);
    this.stats.hypotheses++;
    // Verify in a density-matched catalog window at the implied position.
    const rWin = (Math.hypot(fovW, fovH) / 2) * 1.05;
    const areaImg = fovW * fovH, areaWin = Math.PI * rWin * rWin;
    for (let k = 0; k < n; k++) {
      const p = tanProject(cra, cdec, skyRa[k], skyDec[k], this.tmp);
      if (!p) return null;
      qx[k] = p[0]; qy[k] = p[1];
    }
    const inWinFit = fitSimilarity(qu, qv, qx, qy, fit.t.mirrored, n);
    if (!inWinFit) return null;
    if (!this.precheck(inWinFit.t, cra, cdec, rWin, areaWin / areaImg)) { this.cheapRejects++; return null; }
    const nImg = this.side.n;
    const inWin = this.cat.query(cra, cdec, rWin, { maxStars: Math.ceil((nImg * areaWin) / areaImg) + 1 }).count;
    const nUse = Math.min(nImg, Math.max(8, Math.round((inWin * areaImg) / areaWin)));
    const win = catalogWindow(this.cat, cra, cdec, rWin, Math.round((nUse * areaWin) / areaImg), false);
    if (win.n < 5) return null;
    const diag = Math.hypot(stars.width, stars.height);
    const h = verify(stars, { ...this.side, n: nUse }, win, inWinFit.t, Math.min(25, Math.max(3, 0.012 * diag)),
      Math.max(2, 1.5 * (stars.fwhm ?? 2.5)), stars.width * stars.height, this.stats.hypotheses, -9);
    if (!h) return null;
    const sol = finalCheck(this.cat, stars, h, { position: this.position ?? undefined, scale: { low: this.sLow, high: this.sHigh } }, this.stats.hypotheses);
    if (!sol) this.stats.rejectedAfterRefine++;
    return sol;
  }
}
