/**
 * Measures one star on the background-subtracted image:
 *  - shape by adaptive second moments (an elliptical Gaussian weight matched
 *    iteratively to the star; for a Gaussian star the moments converge to its
 *    own covariance, and the weight keeps noise and neighbours out): FWHM,
 *    eccentricity, orientation;
 *  - half-flux radius (HFR) model-free: the radius that encloses half the
 *    flux inside an aperture of three sigmas, the local sky taken from an
 *    annulus around it, pixels split in 2×2 sub-pixels for small stars.
 */
import { median } from './stats.ts';

export interface StarMeasure {
  x: number;
  y: number;
  /** FWHM, mean of the major and minor axes, pixels */
  fwhm: number;
  /** half-flux radius, pixels */
  hfr: number | null;
  /** sqrt(1 - b²/a²): 0 round, → 1 elongated */
  eccentricity: number;
  /** Gaussian sigmas along the major and minor axes, pixels */
  sigmaMajor: number;
  sigmaMinor: number;
  /** major-axis angle, degrees from +x towards +y */
  angleDeg: number;
  flux: number;
  /** flux over its noise in the aperture */
  snr: number;
  /** brightest raw pixel value */
  peakValue: number;
}

const SIGMA_TO_FWHM = 2 * Math.sqrt(2 * Math.LN2);
const MAX_SIGMA = 20;
/** below this (σ² in px², σ ≈ 0.6 px) the adaptive moments collapse: undersampled star */
const MIN_MOMENT = 0.35;

export interface MeasureInput {
  /** background-subtracted image */
  res: Float32Array;
  /** per-pixel noise sigma */
  noise: number;
  /** the image as read (for saturation) */
  raw: Float32Array;
  width: number;
  height: number;
}

export function measureStar(img: MeasureInput, x0: number, y0: number): StarMeasure | null {
  const { res, width, height } = img;
  // the sky right around the star (nebulosity the background mesh is too coarse
  // for); measured again farther out once the star's size is known
  let sky = annulusMedian(res, width, height, x0, y0, 7, 11);
  if (sky === null) return null;
  let m = adaptiveMoments(res, width, height, x0, y0, sky, { xc: x0, yc: y0, mxx: 2, myy: 2, mxy: 0 });
  if (m === 'undersampled') {
    const core = coreGaussian(res, width, height, x0, y0, sky);
    if (!core) return null;
    m = core;
  } else if (m === null) return null;
  else {
    const inner = 4 * Math.sqrt(eigen(m.mxx, m.myy, m.mxy).l1) + 2;
    if (inner > 7) {
      sky = annulusMedian(res, width, height, Math.round(m.xc), Math.round(m.yc), inner, inner + 4);
      if (sky === null) return null;
      const again = adaptiveMoments(res, width, height, x0, y0, sky, m);
      if (again === null || again === 'undersampled') return null;
      m = again;
    }
  }
  const { xc, yc, mxx, myy, mxy } = m;
  const { l1, l2, angle } = eigen(mxx, myy, mxy);
  const a = Math.sqrt(l1);
  const b = Math.sqrt(Math.max(l2, 0));
  const hfr = halfFluxRadius(img, xc, yc, 3 * a);
  let peakValue = -Infinity;
  const xi = Math.round(xc);
  const yi = Math.round(yc);
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) peakValue = Math.max(peakValue, img.raw[(yi + dy) * width + xi + dx]!);
  return {
    x: xc,
    y: yc,
    fwhm: (SIGMA_TO_FWHM * (a + b)) / 2,
    hfr: hfr?.hfr ?? null,
    eccentricity: Math.sqrt(Math.max(0, 1 - (b * b) / (a * a))),
    sigmaMajor: a,
    sigmaMinor: b,
    angleDeg: (angle * 180) / Math.PI,
    flux: hfr?.flux ?? 0,
    snr: hfr ? hfr.flux / (img.noise * Math.sqrt(hfr.pixels)) : 0,
    peakValue,
  };
}

interface Moments {
  xc: number;
  yc: number;
  mxx: number;
  myy: number;
  mxy: number;
}

/**
 * Adaptive moments: iterate the weight to the star. For a Gaussian star of
 * covariance C, 2 × the weighted covariance maps M to 2(C⁻¹ + M⁻¹)⁻¹, a
 * contraction (factor ½) towards M = C. Null when it fails (edge, wanders
 * off to a neighbour, grows without bound, does not settle).
 */
function adaptiveMoments(res: Float32Array, width: number, height: number, x0: number, y0: number, sky: number, start: Moments): Moments | 'undersampled' | null {
  let { xc, yc, mxx, myy, mxy } = start;
  for (let it = 0; it < 60; it++) {
    const det = mxx * myy - mxy * mxy;
    if (!(det > 0)) return null;
    const ixx = myy / det;
    const iyy = mxx / det;
    const ixy = -mxy / det;
    const lmax = eigen(mxx, myy, mxy).l1;
    const r = Math.min(Math.ceil(4 * Math.sqrt(lmax)), 4 * MAX_SIGMA);
    const xi = Math.round(xc);
    const yi = Math.round(yc);
    if (xi - r < 0 || yi - r < 0 || xi + r >= width || yi + r >= height) return null; // too near an edge
    let s = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let y = yi - r; y <= yi + r; y++) {
      const dy = y - yc;
      const row = y * width;
      for (let x = xi - r; x <= xi + r; x++) {
        const dx = x - xc;
        const q = dx * dx * ixx + 2 * dx * dy * ixy + dy * dy * iyy;
        if (q > 16) continue;
        const w = Math.exp(-0.5 * q) * (res[row + x]! - sky);
        s += w;
        sx += w * dx;
        sy += w * dy;
        sxx += w * dx * dx;
        syy += w * dy * dy;
        sxy += w * dx * dy;
      }
    }
    if (!(s > 0)) return null;
    const mx = sx / s;
    const my = sy / s;
    const nxx = 2 * (sxx / s - mx * mx);
    const nyy = 2 * (syy / s - my * my);
    const nxy = 2 * (sxy / s - mx * my);
    // a star narrower than a pixel has no stable adaptive moments (they shrink to nothing)
    if (!(nxx > MIN_MOMENT && nyy > MIN_MOMENT && nxx * nyy - nxy * nxy > MIN_MOMENT * MIN_MOMENT)) return 'undersampled';
    xc += mx;
    yc += my;
    const change = Math.abs(nxx - mxx) + Math.abs(nyy - myy) + Math.abs(nxy - mxy);
    mxx = nxx;
    myy = nyy;
    mxy = nxy;
    if (Math.hypot(xc - x0, yc - y0) > Math.max(4, 2 * Math.sqrt(lmax))) return null; // wandered off to a neighbour
    if (mxx > MAX_SIGMA ** 2 || myy > MAX_SIGMA ** 2) return null;
    if (change < 1e-4 * (mxx + myy) && Math.hypot(mx, my) < 1e-3) return { xc, yc, mxx, myy, mxy };
  }
  return null;
}

/** Median of the residual in the annulus [r0, r1] around (x, y); null at an edge. */
function annulusMedian(res: Float32Array, width: number, height: number, x: number, y: number, r0: number, r1: number): number | null {
  const R = Math.ceil(r1);
  if (x - R < 0 || y - R < 0 || x + R >= width || y + R >= height) return null;
  const v: number[] = [];
  for (let dy = -R; dy <= R; dy++) for (let dx = -R; dx <= R; dx++) {
    const d = Math.hypot(dx, dy);
    if (d >= r0 && d <= r1) v.push(res[(y + dy) * width + x + dx]!);
  }
  return v.length ? median(v) : null;
}

/**
 * A Gaussian fitted to the 3×3 core of an undersampled star: the logarithm of
 * a Gaussian is a quadratic, so a least-squares quadratic through the nine
 * log-values gives its centre and inverse covariance. Needs all nine pixels
 * above the background (true of any star bright enough to detect this way).
 */
function coreGaussian(res: Float32Array, width: number, height: number, x0: number, y0: number, sky: number): Moments | null {
  if (x0 < 1 || y0 < 1 || x0 >= width - 1 || y0 >= height - 1) return null;
  // ln I = c0 + c1 x + c2 y + c3 x² + c4 xy + c5 y² over x, y ∈ {−1, 0, 1}
  const L: number[] = [];
  let cornersOk = true;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    const v = res[(y0 + dy) * width + x0 + dx]! - sky;
    if (!(v > 0)) {
      if (dx !== 0 && dy !== 0) {
        cornersOk = false;
        L.push(NaN);
        continue;
      }
      return null;
    }
    L.push(Math.log(v));
  }
  if (!cornersOk) return crossGaussian(L, x0, y0);
  const at = (dx: number, dy: number) => L[(dy + 1) * 3 + dx + 1]!;
  let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, s0 = 0;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    const l = at(dx, dy);
    s0 += l;
    sx += dx * l;
    sy += dy * l;
    sxx += dx * dx * l;
    syy += dy * dy * l;
    sxy += dx * dy * l;
  }
  // closed-form least squares on the symmetric 3×3 grid (the design is orthogonal after centring x², y²)
  const c1 = sx / 6;
  const c2 = sy / 6;
  const c4 = sxy / 4;
  const c3 = (sxx - (2 / 3) * s0) / 2;
  const c5 = (syy - (2 / 3) * s0) / 2;
  // ln I = … − ½ dᵀ C⁻¹ d  ⇒  C⁻¹ = −[[2c3, c4], [c4, 2c5]]
  const a = -2 * c3;
  const b = -c4;
  const d = -2 * c5;
  const det = a * d - b * b;
  if (!(a > 0 && d > 0 && det > 0)) return null;
  const mxx = d / det;
  const myy = a / det;
  const mxy = -b / det;
  // centre: gradient zero ⇒ C⁻¹ μ = (c1, c2)
  const ux = mxx * c1 + mxy * c2;
  const uy = mxy * c1 + myy * c2;
  if (Math.abs(ux) > 1 || Math.abs(uy) > 1) return null;
  return { xc: x0 + ux, yc: y0 + uy, mxx, myy, mxy };
}

/**
 * The same from the 5 pixels of the central cross (the corners are lost in
 * the noise): a 3-point Gaussian along x and along y, axis-aligned.
 */
function crossGaussian(L: number[], x0: number, y0: number): Moments | null {
  const at = (dx: number, dy: number) => L[(dy + 1) * 3 + dx + 1]!;
  const cx = at(-1, 0) + at(1, 0) - 2 * at(0, 0);
  const cy = at(0, -1) + at(0, 1) - 2 * at(0, 0);
  if (!(cx < 0 && cy < 0)) return null;
  const ux = (at(-1, 0) - at(1, 0)) / (2 * cx);
  const uy = (at(0, -1) - at(0, 1)) / (2 * cy);
  if (Math.abs(ux) > 1 || Math.abs(uy) > 1) return null;
  return { xc: x0 + ux, yc: y0 + uy, mxx: -1 / cx, myy: -1 / cy, mxy: 0 };
}

/** Eigenvalues (l1 ≥ l2) and major-axis angle of a 2×2 covariance. */
function eigen(xx: number, yy: number, xy: number): { l1: number; l2: number; angle: number } {
  const t = (xx + yy) / 2;
  const d = Math.sqrt(((xx - yy) / 2) ** 2 + xy * xy);
  return { l1: t + d, l2: t - d, angle: 0.5 * Math.atan2(2 * xy, xx - yy) };
}

function halfFluxRadius(img: MeasureInput, xc: number, yc: number, aperture: number): { hfr: number; flux: number; pixels: number } | null {
  const { res, width, height } = img;
  const ra = Math.max(3, Math.min(aperture, 60));
  const outer = ra + 5;
  const xi = Math.round(xc);
  const yi = Math.round(yc);
  const R = Math.ceil(outer);
  if (xi - R < 0 || yi - R < 0 || xi + R >= width || yi + R >= height) return null;
  const sky: number[] = [];
  const inside: { r: number; v: number }[] = [];
  for (let y = yi - R; y <= yi + R; y++) {
    for (let x = xi - R; x <= xi + R; x++) {
      const v = res[y * width + x]!;
      const d = Math.hypot(x - xc, y - yc);
      if (d > ra + 1 && d <= outer) sky.push(v);
      else if (d <= ra + 1) {
        // 2×2 sub-pixels: the enclosed-flux curve of a small star needs finer radii than whole pixels
        for (const oy of [-0.25, 0.25]) for (const ox of [-0.25, 0.25]) {
          const rs = Math.hypot(x + ox - xc, y + oy - yc);
          if (rs <= ra) inside.push({ r: rs, v });
        }
      }
    }
  }
  const local = sky.length ? median(sky) : 0;
  inside.sort((p, q) => p.r - q.r);
  let flux = 0;
  for (const p of inside) flux += (p.v - local) / 4;
  if (!(flux > 0)) return null;
  let cum = 0;
  let prevR = 0;
  let prevCum = 0;
  for (const p of inside) {
    cum += (p.v - local) / 4;
    if (cum >= flux / 2) {
      const f = cum === prevCum ? 1 : (flux / 2 - prevCum) / (cum - prevCum);
      return { hfr: prevR + f * (p.r - prevR), flux, pixels: inside.length / 4 };
    }
    prevR = p.r;
    prevCum = cum;
  }
  return null;
}
