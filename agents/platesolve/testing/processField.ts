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
import { describeWcs, fitInverseSip, wcsFromScaleRotation, zeroCoefficients, type Sip, type Wcs } from '../../lib/wcs/index.ts';
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
  /** what the stacking and export left on the picture (the realistic set); default none */
  defects?: PictureDefects;
}

/**
 * Marks a stacked, cropped and signed picture carries after the stretch (drawn
 * by {@link realisticTestField}; positions as fractions of the picture).
 */
export interface PictureDefects {
  /** registration borders: strips along edges, black (no data) or noisy (few frames stacked) */
  borders?: { edge: 'left' | 'right' | 'top' | 'bottom'; width: number; noisy: boolean }[];
  /** a crop of a rotated stack: dark triangles in the corners, legs as fractions of width and height */
  cornerCut?: number;
  /** a signature: random glyphs of `dot` px dots, `chars` characters, in a corner */
  text?: { corner: 0 | 1 | 2 | 3; chars: number; dot: number; level: number };
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

/** Borders, dark corners of a rotated crop and a text signature, drawn on the stretched picture. */
function drawDefects(p: Float32Array, w: number, h: number, d: PictureDefects, rand: () => number): Float32Array {
  const out = Float32Array.from(p);
  for (const b of d.borders ?? []) {
    const n = Math.max(1, Math.round(b.width * (b.edge === 'left' || b.edge === 'right' ? w : h)));
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const inside = b.edge === 'left' ? x < n : b.edge === 'right' ? x >= w - n : b.edge === 'top' ? y < n : y >= h - n;
      // a noisy strip: the few frames that covered it, each pixel far noisier than the sky
      if (inside) out[y * w + x] = b.noisy ? Math.min(1, Math.max(0, p[y * w + x] + 0.25 * (rand() - 0.5) + 0.15 * rand() ** 8)) : 0.02 * rand();
    }
  }
  if (d.cornerCut) {
    const a = d.cornerCut;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const u = x / w, v = y / h;
      // a rotated rectangle's corners: triangles whose legs are a·w and a·h (alternate sides)
      if (u / a + v / (a * 0.3) < 1 || (1 - u) / (a * 0.3) + v / a < 1 || u / (a * 0.3) + (1 - v) / a < 1 || (1 - u) / a + (1 - v) / (a * 0.3) < 1) out[y * w + x] = 0;
    }
  }
  if (d.text) {
    const { corner, chars, dot, level } = d.text;
    const cw = 4 * dot, tw = chars * cw, th = 5 * dot, m = Math.round(0.02 * Math.min(w, h)) + dot;
    const x0 = corner === 0 || corner === 3 ? m : w - m - tw, y0 = corner < 2 ? m : h - m - th;
    for (let c = 0; c < chars; c++) {
      // a random 3×5 glyph with at least 6 dots: strokes of the right size, like letters
      let bits = 0;
      while (popcount(bits) < 6) bits = Math.floor(rand() * 32768);
      for (let gy = 0; gy < 5; gy++) for (let gx = 0; gx < 3; gx++) {
        if (!(bits & (1 << (gy * 3 + gx)))) continue;
        for (let j = 0; j < dot; j++) for (let i = 0; i < dot; i++) {
          const x = x0 + c * cw + gx * dot + i, y = y0 + gy * dot + j;
          if (x >= 0 && y >= 0 && x < w && y < h) out[y * w + x] = level;
        }
      }
    }
  }
  return out;
}

function popcount(v: number): number {
  let n = 0;
  for (; v; v &= v - 1) n++;
  return n;
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
  if (opts.defects) mono = drawDefects(mono, w, h, opts.defects, rand);
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
  /** the true WCS and the rendered catalog stars (stored pixels), for diagnostics and tests */
  wcs: Wcs;
  stars: { x: number; y: number; mag: number; flux: number }[];
}

/**
 * A test picture's frame, drawn from `r`: 256–1024 px wide (aspect 1, 4:3 or 3:2), a field width
 * log-uniform in `loDeg`–`hiDeg`, anywhere on the sky, any rotation, flipped in 30 % of them.
 */
function randomFrame(r: () => number, loDeg: number, hiDeg: number) {
  const w = 256 + Math.floor(r() * 769);
  const aspect = [1, 0.75, 0.667][Math.floor(r() * 3)];
  const h = Math.round(w * aspect);
  const fov = loDeg * (hiDeg / loDeg) ** r();
  const scale = (fov * 3600) / w;
  const ra = r() * 360, dec = (Math.asin(2 * r() - 1) * 180) / Math.PI;
  const wcs = wcsFromScaleRotation({ ra, dec, scaleArcsec: scale, rotationDeg: r() * 360, parity: r() < 0.7 ? 'normal' : 'flipped', width: w, height: h });
  return { w, h, aspect, fov, scale, wcs };
}

/**
 * One processed test field of `loDeg`–`hiDeg` width (log-uniform), 256–1024 px
 * wide, anywhere on the sky, rendered from `catalog` and processed with a
 * random recipe. Wide fields get a brighter limiting magnitude (short
 * exposures through lenses), as real pictures do.
 */
export async function processedTestField(catalog: StarCatalog, seed: number, loDeg: number, hiDeg: number): Promise<ProcessedTestField> {
  const r = rng(seed);
  const { w, h, aspect, fov, scale, wcs } = randomFrame(r, loDeg, hiDeg);
  const area = fov * fov * aspect;
  const lin = renderStarField(catalog, wcs, {
    seed, fwhm: 1.5 + 2.5 * r(), extraStars: Math.round(Math.min(150 * area, 0.004 * w * h)), maxMag: 12.5,
    flux10: (20000 + 40000 * r()) * Math.min(1, 2 / fov), readNoise: 8,
  });
  const recipe = randomRecipe(seed);
  const p = await processField(lin.image, recipe);
  const t = describeWcs(wcs);
  return { image: p.image, format: p.format, width: w, height: h, truth: { ra: t.ra, dec: t.dec, scale, fovDeg: fov }, recipe, wcs, stars: lin.truth };
}

/** What a realistic field was given (for the benchmark's rows and the tests). */
export interface RealismTraits {
  /** lens distortion: displacement at the picture's corner, px (+ pincushion, − barrel); 0 = none */
  distortionPx: number;
  fwhm: number;
  spikes: boolean;
  halos: boolean;
  /** sensor luminance minus catalog magnitude per unit of B−V */
  colourTerm: number;
  vignetting: number;
  /** one-sided gradient: sky change across the picture, in sky levels */
  gradient: number;
  defects: PictureDefects;
}

export interface RealisticTestField extends ProcessedTestField {
  traits: RealismTraits;
}

/** A per-star value in [0, 1) that depends only on its position (the same star, the same colour). */
function starHash(ra: number, dec: number, salt: number): number {
  let a = (Math.round(ra * 3.6e5) * 73856093) ^ (Math.round(dec * 3.6e5) * 19349663) ^ salt;
  a = Math.imul(a ^ (a >>> 16), 0x45d9f3b);
  a = Math.imul(a ^ (a >>> 16), 0x45d9f3b);
  return ((a ^ (a >>> 16)) >>> 0) / 4294967296;
}

/**
 * Radial lens distortion as SIP terms: u' = u·(1 + k·ρ²) (k > 0 pincushion, < 0 barrel),
 * k set so that the corner moves by `cornerPx`.
 */
function radialSip(cornerPx: number, w: number, h: number, crpix: [number, number]): Sip | null {
  if (!cornerPx) return null;
  const rc = Math.hypot(w, h) / 2;
  const k = cornerPx / rc ** 3;
  const a = zeroCoefficients(3), b = zeroCoefficients(3);
  a[3][0] = k; a[1][2] = k; b[0][3] = k; b[2][1] = k;
  return fitInverseSip({ aOrder: 3, bOrder: 3, a, b }, crpix, w, h);
}

/**
 * Halos and diffraction spikes of the bright stars, added to the linear render: four spikes
 * (a Newtonian's spider) whose length grows with the square root of the flux and which hold
 * 3 % of it (four 2 mm vanes across a 200 mm aperture cover ~2.5 % of it), and a broad halo
 * plus a faint ring holding 5 % (reflections off filters and the sensor window).
 */
function addBrightStarArtefacts(plane: Float32Array, w: number, h: number, stars: { x: number; y: number; flux: number }[], o: { spikes: boolean; halos: boolean; angle: number; fwhm: number; fluxSat: number }): void {
  const put = (x: number, y: number, v: number): void => {
    const xi = Math.round(x), yi = Math.round(y);
    if (xi >= 0 && yi >= 0 && xi < w && yi < h) plane[yi * w + xi] = Math.min(1, plane[yi * w + xi] + v);
  };
  for (const s of stars) {
    const rel = s.flux / o.fluxSat; // 1 = the star's peak just clips in the picture
    if (rel < 0.5) continue;
    const flux = s.flux / 65535; // in plane units
    if (o.spikes) {
      const len = Math.min(0.25 * Math.max(w, h), 6 * o.fwhm * Math.sqrt(rel));
      // a spike fades away from the core (here as 1/d); per arm
      // ∫ a·fwhm/d dd over a 1.8 px wide line = a·1.8·fwhm·ln(len/fwhm) = 0.75 % of the flux
      const a = (0.0075 * flux) / (1.8 * o.fwhm * Math.log(Math.max(2, len / o.fwhm)));
      for (let arm = 0; arm < 4; arm++) {
        const t = o.angle + (arm * Math.PI) / 2, cx = Math.cos(t), cy = Math.sin(t);
        for (let d = o.fwhm; d < len; d += 1) {
          const v = (a * o.fwhm) / d;
          put(s.x - 0.5 + d * cx, s.y - 0.5 + d * cy, v);
          put(s.x - 0.5 + d * cx - cy * 0.6, s.y - 0.5 + d * cy + cx * 0.6, 0.4 * v);
          put(s.x - 0.5 + d * cx + cy * 0.6, s.y - 0.5 + d * cy - cx * 0.6, 0.4 * v);
        }
      }
    }
    if (o.halos) {
      const r = Math.min(60, 3 * o.fwhm * Math.sqrt(rel) + 4), ring = 1.6 * r;
      const b = (0.04 * flux) / (2 * Math.PI * r * r), c = (0.01 * flux) / (2 * Math.PI * ring * 3.5);
      const x0 = Math.floor(s.x - ring - 5), x1 = Math.ceil(s.x + ring + 5), y0 = Math.floor(s.y - ring - 5), y1 = Math.ceil(s.y + ring + 5);
      for (let y = Math.max(0, y0); y <= Math.min(h - 1, y1); y++) for (let x = Math.max(0, x0); x <= Math.min(w - 1, x1); x++) {
        const d = Math.hypot(x + 0.5 - s.x, y + 0.5 - s.y);
        const v = b * Math.exp(-(d * d) / (2 * r * r)) + c * Math.exp(-((d - ring) ** 2) / 4);
        plane[y * w + x] = Math.min(1, plane[y * w + x] + v);
      }
    }
  }
}

/**
 * A processed test field with what every published picture has on top of {@link processedTestField}'s
 * processing, each drawn at random per field (ranges and where they come from in the comments):
 * lens distortion on wide fields, registration borders and rotated-crop corners, bright stars with
 * halos and diffraction spikes, soft (drizzled or upsampled) stars, vignetting, a strong one-sided
 * gradient, a text signature, and star colour (the sensor's luminance is not the catalog's V_T).
 * Its own random streams: the processed set is unchanged.
 */
export async function realisticTestField(catalog: StarCatalog, seed: number, loDeg: number, hiDeg: number): Promise<RealisticTestField> {
  const r = rng(seed * 31 + 7);
  const { w, h, aspect, fov, scale, wcs: base } = randomFrame(r, loDeg, hiDeg);
  // Lens distortion, fields ≥ 3° (camera lenses): 0.2–1 % at the corner (photo-lens tests of
  // 50–300 mm lenses report 0.1–1.5 %), i.e. 1.2–6 px at the corner of a 1000 × 750 picture; either sign.
  const distortionPx = fov >= 3 ? (r() < 0.5 ? -1 : 1) * (0.002 + 0.008 * r()) * Math.hypot(w, h) / 2 : 0;
  const wcs: Wcs = { ...base, sip: radialSip(distortionPx, w, h, base.crpix) };
  // Soft stars in a third of the pictures (drizzle ×2 or an upsampled export: FWHM 4–8 px), else 1.5–4 px.
  const fwhm = r() < 0.35 ? 4 + 4 * r() : 1.5 + 2.5 * r();
  // Star colour: a one-shot-colour or mono-L luminance is redder than V_T: L − V_T ≈ −c·(B−V) with
  // c 0.1–0.5 (the V−R and V−I colours of field stars are ~0.5 and ~1 per unit B−V); the catalog
  // has no B−V, so each star gets one from its position, distributed as field stars (0.65 ± 0.35).
  const colourTerm = 0.1 + 0.4 * r();
  const colourSalt = Math.floor(r() * 1e9);
  const magOffset = (sra: number, sdec: number): number => {
    const u1 = Math.max(starHash(sra, sdec, colourSalt), 1e-9), u2 = starHash(sra, sdec, colourSalt + 1);
    const bv = Math.max(-0.3, Math.min(2, 0.65 + 0.35 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)));
    return -colourTerm * (bv - 0.65);
  };
  const area = fov * fov * aspect;
  const flux10 = (20000 + 40000 * r()) * Math.min(1, 2 / fov);
  const lin = renderStarField(catalog, wcs, {
    seed, fwhm, extraStars: Math.round(Math.min(150 * area, 0.004 * w * h)), maxMag: 12.5, flux10, readNoise: 8, magOffset,
  });
  const plane = lin.image.planes[0];
  // Spikes (Newtonians, half of the pictures) and halos (filter reflections, half), on stars whose core saturates.
  const spikes = r() < 0.5, halos = r() < 0.5, angle = r() * Math.PI;
  // a star's core clips in the picture where its linear peak passes the stretch's white point
  const base0 = randomRecipe(seed);
  const fluxSat = (base0.white ?? 0.4) * 65535 * 1.1331 * fwhm * fwhm;
  addBrightStarArtefacts(plane, w, h, lin.truth, { spikes, halos, angle, fwhm, fluxSat });
  // Vignetting left by an imperfect flat (or none at all): 10–40 % darker corners in 60 % of the
  // pictures; a light-pollution gradient of 1–5 sky levels across, from one side, in half of them.
  const sky = 1000 / 65535;
  const vignetting = r() < 0.6 ? 0.1 + 0.3 * r() : 0;
  const gradient = r() < 0.5 ? 1 + 4 * r() : 0;
  const gAngle = r() * 2 * Math.PI, gx = Math.cos(gAngle), gy = Math.sin(gAngle);
  const rc2 = (w * w + h * h) / 4;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const dx = x - w / 2, dy = y - h / 2;
    const i = y * w + x;
    const t = 0.5 + (dx * gx + dy * gy) / Math.hypot(w, h); // 0…1 across the picture
    plane[i] = Math.min(1, plane[i] * (1 - vignetting * ((dx * dx + dy * dy) / rc2)) + gradient * sky * t * t);
  }
  // Borders in 40 % (1–2 edges, 1–5 % of the size: registration shifts of a dithered stack), a rotated
  // crop in 25 % (a stack rotated 2–8° against its frame: corner legs of 3–12 %), a signature in 40 %
  // (text 8–20 px high in a corner, as exports carry).
  const edges = ['left', 'right', 'top', 'bottom'] as const;
  const defects: PictureDefects = {};
  if (r() < 0.4) {
    const n = r() < 0.5 ? 1 : 2, first = Math.floor(r() * 4);
    defects.borders = Array.from({ length: n }, (_, k) => ({ edge: edges[(first + 2 * k + (k ? 1 : 0)) % 4], width: 0.01 + 0.04 * r(), noisy: r() < 0.5 }));
  }
  if (r() < 0.25) defects.cornerCut = 0.03 + 0.09 * r();
  if (r() < 0.4) defects.text = { corner: Math.floor(r() * 4) as 0 | 1 | 2 | 3, chars: 6 + Math.floor(r() * 10), dot: 2 + Math.floor(r() * 3), level: 0.6 + 0.4 * r() };
  const recipe: ProcessOptions = { ...base0, defects };
  const p = await processField(lin.image, recipe);
  const t = describeWcs(wcs);
  return {
    image: p.image, format: p.format, width: w, height: h, truth: { ra: t.ra, dec: t.dec, scale, fovDeg: fov }, recipe, wcs, stars: lin.truth,
    traits: { distortionPx, fwhm, spikes, halos, colourTerm, vignetting, gradient, defects },
  };
}
