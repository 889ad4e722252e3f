/**
 * Star detection for plate solving (PLATESOLVE.md §1.6): background mesh,
 * matched filter, threshold, 8-connected components, rejection of hot pixels,
 * cosmic rays, blends, elongated and huge objects, windowed centroids, and
 * ranking by flux.
 */
import type { PixelImage } from '../../lib/formats/types.ts';
import { estimateBackground, interpolateMesh } from './background.ts';
import { toMonoImage, type MonoImage, type MonoOptions } from './monoImage.ts';
import { maskBorders } from './borders.ts';

/** A detected star, in the PixelImage's stored-pixel grid: continuous, pixel k spans [k, k+1). */
export interface DetectedStar {
  x: number;
  y: number;
  /** background-subtracted flux (sum over the component), source units */
  flux: number;
  /** peak above background */
  peak: number;
  /** FWHM from second moments, stored pixels */
  fwhm: number;
  /** major/minor axis ratio */
  elongation: number;
  npix: number;
  /** flat (clipped) top: the position is fine, the flux is not */
  saturated: boolean;
  /** pixels of the clipped top (0 when not saturated): the brightness order of saturated stars */
  core: number;
  /** peak / noise */
  snr: number;
}

export interface DetectOptions extends MonoOptions {
  /** detection threshold in σ of the filtered image; default 5 (linear) or 8 (stretched / 8-bit) */
  sigma?: number;
  /** keep at most this many stars (brightest first); default 500 */
  maxStars?: number;
  /** reject objects more elongated than this (adaptive upwards for trailed frames); default 1.8 */
  maxElongation?: number;
  /**
   * detect only inside this part of the image (fractions 0..1 of width and height): checking a
   * known solution needs a few dozen stars, not all of them, and costs the area it reads
   */
  region?: DetectRegion;
}

/** A rectangle as fractions of the image's width and height. */
export interface DetectRegion {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface DetectResult {
  stars: DetectedStar[];
  /** image the detector worked on, for diagnostics */
  width: number;
  height: number;
  factor: number;
  noise: number;
  /** candidates rejected, by reason */
  rejected: Record<string, number>;
  medianFwhm: number | null;
  /** the part of the image searched, in the input image's pixels ([x0, x1) × [y0, y1)) */
  searched: { x0: number; y0: number; x1: number; y1: number };
}

const KERNEL = (() => {
  const k = [-2, -1, 0, 1, 2].map((d) => Math.exp(-(d * d) / 2));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / s);
})();

function convolveSeparable(src: Float32Array, w: number, h: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const [k0, k1, k2] = [KERNEL[0], KERNEL[1], KERNEL[2]];
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const xm2 = x >= 2 ? x - 2 : 0, xm1 = x >= 1 ? x - 1 : 0;
      const xp1 = x + 1 < w ? x + 1 : w - 1, xp2 = x + 2 < w ? x + 2 : w - 1;
      tmp[o + x] = k0 * (src[o + xm2] + src[o + xp2]) + k1 * (src[o + xm1] + src[o + xp1]) + k2 * src[o + x];
    }
  }
  for (let y = 0; y < h; y++) {
    const ym2 = (y >= 2 ? y - 2 : 0) * w, ym1 = (y >= 1 ? y - 1 : 0) * w;
    const yp1 = (y + 1 < h ? y + 1 : h - 1) * w, yp2 = (y + 2 < h ? y + 2 : h - 1) * w;
    const o = y * w;
    for (let x = 0; x < w; x++) {
      out[o + x] = k0 * (tmp[ym2 + x] + tmp[yp2 + x]) + k1 * (tmp[ym1 + x] + tmp[yp1 + x]) + k2 * tmp[o + x];
    }
  }
  return out;
}

/** Robust σ of a large array from a subsample (MAD of values within ±5 MAD of the median). */
function sampleSigma(a: Float32Array): number {
  const step = Math.max(1, Math.floor(a.length / 50000));
  const s = new Float32Array(Math.ceil(a.length / step));
  for (let i = 0, k = 0; i < a.length; i += step) s[k++] = a[i];
  s.sort();
  const med = s[s.length >> 1];
  for (let i = 0; i < s.length; i++) s[i] = Math.abs(s[i] - med);
  s.sort();
  return 1.4826 * s[s.length >> 1];
}

/**
 * Stretched pictures are searched at 8σ (their noise is far from Gaussian); when that leaves
 * fewer stars than a solution wants — star reduction, blur and nebulae dim all but the
 * brightest — they are searched again at this threshold (the verification, not the detector,
 * decides what matches the sky).
 */
const FAINT_SIGMA = 5;
/** below this many stars, a stretched picture is searched again at {@link FAINT_SIGMA} */
const FAINT_RETRY_BELOW = 20;

export function detectStars(image: PixelImage | MonoImage, options: DetectOptions = {}): DetectResult {
  const full = 'planes' in image ? toMonoImage(image, options) : image;
  if (!options.region) {
    const r = detectMono(full, options, 0, 0);
    const stretched = !full.linear || full.quantum === 1 / 255;
    if (options.sigma !== undefined || !stretched || r.stars.length >= FAINT_RETRY_BELOW) return r;
    const faint = detectMono(full, { ...options, sigma: FAINT_SIGMA }, 0, 0);
    // at 5σ, JPEG blocks, colour noise and nebula texture pass as single pixels or streaks:
    // only resolved, round sources count
    const stars = faint.stars.filter((st) => st.saturated || (st.npix >= 4 && st.fwhm >= faint.factor && st.elongation <= 1.6));
    return stars.length > r.stars.length ? { ...faint, stars, rejected: { ...faint.rejected, faint: faint.stars.length - stars.length } } : r;
  }
  const r = options.region;
  const clamp = (v: number, n: number): number => Math.max(0, Math.min(n, Math.round(v * n)));
  const x0 = clamp(r.x0, full.width), x1 = clamp(r.x1, full.width), y0 = clamp(r.y0, full.height), y1 = clamp(r.y1, full.height);
  if (x1 - x0 < 16 || y1 - y0 < 16) throw new Error('detection region smaller than 16 × 16 pixels');
  const cw = x1 - x0, ch = y1 - y0;
  const data = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) data.set(full.data.subarray((y + y0) * full.width + x0, (y + y0) * full.width + x1), y * cw);
  return detectMono({ ...full, data, width: cw, height: ch }, options, x0, y0);
}

/** Detection on a mono image that is the part of a larger one starting at (ox, oy). */
function detectMono(mono: MonoImage, options: DetectOptions, ox: number, oy: number): DetectResult {
  const { width: w, height: h } = mono;
  // Registration borders and no-data corners are set to the sky level before the background
  // mesh; stars touching them are not measured.
  const borders = maskBorders(mono.data, w, h, mono.quantum);
  const data = borders?.data ?? mono.data;
  const rejected: Record<string, number> = {};
  const reject = (why: string): void => { rejected[why] = (rejected[why] ?? 0) + 1; };

  // Background and noise; quantised data (8-bit, JPEG) can have MAD = 0, hence a floor.
  const floor = mono.quantum > 0 ? 0.7 * mono.quantum : 0;
  // Processed (stretched) pictures carry nebulae and gradients on scales of tens of pixels: a
  // finer mesh follows them, so they are not taken for stars nor raise the threshold everywhere.
  const stretched = !mono.linear || mono.quantum === 1 / 255;
  const mesh = estimateBackground(data, w, h, { noiseFloor: floor, tile: stretched && Math.min(w, h) < 1600 ? 16 : undefined });
  const bg = interpolateMesh(mesh, mesh.level, w, h);
  const resid = bg; // reuse the buffer: residual = data − background
  let dataMax = -Infinity;
  for (let i = 0; i < resid.length; i++) {
    const v = data[i];
    if (v > dataMax) dataMax = v;
    resid[i] = v - resid[i];
  }
  const filt = convolveSeparable(resid, w, h);
  const noiseRatio = Math.max(sampleSigma(filt), floor * 0.3) / Math.max(mesh.globalNoise, 1e-30);
  const k = options.sigma ?? (mono.linear && mono.quantum !== 1 / 255 ? 5 : 8);

  // Per-tile threshold on the filtered image. Stretched data: the noise is measured on the
  // filtered residual itself, tile by tile (correlated noise of JPEG/blur, nebula texture left
  // by the background model and the stretch's brightness-dependent noise all count where they are).
  const thrTile = new Float32Array(mesh.noise.length);
  if (stretched) {
    const fm = estimateBackground(filt, w, h, { noiseFloor: floor * 0.3, tile: mesh.tile });
    for (let i = 0; i < thrTile.length; i++) thrTile[i] = fm.level[i] + k * fm.noise[i];
  } else {
    for (let i = 0; i < thrTile.length; i++) thrTile[i] = k * mesh.noise[i] * noiseRatio;
  }
  const tileX = new Int32Array(w), tileYStart: number[] = [];
  for (let x = 0; x < w; x++) tileX[x] = Math.min(mesh.nx - 1, Math.floor((x * mesh.nx) / w));
  for (let y = 0; y < h; y++) tileYStart.push(Math.min(mesh.ny - 1, Math.floor((y * mesh.ny) / h)) * mesh.nx);

  const label = new Uint8Array(w * h); // 1 = visited
  const stack = new Int32Array(w * h > 1 << 22 ? 1 << 22 : w * h);
  const pix: number[] = [];
  const cands: DetectedStar[] = [];
  const saturation = dataMax * 0.98;
  const maxArea = Math.max(400, (w * h) / 200);

  for (let y = 0; y < h; y++) {
    const ty = tileYStart[y];
    for (let x = 0; x < w; x++) {
      const i0 = y * w + x;
      if (label[i0] || filt[i0] <= thrTile[ty + tileX[x]]) continue;
      // Flood fill one 8-connected component above threshold.
      pix.length = 0;
      let sp = 0;
      stack[sp++] = i0;
      label[i0] = 1;
      while (sp > 0) {
        const i = stack[--sp];
        pix.push(i);
        const px = i % w, py = (i - px) / w;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = py + dy;
          if (yy < 0 || yy >= h) continue;
          const tyy = tileYStart[yy];
          for (let dx = -1; dx <= 1; dx++) {
            const xx = px + dx;
            if (xx < 0 || xx >= w) continue;
            const j = yy * w + xx;
            if (label[j] || filt[j] <= thrTile[tyy + tileX[xx]]) continue;
            label[j] = 1;
            if (sp < stack.length) stack[sp++] = j;
          }
        }
      }
      if (borders && pix.some((i) => borders.near[i] === 1)) { reject('border'); continue; }
      const star = measure(pix, resid, filt, data, w, h, saturation, mono.quantum, mesh.noise[ty + tileX[x]], maxArea, reject);
      if (star) cands.push(star);
    }
  }

  // Elongation limit adapts to trailed frames: reject only what is clearly worse than typical.
  const elong = cands.map((s) => s.elongation).sort((a, b) => a - b);
  const medElong = elong.length ? elong[elong.length >> 1] : 1;
  const maxElong = Math.max(options.maxElongation ?? 1.8, medElong * 1.5);
  const fw = cands.filter((s) => !s.saturated).map((s) => s.fwhm).sort((a, b) => a - b);
  const medFwhm = fw.length ? fw[fw.length >> 1] : null;
  const stars: DetectedStar[] = [];
  for (const s of cands) {
    // A saturated star is round too: one elongated well beyond the limit has run into a
    // neighbour, a nebula or a caption, and its position is not the star's.
    if (s.elongation > (s.saturated ? Math.max(2, 1.2 * maxElong) : maxElong)) { reject('elongated'); continue; }
    // Far larger than a star of this image and not saturated: nebula knot or galaxy core.
    if (medFwhm && !s.saturated && s.fwhm > 4 * medFwhm && s.fwhm > 6) { reject('extended'); continue; }
    stars.push(s);
  }
  const caption = captionBlobs(stars, w, h);
  if (caption.size) {
    rejected.caption = caption.size;
    for (let i = stars.length - 1; i >= 0; i--) if (caption.has(stars[i])) stars.splice(i, 1);
  }
  const f = mono.factor;
  const out = brightnessOrder(stars).slice(0, options.maxStars ?? 500).map((s) => ({
    ...s, x: (s.x + ox) * f, y: (s.y + oy) * f, fwhm: s.fwhm * f,
  }));
  return {
    stars: out, width: w, height: h, factor: f, noise: mesh.globalNoise, rejected, medianFwhm: medFwhm && medFwhm * f,
    searched: { x0: ox * f, y0: oy * f, x1: (ox + w) * f, y1: (oy + h) * f },
  };
}

/** a clipped top more elongated than this is not a star's (round stars give 1.0–1.3 here) */
const CORE_MAX_ELONGATION = 1.7;

/**
 * Whether a clipped top is a disk, as a star's is. One that is not is a clipped nebula knot, or
 * two saturated stars run together (whose position is neither star's). The shape is that of the
 * core without thin arms (clipped diffraction spikes, up to 4 px wide): the core eroded twice
 * (pixels whose 4 neighbours are in the core), or once, or not at all — the most eroded set
 * that still has 8 pixels.
 */
function roundCore(pix: number[], inCore: (i: number) => boolean, w: number, h: number): boolean {
  let set = pix.filter(inCore);
  const levels = [set];
  for (let k = 0; k < 2; k++) {
    const inSet = new Set(set);
    const next = set.filter((i) => {
      const x = i % w, y = (i - x) / w;
      return x > 0 && y > 0 && x < w - 1 && y < h - 1 && inSet.has(i - 1) && inSet.has(i + 1) && inSet.has(i - w) && inSet.has(i + w);
    });
    if (next.length < 8) break;
    levels.push(next);
    set = next;
  }
  const core = levels[levels.length - 1];
  let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (const i of core) {
    const x = i % w, y = (i - x) / w;
    sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
  }
  const n = core.length;
  const mx = sx / n, my = sy / n;
  const vxx = sxx / n - mx * mx + 1 / 12, vyy = syy / n - my * my + 1 / 12, vxy = sxy / n - mx * my;
  const t = (vxx + vyy) / 2, d = Math.sqrt(((vxx - vyy) / 2) ** 2 + vxy * vxy);
  if (Math.sqrt((t + d) / Math.max(t - d, 1e-6)) > CORE_MAX_ELONGATION) return false;
  // a disk of n pixels has a variance of n/(4π) along each axis; a ragged or hollow top is wider
  return t <= 1.6 * (n / (4 * Math.PI)) + 0.5;
}

/**
 * A signature or caption drawn on the picture: its letters are flat-topped (saturated-looking)
 * blobs in a row near the top or bottom edge, far more crowded than the picture's saturated stars
 * are anywhere else. Returns the blobs of such rows: ≥ 3 saturated detections within a band
 * 2·max(10 px, 1.5 % of the height) high and 60 % of the width long around one of them, in the
 * outer fifth of the height, and ≥ 8 times as many as the band would hold at the picture's mean
 * density of saturated detections (a dense field of saturated stars rarely has a row like that).
 */
function captionBlobs(stars: DetectedStar[], w: number, h: number): Set<DetectedStar> {
  const out = new Set<DetectedStar>();
  const sat = stars.filter((s) => s.saturated);
  if (sat.length < 3) return out;
  const ly = Math.max(10, 0.015 * h), lx = 0.3 * w;
  const expected = (sat.length * (2 * lx) * (2 * ly)) / (w * h);
  for (const c of sat) {
    if (c.y > 0.2 * h && c.y < 0.8 * h) continue;
    const band = sat.filter((s) => Math.abs(s.y - c.y) <= ly && Math.abs(s.x - c.x) <= lx);
    if (band.length >= 3 && band.length >= 8 * expected) for (const s of band) out.add(s);
  }
  return out;
}

/**
 * Brightness order. Among saturated stars the bigger clipped disk is the brighter (their clipped
 * flux sums say little, and the component around the core also holds whatever nebula or
 * neighbour it touches); unsaturated stars go by flux. The two lists are merged by flux: a
 * saturated star comes before an unsaturated one unless its clipped flux, and that of every
 * saturated star of a smaller core, is less than that star's (star reduction dims the cores
 * of the brightest stars below the clip, while fainter stars on a bright nebula or blended in
 * a crowded field reach it).
 */
function brightnessOrder(stars: DetectedStar[]): DetectedStar[] {
  const sat = stars.filter((s) => s.saturated).sort((a, b) => b.core - a.core || b.flux - a.flux);
  const plain = stars.filter((s) => !s.saturated).sort((a, b) => b.flux - a.flux);
  // a saturated star is at least as bright as any saturated star of a smaller core
  const key = new Float64Array(sat.length);
  for (let i = sat.length - 1; i >= 0; i--) key[i] = Math.max(sat[i].flux, i + 1 < sat.length ? key[i + 1] : 0);
  const out: DetectedStar[] = [];
  let i = 0, j = 0;
  while (i < sat.length || j < plain.length) {
    if (j >= plain.length || (i < sat.length && key[i] >= plain[j].flux)) out.push(sat[i++]);
    else out.push(plain[j++]);
  }
  return out;
}

function measure(
  pix: number[], resid: Float32Array, filt: Float32Array, data: Float32Array, w: number, h: number,
  saturation: number, quantum: number, noise: number, maxArea: number, reject: (why: string) => void,
): DetectedStar | null {
  const n = pix.length;
  // (a huge component is a nebula, unless it is a saturated star's halo and spikes: below)
  if (n > 8 * maxArea) { reject('huge'); return null; }
  let peak = -Infinity, ip = pix[0], fpeak = -Infinity, nsat = 0, top = -Infinity;
  let sum = 0, sx = 0, sy = 0;
  for (const i of pix) {
    const v = resid[i];
    if (v > peak) { peak = v; ip = i; }
    if (filt[i] > fpeak) fpeak = filt[i];
    if (data[i] >= saturation) nsat++;
    if (data[i] > top) top = data[i];
    if (v > 0) {
      const x = i % w, y = (i - x) / w;
      sum += v; sx += v * x; sy += v * y;
    }
  }
  if (!(sum > 0)) { reject('empty'); return null; }
  // Clipped top: pixels at the image's maximum, or a plateau of ≥ 4 pixels at the component's own
  // maximum when that is high in the picture's range — a colour picture clips each channel, so a
  // star's clipped core in the luminance depends on its colour and is not the image's maximum.
  // An unclipped star, even a soft one (FWHM 8 px), has at most 1–2 pixels within 2 % of its peak.
  // The top must also be flat compared with the star's own height: a faint star on a clipped
  // nebula sits on a plateau that is not its own.
  const tol = Math.max(2 * quantum, 0.02 * top);
  const plateau = top >= 0.6 * saturation ? top - tol : Infinity;
  const inCore = (i: number): boolean => data[i] >= plateau || data[i] >= saturation;
  let core = 0;
  for (const i of pix) if (inCore(i)) core++;
  // A plateau below the image maximum counts when it stands a fifth of the picture's range above
  // its surroundings (a palette PNG's few levels make small plateaus on faint stars too).
  const saturated = peak >= 10 * tol && (nsat >= 2 || (core >= 4 && peak >= 0.2 * saturation));
  if (!saturated) core = 0;
  else if (core >= 8 && !roundCore(pix, inCore, w, h)) { reject('flat-blob'); return null; }
  if (n > maxArea && !(saturated && core >= 8)) { reject('huge'); return null; }
  const px = ip % w, py = (ip - px) / w;
  if (px < 2 || py < 2 || px >= w - 2 || py >= h - 2) { reject('edge'); return null; }
  // Hot pixel / cosmic ray: the peak stands alone, its 4 neighbours far below it.
  if (!saturated) {
    const nb = (resid[ip - 1] + resid[ip + 1] + resid[ip - w] + resid[ip + w]) / 4;
    if (nb < 0.15 * peak) { reject('hot-pixel'); return null; }
  }
  let cx = sx / sum, cy = sy / sum;
  let mxx = 0, myy = 0, mxy = 0;
  for (const i of pix) {
    const v = resid[i];
    if (v <= 0) continue;
    const x = i % w, y = (i - x) / w;
    mxx += v * (x - cx) ** 2; myy += v * (y - cy) ** 2; mxy += v * (x - cx) * (y - cy);
  }
  mxx /= sum; myy /= sum; mxy /= sum;
  // Moments of a thresholded, pixelated profile: add the pixel's own variance (1/12).
  mxx += 1 / 12; myy += 1 / 12;
  const tr = (mxx + myy) / 2, det = Math.sqrt(((mxx - myy) / 2) ** 2 + mxy * mxy);
  const a2 = tr + det, b2 = Math.max(tr - det, 1e-6);
  const elongation = Math.sqrt(a2 / b2);
  const fwhm = 2.3548 * Math.sqrt(tr);
  // Blends: a second significant local maximum well away from the first.
  if (!saturated && n >= 6) {
    for (const i of pix) {
      if (i === ip) continue;
      const v = filt[i];
      if (v < 0.3 * fpeak) continue;
      const x = i % w, y = (i - x) / w;
      if (Math.abs(x - px) <= 2 && Math.abs(y - py) <= 2) continue;
      if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1) continue;
      if (v > filt[i - 1] && v >= filt[i + 1] && v > filt[i - w] && v >= filt[i + w] &&
          v > filt[i - w - 1] && v >= filt[i + w + 1] && v > filt[i - w + 1] && v >= filt[i + w - 1]) {
        reject('blend');
        return null;
      }
    }
  }
  // Windowed (Gaussian-weighted) centroid, as SExtractor's XWIN, started at the moments.
  const sw = Math.max(0.8, Math.min(fwhm, 12) / 2.3548);
  const r = Math.ceil(3 * sw);
  let wx = cx, wy = cy;
  if (!saturated) {
    for (let it = 0; it < 5; it++) {
      let sw0 = 0, swx = 0, swy = 0;
      const x0 = Math.round(wx), y0 = Math.round(wy);
      for (let y = Math.max(0, y0 - r); y <= Math.min(h - 1, y0 + r); y++) {
        for (let x = Math.max(0, x0 - r); x <= Math.min(w - 1, x0 + r); x++) {
          const d2 = (x - wx) ** 2 + (y - wy) ** 2;
          if (d2 > r * r) continue;
          const v = resid[y * w + x] * Math.exp(-d2 / (2 * sw * sw));
          sw0 += v; swx += v * (x - wx); swy += v * (y - wy);
        }
      }
      if (!(sw0 > 0)) break;
      const nx = wx + (2 * swx) / sw0, ny = wy + (2 * swy) / sw0;
      if (Math.hypot(nx - cx, ny - cy) > Math.max(2, fwhm)) { wx = cx; wy = cy; break; }
      const moved = Math.hypot(nx - wx, ny - wy);
      wx = nx; wy = ny;
      if (moved < 0.005) break;
    }
  }
  // Pixel centre of index x is x + 0.5 in the continuous convention.
  return { x: wx + 0.5, y: wy + 0.5, flux: sum, peak, fwhm, elongation, npix: n, saturated, core, snr: peak / Math.max(noise, 1e-30) };
}
