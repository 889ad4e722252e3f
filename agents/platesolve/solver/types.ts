/** Shapes shared by the solver parts. */
import type { Wcs } from '../../lib/wcs/index.ts';

/** Image stars in FITS pixel coordinates (1-based; p₂ per the image's pixel convention), brightest first. */
export interface ImageStars {
  p1: Float64Array;
  p2: Float64Array;
  flux: Float64Array;
  count: number;
  width: number;
  height: number;
  /** median FWHM in pixels, if known */
  fwhm: number | null;
  /**
   * where the stars were looked for, in FITS pixels (p₁ and p₂ ranges), when that was only a
   * part of the image: a check counts catalog stars there only
   */
  region?: { p1: [number, number]; p2: [number, number] };
}

/** The area (px²) in which the image stars were detected. */
export function searchedArea(stars: ImageStars): number {
  const r = stars.region;
  return r ? (r.p1[1] - r.p1[0]) * (r.p2[1] - r.p2[0]) : stars.width * stars.height;
}

export interface ScaleHint {
  /** arcsec per pixel range to search */
  low: number;
  high: number;
}

export interface PositionHint {
  ra: number;
  dec: number;
  /** search radius, degrees */
  radius: number;
}

/** A verified solution. */
export interface Solution {
  wcs: Wcs;
  matched: number;
  rmsArcsec: number;
  rmsPixels: number;
  /** log10 of the false-alarm probability (× hypotheses tried) at acceptance */
  log10FalseAlarm: number;
  hypotheses: number;
}

export interface SolverBudget {
  /** absolute deadline, ms on `clock` (default Date.now) */
  deadline: number;
  signal?: AbortSignal;
  /** the clock of `deadline`: the blind search counts CPU time ({@link cpuClock}) so a loaded machine does not cut it short */
  clock?: () => number;
  /** wall-clock limit (Date.now() ms) that applies whatever the clock */
  hardDeadline?: number;
}

export function outOfTime(b: SolverBudget): boolean {
  return (b.clock ?? Date.now)() > b.deadline || (b.hardDeadline !== undefined && Date.now() > b.hardDeadline) || b.signal?.aborted === true;
}

/** CPU time (user + system) of this process, ms. */
export function cpuClock(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function makeImageStars(
  stars: { x: number; y: number; flux: number }[], width: number, height: number, flipY: boolean, fwhm: number | null,
  searched?: { x0: number; y0: number; x1: number; y1: number },
): ImageStars {
  const n = stars.length;
  const p1 = new Float64Array(n), p2 = new Float64Array(n), flux = new Float64Array(n);
  stars.forEach((s, i) => {
    p1[i] = s.x + 0.5;
    p2[i] = flipY ? height - s.y + 0.5 : s.y + 0.5;
    flux[i] = s.flux;
  });
  const part = searched && (searched.x0 > 0 || searched.y0 > 0 || searched.x1 < width || searched.y1 < height);
  const region: ImageStars['region'] = part
    ? { p1: [searched.x0 + 0.5, searched.x1 + 0.5], p2: flipY ? [height - searched.y1 + 0.5, height - searched.y0 + 0.5] : [searched.y0 + 0.5, searched.y1 + 0.5] }
    : undefined;
  return { p1, p2, flux, count: n, width, height, fwhm, ...(region ? { region } : {}) };
}
