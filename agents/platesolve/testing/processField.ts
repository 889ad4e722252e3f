/**
 * Turns a rendered linear star field into what astrophotographers publish:
 * nebulosity with strong gradients, a non-linear stretch (asinh or midtones)
 * with clipped (saturated) cores, star reduction, noise reduction (blur),
 * colour with colour noise, 8-bit quantisation as a palette PNG or a JPEG —
 * then decoded again by the project's own reader, as the agent would see it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readPixels } from '../../lib/formats/index.ts';
import type { PixelImage } from '../../sdk/index.ts';
import { describeWcs, wcsFromScaleRotation } from '../../lib/wcs/index.ts';
import type { StarCatalog } from '../../lib/stars/starCatalog.ts';
import { renderStarField, rng } from '../../lib/stars/testing/renderStarField.ts';

export interface ProcessOptions {
  seed: number;
  /** peak nebula brightness in sky units (0 = none); the field is smooth with strong gradients */
  nebula?: number;
  stretch?: 'asinh' | 'mtf';
  /** where the sky ends up after the stretch (0…1; default 0.15), as an auto-stretch sets it */
  skyTarget?: number;
  /** white point as a fraction of the linear range: < 1 clips star cores */
  white?: number;
  /** 0…1: how much stars are shrunk/dimmed (morphological, as star-reduction scripts) */
  starReduction?: number;
  /** Gaussian blur σ in px (noise reduction / softening); 0 = none */
  blur?: number;
  /** per-channel noise σ in 8-bit steps (colour noise) */
  colourNoise?: number;
  output: 'png-palette' | 'jpeg' | 'png';
  /** JPEG quality or palette colours */
  quality?: number;
}

/** Smooth random field in [0, 1]: a coarse random grid, smoothly interpolated, sharpened by a power. */
function smoothField(w: number, h: number, rand: () => number, cells: number): Float32Array {
  const gx = cells + 2, gy = Math.max(2, Math.round((cells * h) / w)) + 2;
  const g = Float32Array.from({ length: gx * gy }, () => rand());
  const out = new Float32Array(w * h);
  const s = (t: number): number => t * t * (3 - 2 * t);
  for (let y = 0; y < h; y++) {
    const fy = (y / h) * (gy - 2), iy = Math.floor(fy), ty = s(fy - iy);
    for (let x = 0; x < w; x++) {
      const fx = (x / w) * (gx - 2), ix = Math.floor(fx), tx = s(fx - ix);
      const a = g[iy * gx + ix], b = g[iy * gx + ix + 1], c = g[(iy + 1) * gx + ix], d = g[(iy + 1) * gx + ix + 1];
      out[y * w + x] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
  }
  return out;
}

function blurPlane(p: Float32Array, w: number, h: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return p;
  const r = Math.ceil(3 * sigma);
  const k: number[] = [];
  let sum = 0;
  for (let i = -r; i <= r; i++) { const v = Math.exp(-(i * i) / (2 * sigma * sigma)); k.push(v); sum += v; }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const tmp = new Float32Array(w * h), out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let a = 0;
    for (let i = -r; i <= r; i++) a += k[i + r] * p[y * w + Math.min(w - 1, Math.max(0, x + i))];
    tmp[y * w + x] = a;
  }
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let a = 0;
    for (let i = -r; i <= r; i++) a += k[i + r] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
    out[y * w + x] = a;
  }
  return out;
}

/** 3×3 minimum (erosion): star reduction shrinks stars towards their erosion. */
function erode(p: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let m = Infinity;
    for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) {
      m = Math.min(m, p[Math.min(h - 1, Math.max(0, y + j)) * w + Math.min(w - 1, Math.max(0, x + i))]);
    }
    out[y * w + x] = m;
  }
  return out;
}

/**
 * Processes a linear mono render (`renderStarField` without `eightBit`) and
 * returns the decoded picture (3 channels, top-down rows, `linear: false`).
 * The stored row order is kept, so the truth WCS centre and scale still apply.
 */
export async function processField(linear: PixelImage, opts: ProcessOptions): Promise<{ image: PixelImage; bytes: Uint8Array; format: 'png' | 'jpeg' }> {
  const { width: w, height: h } = linear;
  const rand = rng(opts.seed);
  const src = linear.planes[0];
  // sky level: median of a sample
  const sample = Array.from({ length: 4001 }, () => src[Math.floor(rand() * src.length)]).sort((a, b) => a - b);
  const sky = sample[2000];
  const skySigma = (sample[2000] - sample[1000]) / 0.6745; // median − lower quartile = 0.6745 σ
  const bp = sky - 2.8 * Math.max(skySigma, 1e-5);
  const neb = opts.nebula ? smoothField(w, h, rand, 3 + Math.floor(rand() * 4)) : null;
  const neb2 = opts.nebula ? smoothField(w, h, rand, 6 + Math.floor(rand() * 6)) : null;
  const white = (opts.white ?? 0.4) * (1 - bp);
  // The stretch puts the sky at `skyTarget` (as auto-stretches do): MTF balance or asinh strength solved for it.
  const xs = Math.min(0.5, (sky - bp) / white), t = opts.skyTarget ?? 0.15;
  let strength: number;
  if (opts.stretch === 'mtf') strength = (xs * (t - 1)) / (2 * xs * t - xs - t);
  else {
    let lo = 1e-3, hi = 1e6;
    for (let it = 0; it < 60; it++) { const m = Math.sqrt(lo * hi); if (Math.asinh(m * xs) / Math.asinh(m) < t) lo = m; else hi = m; }
    strength = Math.sqrt(lo * hi);
  }
  const stretched = new Float32Array(w * h);
  for (let i = 0; i < stretched.length; i++) {
    let v = src[i] - bp;
    if (neb && neb2) {
      // filaments: the product of two fields, sharpened; plus a strong large-scale gradient
      const f = neb[i] ** 3 * (0.3 + neb2[i] ** 2);
      v += opts.nebula! * sky * f + 0.5 * opts.nebula! * sky * neb[i] * (i % w) / w;
    }
    const x = Math.min(1, Math.max(0, v / white));
    stretched[i] = opts.stretch === 'mtf'
      ? ((strength - 1) * x) / ((2 * strength - 1) * x - strength)
      : Math.asinh(strength * x) / Math.asinh(strength);
  }
  let mono: Float32Array = stretched;
  if (opts.starReduction) {
    const e = erode(erode(stretched, w, h), w, h);
    const k = opts.starReduction;
    mono = Float32Array.from(stretched, (v, i) => v - k * (v - e[i]));
  }
  mono = blurPlane(mono, w, h, opts.blur ?? 0);
  const tint = [1, 0.85 + 0.1 * rand(), 0.8 + 0.2 * rand()];
  const nebTint = [1.2, 0.6, 0.8];
  const cn = opts.colourNoise ?? 0;
  const rgb = new Uint8Array(w * h * 3);
  const gauss = (): number => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
  for (let i = 0; i < w * h; i++) {
    const n = neb ? neb[i] ** 3 : 0;
    for (let c = 0; c < 3; c++) {
      const v = 255 * mono[i] * tint[c] * (1 + 0.3 * n * (nebTint[c] - 1)) + cn * gauss();
      rgb[3 * i + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  const img = sharp(Buffer.from(rgb.buffer), { raw: { width: w, height: h, channels: 3 } });
  const format = opts.output === 'jpeg' ? 'jpeg' : 'png';
  const bytes = opts.output === 'jpeg'
    ? await img.jpeg({ quality: opts.quality ?? 80 }).toBuffer()
    : opts.output === 'png-palette'
      ? await img.png({ palette: true, colours: opts.quality ?? 128, dither: 0.5 }).toBuffer()
      : await img.png().toBuffer();
  const dir = mkdtempSync(join(tmpdir(), 'sidereal-processed-'));
  try {
    const path = join(dir, `field.${format === 'jpeg' ? 'jpg' : 'png'}`);
    writeFileSync(path, bytes);
    const image = await readPixels(path, { maxPixels: 12e6 });
    return { image, bytes: new Uint8Array(bytes), format };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A random processing recipe (for benchmarks and robustness tests). */
export function randomRecipe(seed: number): ProcessOptions {
  const r = rng(seed * 7919 + 13);
  const outputs: ProcessOptions['output'][] = ['jpeg', 'png-palette', 'jpeg', 'png'];
  const output = outputs[Math.floor(r() * outputs.length)];
  const mtf = r() < 0.5;
  return {
    seed,
    nebula: r() < 0.6 ? 2 + 10 * r() : 0,
    stretch: mtf ? 'mtf' : 'asinh',
    skyTarget: 0.08 + 0.17 * r(),
    white: 0.1 + 0.5 * r(),
    starReduction: r() < 0.5 ? 0.3 + 0.6 * r() : 0,
    blur: r() < 0.5 ? 0.5 + r() : 0,
    colourNoise: r() < 0.5 ? 1 + 5 * r() : 0,
    output,
    quality: output === 'jpeg' ? Math.round(55 + 40 * r()) : output === 'png-palette' ? Math.round(32 + 200 * r()) : undefined,
  };
}

export interface ProcessedTestField {
  image: PixelImage;
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** true centre (deg), pixel scale (″/px) and field width (deg) */
  truth: { ra: number; dec: number; scale: number; fovDeg: number };
  recipe: ProcessOptions;
}

/**
 * One processed test field of `loDeg`–`hiDeg` width (log-uniform), 256–1024 px
 * wide, anywhere on the sky, rendered from `catalog` and processed with a
 * random recipe. Wide fields get a brighter limiting magnitude (short
 * exposures through lenses), as real pictures do.
 */
export async function processedTestField(catalog: StarCatalog, seed: number, loDeg: number, hiDeg: number): Promise<ProcessedTestField> {
  const r = rng(seed);
  const w = 256 + Math.floor(r() * 769);
  const aspect = [1, 0.75, 0.667][Math.floor(r() * 3)];
  const h = Math.round(w * aspect);
  const fov = loDeg * (hiDeg / loDeg) ** r();
  const scale = (fov * 3600) / w;
  const ra = r() * 360, dec = (Math.asin(2 * r() - 1) * 180) / Math.PI;
  const wcs = wcsFromScaleRotation({ ra, dec, scaleArcsec: scale, rotationDeg: r() * 360, parity: r() < 0.7 ? 'normal' : 'flipped', width: w, height: h });
  const area = fov * fov * aspect;
  const lin = renderStarField(catalog, wcs, {
    seed, fwhm: 1.5 + 2.5 * r(), extraStars: Math.round(Math.min(150 * area, 0.004 * w * h)), maxMag: 12.5,
    flux10: (20000 + 40000 * r()) * Math.min(1, 2 / fov), readNoise: 8,
  });
  const recipe = randomRecipe(seed);
  const p = await processField(lin.image, recipe);
  const t = describeWcs(wcs);
  return { image: p.image, format: p.format, width: w, height: h, truth: { ra: t.ra, dec: t.dec, scale, fovDeg: fov }, recipe };
}
