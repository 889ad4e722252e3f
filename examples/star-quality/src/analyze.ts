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
    const m = measureStar({ res, raw: data, width, height }, c.x, c.y);
    if (!m) continue;
    if (o.saturation !== null && m.peakValue >= o.saturation) {
      saturated++;
      continue;
    }
    // sharper than any optics can make: a hot-pixel cluster or a cosmic-ray track
    if (m.fwhm < 0.8) continue;
    measured.push(m);
  }
  const med = (pick: (m: StarMeasure) => number | null) => {
    const v = measured.map(pick).filter((x): x is number => x !== null && Number.isFinite(x));
    return v.length ? median(v) : null;
  };
  const fwhm = med((m) => m.fwhm);
  const hfr = med((m) => m.hfr);
  const grid = bg.grid;
  const centre = grid[Math.floor(bg.rows / 2) * bg.cols + Math.floor(bg.cols / 2)]!;
  const corners = [grid[0]!, grid[bg.cols - 1]!, grid[(bg.rows - 1) * bg.cols]!, grid[bg.rows * bg.cols - 1]!];
  const range = Math.max(...corners.map((c) => Math.abs(c - centre)));
  return {
    starCount: candidates.length,
    measuredStars: measured.length,
    saturatedStars: saturated,
    hotPixels,
    medianFwhm: fwhm === null ? null : fwhm * scale,
    medianHfr: hfr === null ? null : hfr * scale,
    medianEccentricity: med((m) => m.eccentricity),
    background: bg.level,
    noise: bg.noise,
    backgroundRange: bg.noise > 0 ? range / bg.noise : 0,
  };
}
