/**
 * Solve once per session (agent side): the subs of one night, one target and
 * one optical train point at almost the same place, so a solved sub's
 * solution is a tight hint for the next ones (verified on their own stars by
 * `solveImage`, never taken on trust). The platesolve agent keeps the last
 * solution of each (night, target, optics) in its cache (`ctx.cache`, shared
 * by every image and host) and reads it before solving.
 */
import type { FileFacts, SolveFacts } from '../sdk/facts.ts';
import type { Json } from '../sdk/index.ts';
import type { SiblingSolution } from './solveImage.ts';

/** how long a night's solution stays useful (a session rarely spans more than a night) */
export const SIBLING_TTL_SECONDS = 3 * 86_400;

/**
 * The cache key of a frame's session, or null when the frame does not say
 * enough to find siblings safely (no capture date, no target, unknown optics
 * or size). The night is the date 12 hours before the capture (UTC), so one
 * evening's and the next morning's subs are one night.
 */
export function siblingKey(file: Partial<FileFacts> | undefined): string | null {
  const a = file?.acquisition;
  const captured = file?.dates?.captured ? Date.parse(file.dates.captured) : NaN;
  if (!a || !Number.isFinite(captured) || !file?.width || !file.height) return null;
  const target = a.object?.trim().toLowerCase().replace(/\s+/g, ' ') || (a.pointing ? `${a.pointing.ra.toFixed(1)},${a.pointing.dec.toFixed(1)}` : null);
  if (!target || !a.focalLengthMm || !a.pixelSizeUm) return null;
  const night = new Date(captured - 12 * 3_600_000).toISOString().slice(0, 10);
  const optics = `${a.focalLengthMm}mm/${a.pixelSizeUm}um/${a.binning ?? '1x1'}/${a.camera ?? ''}/${file.width}x${file.height}`;
  return `sibling:${night}:${target}:${optics}`;
}

/** What to remember of a solved frame. */
export function siblingOf(facts: Partial<SolveFacts>): SiblingSolution | null {
  if (!facts.solved) return null;
  const { ra, dec, pixelScaleArcsec, rotationDeg, parity } = facts;
  if (typeof ra !== 'number' || typeof dec !== 'number' || typeof pixelScaleArcsec !== 'number' || typeof rotationDeg !== 'number' || (parity !== 'normal' && parity !== 'flipped')) return null;
  return { ra, dec, scaleArcsec: pixelScaleArcsec, rotationDeg, parity };
}

/** A cached value, if it is a sibling solution. */
export function readSibling(v: Json | undefined): SiblingSolution | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const { ra, dec, scaleArcsec, rotationDeg, parity } = v as Record<string, Json>;
  if (typeof ra !== 'number' || typeof dec !== 'number' || typeof scaleArcsec !== 'number' || typeof rotationDeg !== 'number' || (parity !== 'normal' && parity !== 'flipped')) return null;
  if (!(scaleArcsec > 0) || Math.abs(dec) > 90) return null;
  return { ra, dec, scaleArcsec, rotationDeg, parity };
}
