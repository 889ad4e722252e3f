/**
 * Auto-stretch of linear data in the manner of PixInsight's ScreenTransferFunction
 * (the AutoStretch of the STF tool): per channel median and normalized MAD give a
 * shadows clip c0 = median − 2.8·MAD and a midtones balance m chosen so that the
 * background lands at 0.25; highlights stay at 1.
 *
 * Values here are normalized to 0..1 (see `normalization` in render.ts).
 */
import type { RobustStats } from './stats.ts';

export type StretchMode = 'linked' | 'unlinked' | 'auto';

/** One channel's screen transfer function: clip [c0, c1] to [0, 1], then MTF with midtones m. */
export interface Stf {
  c0: number;
  c1: number;
  m: number;
}

export interface StfOptions {
  /** shadows clipping in units of normalized MAD from the median (PixInsight: −2.8) */
  shadowsClipping?: number;
  /** where the median lands after the stretch (PixInsight: 0.25) */
  targetBackground?: number;
}

/** The identity transfer function (no stretch). */
export const IDENTITY_STF: Stf = Object.freeze({ c0: 0, c1: 1, m: 0.5 });

/**
 * Midtones transfer function MTF(m, x): 0 → 0, m → 0.5, 1 → 1. With m < 0.5 it
 * brightens. It is its own inverse in the sense used below: the m that sends x to
 * t is MTF(t, x).
 */
export function mtf(m: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (m === 0.5) return x;
  return ((m - 1) * x) / ((2 * m - 1) * x - m);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** The STF that sends `median` to the target background, clipping shadows at median + k·MAD. */
function stfFor(median: number, mad: number, o: Required<StfOptions>): Stf {
  // a MAD of exactly zero (constant or posterized data) gives no noise scale: do not clip
  const c0 = mad > 0 ? clamp01(median + o.shadowsClipping * mad) : 0;
  const x = c0 < 1 ? (median - c0) / (1 - c0) : 0;
  if (!(x > 0) || x >= 1) return { ...IDENTITY_STF };
  return { c0, c1: 1, m: mtf(o.targetBackground, x) };
}

/**
 * Screen transfer functions for every channel from its statistics (normalized
 * 0..1 data). `linked`: one STF from the averaged statistics, applied to every
 * channel (keeps the colour balance, like PixInsight's linked RGB). `unlinked`:
 * one per channel (neutralizes a colour cast of the background).
 */
export function computeStf(
  stats: readonly RobustStats[],
  mode: 'linked' | 'unlinked',
  options: StfOptions = {},
): Stf[] {
  const o: Required<StfOptions> = { shadowsClipping: -2.8, targetBackground: 0.25, ...options };
  if (mode === 'unlinked' || stats.length === 1) return stats.map((s) => stfFor(s.median, s.mad, o));
  // PixInsight averages the per-channel clip points and medians, then derives one m
  let c0 = 0;
  let median = 0;
  for (const s of stats) {
    c0 += s.mad > 0 ? s.median + o.shadowsClipping * s.mad : 0;
    median += s.median;
  }
  c0 = clamp01(c0 / stats.length);
  median /= stats.length;
  const x = c0 < 1 ? (median - c0) / (1 - c0) : 0;
  const stf = !(x > 0) || x >= 1 ? { ...IDENTITY_STF } : { c0, c1: 1, m: mtf(o.targetBackground, x) };
  return stats.map(() => ({ ...stf }));
}

/** Applies an STF to one normalized value. */
export function applyStf(stf: Stf, v: number): number {
  const x = (v - stf.c0) / (stf.c1 - stf.c0);
  return mtf(stf.m, x);
}

/**
 * Resolves `auto`: linked when the channels' backgrounds already agree (a
 * colour-calibrated or mono image: keep its colours), unlinked when they differ
 * by more than 10 % (raw one-shot-colour data, light pollution: neutralize).
 */
export function resolveMode(mode: StretchMode, stats: readonly RobustStats[]): 'linked' | 'unlinked' {
  if (mode !== 'auto') return mode;
  if (stats.length < 2) return 'linked';
  const medians = stats.map((s) => s.median);
  const lo = Math.min(...medians);
  const hi = Math.max(...medians);
  if (!(lo > 0)) return 'unlinked';
  return hi / lo > 1.1 ? 'unlinked' : 'linked';
}

/**
 * True when normalized statistics look like already processed (stretched)
 * data: a background well above what a linear frame shows (median > 0.1) with
 * a broad histogram (MAD above 8 % of the median). Linear frames of a bright
 * sky or flats have a high median but a narrow peak (MAD ≈ 1 % of the median);
 * stretched data carry their amplified noise and nebulosity in a broad one.
 */
export function looksNonLinear(stats: readonly RobustStats[]): boolean {
  if (stats.length === 0) return false;
  const median = stats.reduce((a, s) => a + s.median, 0) / stats.length;
  const mad = stats.reduce((a, s) => a + s.mad, 0) / stats.length;
  return median > 0.1 && mad > 0.08 * median;
}
