/**
 * Least-squares WCS refinement from matched stars (PLATESOLVE.md §3.3):
 * CD by linear least squares with CRVAL re-centred on the image centre,
 * 3σ clipping, and optional SIP distortion for wide or distorted fields.
 */
import {
  tanProject, tanDeproject, skyToPixel, fitPolynomial2, fitInverseSip, zeroCoefficients, pixelScaleArcsec,
  type Wcs, type Sip,
} from '../../lib/wcs/index.ts';
import type { StarCatalog } from '../../lib/stars/starCatalog.ts';
import { PointGrid } from './pointGrid.ts';
import type { ImageStars } from './types.ts';

export interface Match {
  img: number;
  ra: number;
  dec: number;
}

export interface RefineResult {
  wcs: Wcs;
  matches: Match[];
  rmsPixels: number;
  rmsArcsec: number;
  /** catalog stars predicted inside the image, or its searched region (for the false-alarm estimate) */
  catalogInImage: number;
}

/** Fits CD and CRVAL (CRPIX fixed at the image centre) to matches, with optional fixed SIP. */
export function fitLinearWcs(stars: ImageStars, matches: Match[], start: Wcs, sip: Sip | null): Wcs | null {
  const crpix: [number, number] = [(stars.width + 1) / 2, (stars.height + 1) / 2];
  let crval: [number, number] = [start.crval[0], start.crval[1]];
  let cd: Wcs['cd'] = start.cd;
  const n = matches.length;
  if (n < 3) return null;
  const xi = new Float64Array(n), eta = new Float64Array(n), u = new Float64Array(n), v = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let uu = stars.p1[matches[k].img] - crpix[0], vv = stars.p2[matches[k].img] - crpix[1];
    if (sip) {
      const du = evalSip(sip.a, sip.aOrder, uu, vv), dv = evalSip(sip.b, sip.bOrder, uu, vv);
      uu += du; vv += dv;
    }
    u[k] = uu; v[k] = vv;
  }
  const tmp: [number, number] = [0, 0];
  for (let iter = 0; iter < 3; iter++) {
    for (let k = 0; k < n; k++) {
      const p = tanProject(crval[0], crval[1], matches[k].ra, matches[k].dec, tmp);
      if (!p) return null;
      xi[k] = p[0]; eta[k] = p[1];
    }
    const sol = solve3(u, v, xi, eta, n);
    if (!sol) return null;
    cd = [sol.x[0], sol.x[1], sol.y[0], sol.y[1]];
    crval = tanDeproject(crval[0], crval[1], sol.x[2], sol.y[2]);
    if (Math.hypot(sol.x[2], sol.y[2]) < 1e-10) break;
  }
  return { crval, crpix, cd, sip, width: stars.width, height: stars.height };
}

function evalSip(c: number[][], order: number, u: number, v: number): number {
  let s = 0;
  for (let p = 0; p <= order; p++) for (let q = 0; q <= order - p; q++) if (c[p][q]) s += c[p][q] * u ** p * v ** q;
  return s;
}

/** Least squares of ξ = a·u + b·v + c and η = d·u + e·v + f with centred inputs. */
function solve3(u: Float64Array, v: Float64Array, xi: Float64Array, eta: Float64Array, n: number) {
  let mu = 0, mv = 0, mx = 0, my = 0;
  for (let k = 0; k < n; k++) { mu += u[k]; mv += v[k]; mx += xi[k]; my += eta[k]; }
  mu /= n; mv /= n; mx /= n; my /= n;
  let suu = 0, svv = 0, suv = 0, sux = 0, svx = 0, suy = 0, svy = 0;
  for (let k = 0; k < n; k++) {
    const du = u[k] - mu, dv = v[k] - mv, dx = xi[k] - mx, dy = eta[k] - my;
    suu += du * du; svv += dv * dv; suv += du * dv;
    sux += du * dx; svx += dv * dx; suy += du * dy; svy += dv * dy;
  }
  const det = suu * svv - suv * suv;
  if (!(Math.abs(det) > 0)) return null;
  const a = (sux * svv - svx * suv) / det, b = (svx * suu - sux * suv) / det;
  const d = (suy * svv - svy * suv) / det, e = (svy * suu - suy * suv) / det;
  return { x: [a, b, mx - a * mu - b * mv], y: [d, e, my - d * mu - e * mv] };
}

/**
 * Predicted pixel positions of the brightest catalog stars inside the image, or inside the
 * part of it where stars were detected (`region`).
 */
function catalogPixels(cat: StarCatalog, wcs: Wcs, maxStars: number, region?: ImageStars['region']) {
  const [a1, b1] = region ? region.p1 : [0.5, wcs.width + 0.5];
  const [a2, b2] = region ? region.p2 : [0.5, wcs.height + 0.5];
  const c1 = (a1 + b1) / 2 - wcs.crpix[0], c2 = (a2 + b2) / 2 - wcs.crpix[1];
  const [cra, cdec] = tanDeproject(wcs.crval[0], wcs.crval[1], wcs.cd[0] * c1 + wcs.cd[1] * c2, wcs.cd[2] * c1 + wcs.cd[3] * c2);
  const scaleDeg = pixelScaleArcsec(wcs) / 3600;
  const radius = (Math.hypot(b1 - a1, b2 - a2) / 2) * scaleDeg * 1.05;
  const set = cat.query(cra, cdec, radius, { maxStars: maxStars * 3 });
  const xs: number[] = [], ys: number[] = [], ra: number[] = [], dec: number[] = [];
  for (let i = 0; i < set.count && xs.length < maxStars; i++) {
    const p = skyToPixel(wcs, set.ra[i], set.dec[i]);
    if (!p || p[0] < a1 || p[1] < a2 || p[0] > b1 || p[1] > b2) continue;
    xs.push(p[0]); ys.push(p[1]); ra.push(set.ra[i]); dec.push(set.dec[i]);
  }
  return { xs, ys, ra, dec };
}

/** One-to-one nearest-neighbour matching of image stars to predicted catalog positions. */
function matchStars(stars: ImageStars, nImg: number, cp: ReturnType<typeof catalogPixels>, radius: number): Match[] {
  if (cp.xs.length === 0) return [];
  const grid = new PointGrid(cp.xs, cp.ys, Math.max(radius, 1));
  const owner = new Map<number, { img: number; d: number }>();
  for (let i = 0; i < nImg; i++) {
    const j = grid.nearest(stars.p1[i], stars.p2[i], radius);
    if (j < 0) continue;
    const d = Math.hypot(cp.xs[j] - stars.p1[i], cp.ys[j] - stars.p2[i]);
    const prev = owner.get(j);
    if (!prev || d < prev.d) owner.set(j, { img: i, d });
  }
  return [...owner.entries()].map(([j, m]) => ({ img: m.img, ra: cp.ra[j], dec: cp.dec[j] }));
}

function residualsPx(stars: ImageStars, wcs: Wcs, matches: Match[]): number[] {
  return matches.map((m) => {
    const p = skyToPixel(wcs, m.ra, m.dec);
    return p ? Math.hypot(p[0] - stars.p1[m.img], p[1] - stars.p2[m.img]) : Infinity;
  });
}

export interface RefineOptions {
  /** fit SIP distortion when the field is wider than this (degrees) or the linear fit is poor; default 3 */
  sipAboveDeg?: number;
  /** disable SIP entirely */
  noSip?: boolean;
  /** initial match radius in pixels */
  radius?: number;
}

/**
 * Iteratively matches all image stars against catalog stars predicted by
 * `start`, refits, clips outliers, and adds SIP where it helps.
 */
export function refineWcs(cat: StarCatalog, stars: ImageStars, start: Wcs, options: RefineOptions = {}): RefineResult | null {
  let wcs = { ...start, sip: null as Sip | null };
  const nImg = Math.min(stars.count, 400);
  const fwhm = stars.fwhm ?? 2.5;
  let radius = options.radius ?? Math.max(3, 1.5 * fwhm);
  let matches: Match[] = [];
  let cp = catalogPixels(cat, wcs, nImg * 2, stars.region);
  const fovDeg = (Math.max(stars.width, stars.height) * pixelScaleArcsec(wcs)) / 3600;
  let rms = Infinity;
  for (let iter = 0; iter < 5; iter++) {
    matches = matchStars(stars, nImg, cp, radius);
    if (matches.length < 6) return null;
    let fit = fitLinearWcs(stars, matches, wcs, wcs.sip);
    if (!fit) return null;
    // 3σ clipping around the robust RMS, then refit.
    const res = residualsPx(stars, fit, matches);
    const sorted = [...res].sort((a, b) => a - b);
    const robust = Math.max(0.05, 1.4826 * sorted[sorted.length >> 1] / 1.1774);
    const keep = matches.filter((_, k) => res[k] <= Math.max(3 * robust, 0.5));
    if (keep.length >= 6 && keep.length < matches.length) {
      fit = fitLinearWcs(stars, keep, fit, fit.sip) ?? fit;
      matches = keep;
    }
    wcs = fit;
    const wantSip = !options.noSip && matches.length >= 20 && (fovDeg > (options.sipAboveDeg ?? 3) || rms > 1);
    const rmsOf = (w: Wcs): number => {
      const r = residualsPx(stars, w, matches);
      return Math.sqrt(r.reduce((s, x) => s + x * x, 0) / r.length);
    };
    rms = rmsOf(wcs);
    if (wantSip) {
      // Keep the distortion only when it clearly helps: SIP on an undistorted field only adds noise.
      const withSip = fitSip(stars, matches, wcs, matches.length >= 60 && fovDeg > 8 ? 3 : 2);
      const rs = withSip ? rmsOf(withSip) : Infinity;
      if (withSip && rs < 0.8 * rms) { wcs = withSip; rms = rs; }
    }
    cp = catalogPixels(cat, wcs, nImg * 2, stars.region);
    const next = Math.max(1.5, Math.min(radius, 3 * rms + 0.5));
    if (iter >= 2 && Math.abs(next - radius) < 0.05) break;
    radius = next;
  }
  const scale = pixelScaleArcsec(wcs);
  return { wcs, matches, rmsPixels: rms, rmsArcsec: rms * scale, catalogInImage: cp.xs.length };
}

/** Fits SIP A/B of the given order (with CD/CRVAL refitted around it) and the inverse AP/BP. */
function fitSip(stars: ImageStars, matches: Match[], wcs: Wcs, order: number): Wcs | null {
  let cur: Wcs = { ...wcs, sip: null };
  let sip: Sip | null = null;
  for (let iter = 0; iter < 3; iter++) {
    const n = matches.length;
    const us = new Float64Array(n), vs = new Float64Array(n), du = new Float64Array(n), dv = new Float64Array(n);
    const det = cur.cd[0] * cur.cd[3] - cur.cd[1] * cur.cd[2];
    for (let k = 0; k < n; k++) {
      const m = matches[k];
      const p = tanProject(cur.crval[0], cur.crval[1], m.ra, m.dec);
      if (!p) return null;
      const up = (cur.cd[3] * p[0] - cur.cd[1] * p[1]) / det;
      const vp = (-cur.cd[2] * p[0] + cur.cd[0] * p[1]) / det;
      us[k] = stars.p1[m.img] - cur.crpix[0];
      vs[k] = stars.p2[m.img] - cur.crpix[1];
      du[k] = up - us[k];
      dv[k] = vp - vs[k];
    }
    const fit = fitPolynomial2(us, vs, [du, dv], order, 2);
    if (!fit) return null;
    sip = { aOrder: order, bOrder: order, a: fit[0], b: fit[1], apOrder: 0, bpOrder: 0, ap: zeroCoefficients(0), bp: zeroCoefficients(0) };
    const lin = fitLinearWcs(stars, matches, cur, sip);
    if (!lin) return null;
    cur = { ...lin, sip: null };
  }
  if (!sip) return null;
  return { ...cur, sip: fitInverseSip(sip, cur.crpix, stars.width, stars.height) };
}
