/**
 * Imaging sessions, the pure rules (docs/sessions.md): the observing night of
 * a light frame, the grouping key of its session, whether it belongs to an
 * existing session, and the moon's illuminated fraction. The SQL (find or
 * create, link, aggregates) is in daemon/db/imagingSessions.ts; the Stitcher
 * puts them together in the transaction that writes the image row.
 */

import type { SessionCandidate, SessionKey } from '../../db/imagingSessions.ts';

export type { SessionCandidate, SessionKey };

/** Half a field when the field is not known (degrees): a typical small refractor's half field. */
export const DEFAULT_HALF_FIELD_DEG = 0.5;

/**
 * The observing night of a frame: the local date of the evening. With a site
 * longitude (east-positive degrees) the local time is the mean solar time
 * (UTC + longitude / 15 h); without one it is UTC. The night is the date of
 * (local time − 12 h), so the night runs from local noon to the next noon and a
 * session that crosses midnight is one night. Null without a capture time.
 */
export function observingNight(capturedAt: string | null, longitude: number | null | undefined): string | null {
  if (!capturedAt) return null;
  const t = Date.parse(capturedAt);
  if (!Number.isFinite(t)) return null;
  const offsetHours = typeof longitude === 'number' && Number.isFinite(longitude) && Math.abs(longitude) <= 180 ? longitude / 15 : 0;
  return new Date(t + (offsetHours - 12) * 3_600_000).toISOString().slice(0, 10);
}

/** The columns and record parts of a frame that the key is made from. */
export interface SessionSource {
  capturedAt: string | null;
  longitude: number | null;
  cameraId: string | null;
  telescopeId: string | null;
  focalLengthMm: number | null;
  binning: string | null;
  targetId: string | null;
  objectName: string | null;
  ra: number | null;
  dec: number | null;
  fieldWidthDeg: number | null;
  fieldHeightDeg: number | null;
}

/** The session key of a light frame, or null when it cannot belong to a session (no capture time). */
export function sessionKey(s: SessionSource): SessionKey | null {
  const night = observingNight(s.capturedAt, s.longitude);
  if (!night) return null;
  const fields = [s.fieldWidthDeg, s.fieldHeightDeg].filter((v): v is number => typeof v === 'number' && v > 0);
  return {
    night,
    cameraId: s.cameraId,
    telescopeId: s.telescopeId,
    focalLengthMm: typeof s.focalLengthMm === 'number' && s.focalLengthMm > 0 ? Math.round(s.focalLengthMm) : null,
    binning: s.binning?.trim() || null,
    targetId: s.targetId,
    objectName: s.objectName?.trim() || null,
    ra: s.ra,
    dec: s.dec,
    halfFieldDeg: fields.length ? Math.min(...fields) / 2 : DEFAULT_HALF_FIELD_DEG,
  };
}

/** The part of the key that must be equal: a lock and an index narrow the candidates with it. */
export function trainKey(k: SessionKey): string {
  return [k.night, k.cameraId ?? '-', k.telescopeId ?? '-', k.focalLengthMm ?? '-', k.binning ?? '-'].join('|');
}

/** Angular distance between two sky positions, degrees. */
export function separationDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((dec2 - dec1) * r) / 2) ** 2 + Math.cos(dec1 * r) * Math.cos(dec2 * r) * Math.sin(((ra2 - ra1) * r) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(a)))) / r;
}

/**
 * Whether a frame belongs to a session of the same night and train: the same
 * target; without a target, a pointing within half a field of the session's
 * pointing (the larger half field of the two); without a pointing either, the
 * same header object name (case-insensitive).
 */
export function sameSession(k: SessionKey, c: SessionCandidate): boolean {
  if (k.targetId || c.targetId) return k.targetId === c.targetId;
  if (k.ra !== null && k.dec !== null && c.ra !== null && c.dec !== null) {
    return separationDeg(k.ra, k.dec, c.ra, c.dec) <= Math.max(k.halfFieldDeg, c.halfFieldDeg ?? 0);
  }
  if (k.ra !== null || c.ra !== null) return false;
  return (k.objectName ?? '').toLowerCase() === (c.objectName ?? '').toLowerCase();
}

/** The first candidate the frame belongs to (the oldest session first, as the SQL orders them). */
export function pickSession(k: SessionKey, candidates: readonly SessionCandidate[]): SessionCandidate | null {
  return candidates.find((c) => sameSession(k, c)) ?? null;
}

/**
 * The moon's illuminated fraction (0–1) at a time: the phase angle from the
 * elongation of a compact lunar/solar ephemeris (Meeus, Astronomical
 * Algorithms ch. 48, the low-precision form with the six largest terms).
 * Accurate to about 0.01 (one percent of the disc) for 1900–2100.
 */
export function moonIllumination(at: string | Date): number | null {
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(t)) return null;
  const jd = t / 86_400_000 + 2_440_587.5;
  const T = (jd - 2_451_545) / 36_525;
  const deg = Math.PI / 180;
  const D = (297.8501921 + 445_267.1114034 * T - 0.0018819 * T * T) * deg;
  const M = (357.5291092 + 35_999.0502909 * T - 0.0001536 * T * T) * deg;
  const Mp = (134.9633964 + 477_198.8675055 * T + 0.0087414 * T * T) * deg;
  const i =
    180 -
    D / deg -
    6.289 * Math.sin(Mp) +
    2.1 * Math.sin(M) -
    1.274 * Math.sin(2 * D - Mp) -
    0.658 * Math.sin(2 * D) -
    0.214 * Math.sin(2 * Mp) -
    0.11 * Math.sin(D);
  return Math.round(((1 + Math.cos(i * deg)) / 2) * 1000) / 1000;
}
