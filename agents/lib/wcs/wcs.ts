/**
 * A celestial WCS: TAN projection with an optional SIP distortion, in FITS
 * pixel coordinates (1-based, pixel centres on integers, p₂ along the stored
 * rows unless the caller defines otherwise). Pure functions; no I/O.
 */
import { tanDeproject, tanProject, normalizeRa } from './tan.ts';
import { sipForward, sipInverse, type Sip } from './sip.ts';

export interface Wcs {
  /** reference sky position [ra, dec] in degrees (CRVAL1/2) */
  crval: [number, number];
  /** reference pixel (CRPIX1/2), FITS 1-based */
  crpix: [number, number];
  /** linear part [CD1_1, CD1_2, CD2_1, CD2_2] in degrees per pixel */
  cd: [number, number, number, number];
  sip: Sip | null;
  /** image size in pixels (IMAGEW/IMAGEH or NAXIS1/2) */
  width: number;
  height: number;
}

export interface WcsSummary {
  /** sky position of the image centre, degrees */
  ra: number;
  dec: number;
  fieldWidthDeg: number;
  fieldHeightDeg: number;
  pixelScaleArcsec: number;
  /** position angle of the image +p₂ ("up") axis, degrees east of north, in [0, 360) */
  rotationDeg: number;
  /** normal ⇔ det CD < 0 (north up puts east left when p₂ points up) */
  parity: 'normal' | 'flipped';
  /** sky positions of the pixel corners (0.5,0.5), (W+0.5,0.5), (W+0.5,H+0.5), (0.5,H+0.5) */
  corners: [number, number][];
}

export function cdDeterminant(cd: Wcs['cd']): number {
  return cd[0] * cd[3] - cd[1] * cd[2];
}

/** Pixel scale in arcseconds per pixel (geometric mean of both axes). */
export function pixelScaleArcsec(wcs: Pick<Wcs, 'cd'>): number {
  return Math.sqrt(Math.abs(cdDeterminant(wcs.cd))) * 3600;
}

/** FITS pixel → intermediate world coordinates (ξ, η) in degrees. */
export function pixelToIntermediate(wcs: Wcs, p1: number, p2: number): [number, number] {
  let u = p1 - wcs.crpix[0];
  let v = p2 - wcs.crpix[1];
  if (wcs.sip) [u, v] = sipForward(wcs.sip, u, v);
  const c = wcs.cd;
  return [c[0] * u + c[1] * v, c[2] * u + c[3] * v];
}

/** Intermediate world coordinates (degrees) → FITS pixel. */
export function intermediateToPixel(wcs: Wcs, xi: number, eta: number): [number, number] {
  const c = wcs.cd;
  const det = cdDeterminant(c);
  let u = (c[3] * xi - c[1] * eta) / det;
  let v = (-c[2] * xi + c[0] * eta) / det;
  if (wcs.sip) {
    const up = u, vp = v;
    [u, v] = sipInverse(wcs.sip, up, vp);
    // Two Newton-free fixed-point steps on the forward model remove the small
    // error of the fitted inverse polynomial.
    for (let k = 0; k < 2; k++) {
      const [fu, fv] = sipForward(wcs.sip, u, v);
      u += up - fu;
      v += vp - fv;
    }
  }
  return [u + wcs.crpix[0], v + wcs.crpix[1]];
}

/** FITS pixel → [ra, dec] in degrees. */
export function pixelToSky(wcs: Wcs, p1: number, p2: number): [number, number] {
  const [xi, eta] = pixelToIntermediate(wcs, p1, p2);
  return tanDeproject(wcs.crval[0], wcs.crval[1], xi, eta);
}

/** [ra, dec] in degrees → FITS pixel, or null for points on the far hemisphere. */
export function skyToPixel(wcs: Wcs, ra: number, dec: number): [number, number] | null {
  const s = tanProject(wcs.crval[0], wcs.crval[1], ra, dec);
  if (!s) return null;
  return intermediateToPixel(wcs, s[0], s[1]);
}

/** Centre, field size, scale, rotation, parity and corners, as defined in PLATESOLVE.md §3.3. */
export function describeWcs(wcs: Wcs): WcsSummary {
  const { width: w, height: h } = wcs;
  const [ra, dec] = pixelToSky(wcs, (w + 1) / 2, (h + 1) / 2);
  const s = pixelScaleArcsec(wcs);
  const det = cdDeterminant(wcs.cd);
  let rot = (Math.atan2(wcs.cd[1], wcs.cd[3]) * 180) / Math.PI;
  rot = normalizeRa(rot);
  if (rot >= 360 - 1e-9) rot = 0;
  const corners: [number, number][] = [
    pixelToSky(wcs, 0.5, 0.5),
    pixelToSky(wcs, w + 0.5, 0.5),
    pixelToSky(wcs, w + 0.5, h + 0.5),
    pixelToSky(wcs, 0.5, h + 0.5),
  ];
  return {
    ra,
    dec,
    fieldWidthDeg: (w * s) / 3600,
    fieldHeightDeg: (h * s) / 3600,
    pixelScaleArcsec: s,
    rotationDeg: rot,
    parity: det < 0 ? 'normal' : 'flipped',
    corners,
  };
}

/** Limits for a plausible celestial solution (PLATESOLVE.md §3.1). */
export const WCS_LIMITS = { minScaleArcsec: 0.05, maxScaleArcsec: 600, maxSkew: 2 } as const;

/** Why a WCS is unusable, or null when it is sane. */
export function wcsProblem(wcs: Wcs): string | null {
  const nums = [...wcs.crval, ...wcs.crpix, ...wcs.cd];
  if (!nums.every(Number.isFinite)) return 'non-finite WCS values';
  if (Math.abs(wcs.crval[1]) > 90) return `CRVAL2 ${wcs.crval[1]} outside [-90, 90]`;
  const det = cdDeterminant(wcs.cd);
  if (det === 0) return 'degenerate CD matrix (determinant 0)';
  const s = pixelScaleArcsec(wcs);
  if (s < WCS_LIMITS.minScaleArcsec || s > WCS_LIMITS.maxScaleArcsec) {
    return `pixel scale ${s.toPrecision(3)}″/px outside ${WCS_LIMITS.minScaleArcsec}–${WCS_LIMITS.maxScaleArcsec}″/px`;
  }
  const c1 = Math.hypot(wcs.cd[0], wcs.cd[2]);
  const c2 = Math.hypot(wcs.cd[1], wcs.cd[3]);
  if (c1 / c2 > WCS_LIMITS.maxSkew || c2 / c1 > WCS_LIMITS.maxSkew) return 'pixel axes scales differ by more than ×2';
  // Skew: the pixel axes should be close to perpendicular on the sky.
  const cosAngle = Math.abs(wcs.cd[0] * wcs.cd[1] + wcs.cd[2] * wcs.cd[3]) / (c1 * c2);
  if (cosAngle > 0.5) return 'pixel axes are far from perpendicular (skewed CD matrix)';
  if (wcs.width > 0 && wcs.height > 0 && (Math.max(wcs.width, wcs.height) * s) / 3600 > 170) {
    return 'field wider than 170° cannot be a TAN solution';
  }
  return null;
}

/** A WCS with CD built from scale (″/px), rotation (deg E of N of +p₂) and parity. */
export function wcsFromScaleRotation(options: {
  ra: number; dec: number; scaleArcsec: number; rotationDeg: number; parity: 'normal' | 'flipped';
  width: number; height: number; crpix?: [number, number];
}): Wcs {
  const s = options.scaleArcsec / 3600;
  const r = (options.rotationDeg * Math.PI) / 180;
  // +p₂ maps to (ξ, η) = s·(sin r, cos r); +p₁ is that rotated by −90° (normal) or +90° (flipped).
  const cd12 = s * Math.sin(r), cd22 = s * Math.cos(r);
  const sign = options.parity === 'normal' ? -1 : 1;
  const cd11 = sign * s * Math.cos(r), cd21 = -sign * s * Math.sin(r);
  return {
    crval: [normalizeRa(options.ra), options.dec],
    crpix: options.crpix ?? [(options.width + 1) / 2, (options.height + 1) / 2],
    cd: [cd11, cd12, cd21, cd22],
    sip: null,
    width: options.width,
    height: options.height,
  };
}

/**
 * The same WCS for pixel rows counted from the other end (p₂ → H + 1 − p₂):
 * converts between astrometry.net's JPEG convention (top row = 1) and the
 * bottom-up display convention. SIP terms change sign with the parity of q.
 */
export function flipWcsY(wcs: Wcs, height = wcs.height): Wcs {
  const flipPoly = (c: number[][], negate: boolean): number[][] =>
    c.map((row) => row.map((v, q) => (negate ? -1 : 1) * (q % 2 ? -v : v)));
  return {
    ...wcs,
    crpix: [wcs.crpix[0], height + 1 - wcs.crpix[1]],
    cd: [wcs.cd[0], -wcs.cd[1], wcs.cd[2], -wcs.cd[3]],
    sip: wcs.sip && {
      ...wcs.sip,
      a: flipPoly(wcs.sip.a, false),
      b: flipPoly(wcs.sip.b, true),
      ap: flipPoly(wcs.sip.ap, false),
      bp: flipPoly(wcs.sip.bp, true),
    },
  };
}
