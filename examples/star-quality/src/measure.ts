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
  let xc = x0;
  let yc = y0;
  let mxx = 2;
  let myy = 2;
  let mxy = 0;
  let converged = false;
  for (let it = 0; it < 40; it++) {
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
        const w = Math.exp(-0.5 * q) * res[row + x]!;
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
    if (!(nxx > 0.05 && nyy > 0.05 && nxx * nyy - nxy * nxy > 0)) return null;
    xc += mx;
    yc += my;
    const change = Math.abs(nxx - mxx) + Math.abs(nyy - myy) + Math.abs(nxy - mxy);
    // damped update: the weight follows the star without oscillating
    mxx = 0.5 * (mxx + nxx);
    myy = 0.5 * (myy + nyy);
    mxy = 0.5 * (mxy + nxy);
    if (Math.hypot(xc - x0, yc - y0) > 4) return null; // wandered off to a neighbour
    if (mxx > MAX_SIGMA ** 2 || myy > MAX_SIGMA ** 2) return null;
    if (change < 1e-4 * (mxx + myy) && Math.hypot(mx, my) < 1e-3) {
      converged = true;
      break;
    }
  }
  if (!converged) return null;
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
