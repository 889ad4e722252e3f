/**
 * Star quality of one monochrome plane: background and noise, star
 * detection, and the median shape of the stars that measure cleanly (not
 * saturated, not at an edge, not blended). Pure: pixels in, numbers out.
 */
import { backgroundRow, estimateBackground } from './background.ts';
import { findCandidates } from './detect.ts';
import type { MonoPlane } from './luminance.ts';
import { measureStar, type StarMeasure } from './measure.ts';
import { median } from './stats.ts';

const SIGMA_TO_FWHM = 2 * Math.sqrt(2 * Math.LN2);
/** stars below this signal-to-noise ratio do not vote on the eccentricity (when there are enough above) */
const MIN_SNR_FOR_SHAPE = 50;

export interface AnalyzeOptions {
  /** detection threshold, in noise sigmas */
  detectionSigma: number;
  /** at most this many of the brightest stars are measured */
  maxStars: number;
  /** raw level at or above which a star counts as saturated (same units as the plane); null = never */
  saturation: number | null;
  /** background mesh cell, in plane pixels */
  cellSize?: number;
  /** called now and then with a fraction of the work done */
  onProgress?: (fraction: number) => void;
  /** checked between steps: stop early when aborted */
  signal?: AbortSignal;
}

export interface StarQuality {
  /** star detections (hot pixels and cosmic-ray hits excluded) */
  starCount: number;
  /** stars whose shape was measured (the medians below come from them) */
  measuredStars: number;
  saturatedStars: number;
  hotPixels: number;
  /** in sensor pixels (plane pixels × plane scale) */
  medianFwhm: number | null;
  medianHfr: number | null;
  medianEccentricity: number | null;
  /** in plane units (0..1 of the data type's range for integer data) */
  background: number;
  /** per sensor pixel (estimated from the plane's noise for binned planes) */
  noise: number;
  /** background at the frame's corners relative to its centre (vignetting or gradient), in noise sigmas */
  backgroundRange: number;
}

export function analyzeStars(plane: MonoPlane, o: AnalyzeOptions): StarQuality {
  const { data, width, height, scale } = plane;
  const bg = estimateBackground(data, width, height, o.cellSize ?? 64);
  o.onProgress?.(0.2);
  o.signal?.throwIfAborted();

  const res = new Float32Array(width * height);
  const row = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    backgroundRow(bg, width, height, y, row);
    const r = y * width;
    for (let x = 0; x < width; x++) res[r + x] = data[r + x]! - row[x]!;
  }
  o.onProgress?.(0.35);
  o.signal?.throwIfAborted();

  const noise = bg.noise > 0 ? bg.noise : Number.EPSILON;
  const { candidates, hotPixels } = findCandidates(res, width, height, { noise, sigma: o.detectionSigma, border: 4 });
  o.onProgress?.(0.5);

  const measured: StarMeasure[] = [];
  let saturated = 0;
  const toMeasure = candidates.slice(0, Math.max(0, o.maxStars) * 2);
  for (let i = 0; i < toMeasure.length && measured.length < o.maxStars; i++) {
    if (i % 256 === 0) {
      o.signal?.throwIfAborted();
      o.onProgress?.(0.5 + (0.5 * i) / toMeasure.length);
    }
    const c = toMeasure[i]!;
    const m = measureStar({ res, raw: data, width, height, noise }, c.x, c.y);
    if (!m) continue;
    if (o.saturation !== null && m.peakValue >= o.saturation) {
      saturated++;
      continue;
    }
    // sharper than any optics can make: a hot-pixel cluster or a cosmic-ray track
    if (m.fwhm < 0.8) continue;
    measured.push(m);
  }
  const med = (list: StarMeasure[], pick: (m: StarMeasure) => number | null) => {
    const v = list.map(pick).filter((x): x is number => x !== null && Number.isFinite(x));
    return v.length ? median(v) : null;
  };
  // A plane pixel averages scale×scale sensor pixels: that box widens every
  // star by a variance of (scale² − 1)/12 sensor pixels² per axis; take it off.
  const boxVar = (scale * scale - 1) / 12;
  const sensorSigma = (sigma: number) => Math.sqrt(Math.max((sigma * scale) ** 2 - boxVar, 0.01));
  const fwhmOf = (m: StarMeasure) => (SIGMA_TO_FWHM * (sensorSigma(m.sigmaMajor) + sensorSigma(m.sigmaMinor))) / 2;
  const fwhm = med(measured, fwhmOf);
  const hfr = med(measured, (m) => (m.hfr === null ? null : m.hfr * scale * (fwhmOf(m) / (m.fwhm * scale))));
  // noise elongates faint stars at random: the shape comes from the clearly measured ones
  let clear = measured.filter((m) => m.snr >= MIN_SNR_FOR_SHAPE);
  if (clear.length < 5) clear = [...measured].sort((p, q) => q.snr - p.snr).slice(0, Math.max(5, Math.ceil(measured.length / 4)));
  const eccentricity = med(clear, (m) => {
    const a = sensorSigma(m.sigmaMajor);
    const b = sensorSigma(m.sigmaMinor);
    return Math.sqrt(Math.max(0, 1 - (b * b) / (a * a)));
  });
  const grid = bg.grid;
  const centre = grid[Math.floor(bg.rows / 2) * bg.cols + Math.floor(bg.cols / 2)]!;
  const corners = [grid[0]!, grid[bg.cols - 1]!, grid[(bg.rows - 1) * bg.cols]!, grid[bg.rows * bg.cols - 1]!];
  const range = Math.max(...corners.map((c) => Math.abs(c - centre)));
  return {
    starCount: candidates.length,
    measuredStars: measured.length,
    saturatedStars: saturated,
    hotPixels,
    medianFwhm: fwhm,
    medianHfr: hfr,
    medianEccentricity: eccentricity,
    background: bg.level,
    // averaging scale² pixels divided the noise by scale: report it per sensor pixel
    noise: bg.noise * scale,
    backgroundRange: bg.noise > 0 ? range / bg.noise : 0,
  };
}
