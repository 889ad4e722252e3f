/**
 * Turning a pattern match (3–4 image stars ↔ 3–4 catalog stars, from any
 * pattern source) into a verified solution: a similarity hypothesis of either
 * parity, a quick look at the catalog around the implied position, binomial
 * verification ({@link verify}) and the refined final check ({@link finalCheck}).
 * Shared by the blind searches; counts every distinct hypothesis so the
 * false-alarm correction stays honest.
 */
import { angularDistance, tanDeproject, tanProject } from '../../wcs/index.ts';
import type { StarCatalog } from '../catalog/starCatalog.ts';
import { catalogWindow, finalCheck, type SearchStats } from './hinted.ts';
import { verify, type ImageSide } from './matchWindow.ts';
import { buildQuads } from './quads.ts';
import { fitSimilarity, similarityScale } from './similarity.ts';
import type { ImageStars, PositionHint, Solution } from './types.ts';

/** Image stars taking part in verification (brightest first). */
const VERIFY_STARS = 60;

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
    this.side = { n, u, v, quads: buildQuads(u, v, 0) };
  }

  /**
   * Tries the correspondence image stars `img[k]` ↔ sky positions
   * (`ra[k]`, `dec[k]`), k < n (3 or 4). Returns a verified, refined solution or null.
   */
  check(img: ArrayLike<number>, ra: ArrayLike<number>, dec: ArrayLike<number>, n: number): Solution | null {
    const { stars, qu, qv, qx, qy } = this;
    const ra0 = ra[0], dec0 = dec[0];
    let sizePx = 0;
    for (let k = 0; k < n; k++) {
      qu[k] = stars.p1[img[k]] - this.cx; qv[k] = stars.p2[img[k]] - this.cy;
      const p = tanProject(ra0, dec0, ra[k], dec[k], this.tmp);
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
    const skyRa = ra, skyDec = dec;
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
    const nImg = this.side.n;
    const inWin = this.cat.query(cra, cdec, rWin, { maxStars: Math.ceil((nImg * areaWin) / areaImg) + 1 }).count;
    const nUse = Math.min(nImg, Math.max(8, Math.round((inWin * areaImg) / areaWin)));
    const win = catalogWindow(this.cat, cra, cdec, rWin, Math.round((nUse * areaWin) / areaImg), false);
    if (win.n < 5) { this.cheapRejects++; return null; }
    for (let k = 0; k < n; k++) {
      const p = tanProject(cra, cdec, skyRa[k], skyDec[k], this.tmp);
      if (!p) return null;
      qx[k] = p[0]; qy[k] = p[1];
    }
    const inWinFit = fitSimilarity(qu, qv, qx, qy, fit.t.mirrored, n);
    if (!inWinFit) return null;
    const diag = Math.hypot(stars.width, stars.height);
    const h = verify(stars, { ...this.side, n: nUse }, win, inWinFit.t, Math.min(25, Math.max(3, 0.012 * diag)),
      Math.max(2, 1.5 * (stars.fwhm ?? 2.5)), stars.width * stars.height, this.stats.hypotheses, -9);
    if (!h) return null;
    const sol = finalCheck(this.cat, stars, h, { position: this.position ?? undefined, scale: { low: this.sLow, high: this.sHigh } }, this.stats.hypotheses);
    if (!sol) this.stats.rejectedAfterRefine++;
    return sol;
  }
}
