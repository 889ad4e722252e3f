/**
 * Renders synthetic star fields with a known WCS for tests and benchmarks:
 * pixel-integrated Gaussian PSFs, sky level and gradient, read and shot
 * noise, hot pixels, saturation, 16-bit or 8-bit (optionally stretched)
 * quantisation. Deterministic for a given seed.
 */
import type { PixelImage } from '../../formats/types.ts';
import { pixelToSky, skyToPixel, type Wcs } from '../../wcs/index.ts';
import type { StarCatalog } from '../starCatalog.ts';
import { prng } from '../../imaging/synthetic.ts';

export interface RenderOptions {
  /** PSF FWHM in pixels; default 2.5 */
  fwhm?: number;
  /** sky level, ADU (16-bit scale); default 1000 */
  sky?: number;
  /** total sky change across the frame, ADU (linear gradient along x); default 0 */
  gradient?: number;
  /** read noise σ, ADU; default 8 */
  readNoise?: number;
  /** electrons per ADU for shot noise; default 1 */
  gain?: number;
  /** flux (ADU) of a magnitude-10 star; default 30000 */
  flux10?: number;
  /** faintest catalog magnitude rendered; default 13 */
  maxMag?: number;
  hotPixels?: number;
  /** full-well level in ADU; default 65535 */
  saturation?: number;
  /** quantise to 8 bits after an asinh stretch (like a processed JPEG) */
  eightBit?: boolean;
  /** only with eightBit: asinh stretch strength; default 30 */
  stretch?: number;
  seed?: number;
  /** extra faint stars (mag 12.5–15.5) not in the catalog, as in real deep frames */
  extraStars?: number;
  /**
   * magnitude change of a catalog star in the light the sensor records (its colour through
   * this camera and filter, see `testing/processField.ts`); default none
   */
  magOffset?: (ra: number, dec: number, mag: number) => number;
}

export interface RenderedField {
  image: PixelImage;
  /** rendered catalog stars: continuous stored-pixel coordinates (pixel k spans [k, k+1)) */
  truth: { x: number; y: number; mag: number; flux: number }[];
  hotPixels: { x: number; y: number }[];
}

/** Small, fast, seedable PRNG (the library's one mulberry32). */
export const rng = prng;

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12), v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7)
  const s = Math.sign(x);
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-ax * ax);
  return s * y;
}

/**
 * Renders the catalog stars visible through `wcs` (FITS convention: stored row
 * r has p₂ = r + 1, i.e. a bottom-up FITS-like image).
 */
export function renderStarField(catalog: StarCatalog, wcs: Wcs, options: RenderOptions = {}): RenderedField {
  const { width: w, height: h } = wcs;
  const fwhm = options.fwhm ?? 2.5;
  const sigma = fwhm / 2.3548;
  const sky = options.sky ?? 1000;
  const grad = options.gradient ?? 0;
  const readNoise = options.readNoise ?? 8;
  const gain = options.gain ?? 1;
  const flux10 = options.flux10 ?? 30000;
  const sat = options.saturation ?? 65535;
  const rand = rng(options.seed ?? 1);
  const adu = new Float32Array(w * h);

  const centre = [(w + 1) / 2, (h + 1) / 2];
  const diag = (Math.hypot(w, h) / 2) * Math.sqrt(Math.abs(wcs.cd[0] * wcs.cd[3] - wcs.cd[1] * wcs.cd[2])) * 1.05;
  // centre of the field on the sky (linear part: the stars are placed with the full WCS below)
  const [cra, cdec] = pixelToSky({ ...wcs, sip: null }, centre[0]!, centre[1]!);
  const c = { ra: cra, dec: cdec };
  const stars = catalog.query(c.ra, c.dec, diag, { maxMag: options.maxMag ?? 13 });
  const truth: RenderedField['truth'] = [];
  const addStar = (x: number, y: number, flux: number): void => {
    const r = Math.ceil(4 * sigma + 1);
    const x0 = Math.floor(x), y0 = Math.floor(y);
    const k = 1 / (Math.SQRT2 * sigma);
    const ex: number[] = [];
    for (let i = -r; i <= r + 1; i++) ex.push(0.5 * erf((x0 + i - x) * k));
    const ey: number[] = [];
    for (let i = -r; i <= r + 1; i++) ey.push(0.5 * erf((y0 + i - y) * k));
    for (let j = -r; j <= r; j++) {
      const yy = y0 + j;
      if (yy < 0 || yy >= h) continue;
      const fy = ey[j + r + 1] - ey[j + r];
      for (let i = -r; i <= r; i++) {
        const xx = x0 + i;
        if (xx < 0 || xx >= w) continue;
        adu[yy * w + xx] += flux * fy * (ex[i + r + 1] - ex[i + r]);
      }
    }
  };
  for (let i = 0; i < stars.count; i++) {
    const p = skyToPixel(wcs, stars.ra[i], stars.dec[i]);
    if (!p) continue;
    const x = p[0] - 0.5, y = p[1] - 0.5;
    if (x < -5 || y < -5 || x > w + 5 || y > h + 5) continue;
    const mag = stars.mag[i] + (options.magOffset?.(stars.ra[i], stars.dec[i], stars.mag[i]) ?? 0);
    const flux = flux10 * 10 ** (-0.4 * (mag - 10));
    addStar(x, y, flux);
    if (x >= 0 && y >= 0 && x < w && y < h) truth.push({ x, y, mag: stars.mag[i], flux });
  }
  for (let i = 0; i < (options.extraStars ?? 0); i++) {
    addStar(rand() * w, rand() * h, flux10 * 10 ** (-0.4 * (12.5 + 3 * rand() - 10)));
  }
  const hot: { x: number; y: number }[] = [];
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const signal = adu[o + x] + sky + (grad * x) / w;
      const v = signal + gaussian(rand) * Math.sqrt(readNoise * readNoise + Math.max(signal, 0) / gain);
      adu[o + x] = Math.min(sat, Math.max(0, v));
    }
  }
  for (let i = 0; i < (options.hotPixels ?? 0); i++) {
    const x = 3 + Math.floor(rand() * (w - 6)), y = 3 + Math.floor(rand() * (h - 6));
    adu[y * w + x] = Math.min(sat, adu[y * w + x] + 5000 + rand() * 40000);
    hot.push({ x: x + 0.5, y: y + 0.5 });
  }
  const plane = new Float32Array(w * h);
  if (options.eightBit) {
    const s = options.stretch ?? 30;
    const norm = Math.asinh(s);
    for (let i = 0; i < plane.length; i++) {
      const v = Math.max(0, (adu[i] - sky * 0.9) / (sat - sky * 0.9));
      plane[i] = Math.round((255 * Math.asinh(s * v)) / norm) / 255;
    }
  } else {
    for (let i = 0; i < plane.length; i++) plane[i] = Math.floor(adu[i]) / 65535;
  }
  return {
    image: {
      width: w, height: h, channels: 1, planes: [plane], rowOrder: 'bottom-up', bayerPattern: null,
      linear: !options.eightBit, binned: 1,
    },
    truth,
    hotPixels: hot,
  };
}
