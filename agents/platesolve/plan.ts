/**
 * Before any search: can the installed catalogs solve this image at all, and
 * how much time is a search plausibly worth? Cheap estimates (a cap query of
 * the star catalog and the index files' quad-size ranges), so that an image
 * that cannot be solved is given up at once with a reason naming the field
 * size and the catalog's limit, instead of searching for the whole time limit.
 */
import type { StarCatalog } from '../lib/stars/starCatalog.ts';

/** Stable codes of `unsolvedReason.code` in the platesolve facts. */
export type UnsolvedCode =
  | 'image-size-unknown'
  | 'no-pixels'
  | 'no-catalog'
  | 'too-few-stars'
  | 'field-too-narrow'
  | 'too-few-catalog-stars'
  | 'no-index-match'
  | 'no-index-fits'
  | 'not-found'
  | 'aborted';

export interface UnsolvedReason {
  code: UnsolvedCode;
  message: string;
}

/** The verification needs this many matched stars (hinted.ts finalCheck), so the field must hold at least as many catalog stars. */
export const MIN_MATCHED_STARS = 8;
/** Fewer detected stars than this cannot be verified: no search. */
export const MIN_IMAGE_STARS = MIN_MATCHED_STARS;
/** Rich (Milky Way) fields hold about this many times the all-sky mean density (PLATESOLVE.md §2.2). */
const RICH_FIELD_FACTOR = 3;
const SKY_DEG2 = 41252.96;

export interface FieldEstimate {
  /** field size, degrees */
  widthDeg: number;
  heightDeg: number;
  /** catalog stars expected inside the field */
  expectedStars: number;
  /** catalog stars per square degree used for the estimate */
  density: number;
  /** where the density comes from: the hinted position, or the richest plausible sky (no position) */
  densityFrom: 'position' | 'rich-sky';
  feasible: boolean;
}

/**
 * Expected catalog stars in a field of `widthDeg` × `heightDeg`: the local
 * density around the position hint (over the search area, at least the
 * field), else an optimistic all-sky bound (a rich Milky Way field), so that
 * a field is only given up when even the best case cannot be verified.
 */
export function estimateField(
  cat: StarCatalog, widthDeg: number, heightDeg: number,
  position: { ra: number; dec: number; radius: number } | null,
): FieldEstimate {
  let density: number;
  let densityFrom: FieldEstimate['densityFrom'];
  if (position) {
    const r = Math.min(5, Math.max(position.radius, Math.hypot(widthDeg, heightDeg) / 2, 0.5));
    const set = cat.query(position.ra, position.dec, r);
    const areaDeg2 = 2 * Math.PI * (1 - Math.cos((r * Math.PI) / 180)) * (180 / Math.PI) ** 2;
    density = set.count / areaDeg2;
    densityFrom = 'position';
  } else {
    density = (RICH_FIELD_FACTOR * cat.size) / SKY_DEG2;
    densityFrom = 'rich-sky';
  }
  const expectedStars = density * widthDeg * heightDeg;
  return { widthDeg, heightDeg, expectedStars, density, densityFrom, feasible: expectedStars >= MIN_MATCHED_STARS };
}

/** Narrowest field (short side, degrees, at the image's aspect ratio) that holds enough catalog stars at `density`. */
export function narrowestSolvableFieldDeg(density: number, aspect: number): number {
  // w·h = w²·aspect (aspect = short/long) ≥ MIN / density
  const long = Math.sqrt(MIN_MATCHED_STARS / Math.max(density, 1e-9) / Math.max(aspect, 1e-3));
  return long * aspect;
}

export function describeCatalog(cat: StarCatalog): string {
  const first = cat.meta.sources[0] ?? '';
  if (first.startsWith('astap:')) return `ASTAP ${first.slice(6).toUpperCase()}`;
  if (first.startsWith('anindex:')) return `astrometry.net index ${first.slice(8)}`;
  if (cat.meta.sources.some((x) => x.startsWith('tycho2'))) return 'Tycho-2 (to V≈12)';
  if (cat.name === 'hipparcos') return 'Hipparcos (to V≈8)';
  return cat.name;
}

export function fieldTooNarrow(cat: StarCatalog, est: FieldEstimate, aspect: number, deeperInstalled = false): UnsolvedReason {
  const f = (v: number): string => (v >= 1 ? v.toFixed(2) : v.toFixed(3));
  const need = narrowestSolvableFieldDeg(est.density, aspect);
  return {
    code: 'field-too-narrow',
    message: `field ${f(est.widthDeg)}° × ${f(est.heightDeg)}° holds about ${est.expectedStars.toFixed(1)} stars of ${describeCatalog(cat)} ` +
      `(${est.density.toFixed(1)}/deg² ${est.densityFrom === 'position' ? 'around the header position' : 'in the richest sky'}); ` +
      `at least ${MIN_MATCHED_STARS} are needed, i.e. a field of ≳ ${f(need)}° on the short side here. ` +
      (deeperInstalled ? 'No deeper installed catalog covers it either' : 'A deeper catalog (ASTAP D50/D80 or astrometry.net 5200 index files, docs/catalogs.md) would solve it'),
  };
}

/**
 * Catalog stars in the field where the header (or a hint) says it points: a
 * circle of the field's area around the position (the rotation is unknown).
 * Unlike {@link estimateField}'s density over a wider area, this is the
 * field's own count — a poor patch of sky beside a rich one is given up at once.
 */
export function catalogStarsAt(cat: StarCatalog, ra: number, dec: number, widthDeg: number, heightDeg: number): number {
  return cat.query(ra, dec, Math.sqrt((widthDeg * heightDeg) / Math.PI)).count;
}

/**
 * Where the image points, at this scale: the reason to give up when the
 * catalog holds fewer stars in the field than a solution needs, else null.
 */
export function shortOfCatalogStars(
  cat: StarCatalog, at: { ra: number; dec: number }, width: number, height: number, scaleArcsec: number, deeperInstalled = false,
): UnsolvedReason | null {
  const w = (width * scaleArcsec) / 3600, h = (height * scaleArcsec) / 3600;
  const n = catalogStarsAt(cat, at.ra, at.dec, w, h);
  return n < MIN_MATCHED_STARS ? tooFewCatalogStars(cat, n, w, h, deeperInstalled) : null;
}

function tooFewCatalogStars(cat: StarCatalog, count: number, widthDeg: number, heightDeg: number, deeperInstalled: boolean): UnsolvedReason {
  const f = (v: number): string => (v >= 1 ? v.toFixed(2) : v.toFixed(3));
  return {
    code: 'too-few-catalog-stars',
    message: `field ${f(widthDeg)}° × ${f(heightDeg)}° holds ${count} stars of ${describeCatalog(cat)} where the header points; ` +
      `a solution needs at least ${MIN_MATCHED_STARS} matched stars. ` +
      (deeperInstalled ? 'No deeper installed catalog covers it either' : 'A deeper catalog (ASTAP D50/D80 or astrometry.net 5200 index files, docs/catalogs.md) would solve it'),
  };
}

/**
 * Why a blind search that used its whole plan (not cut by its budget) found
 * nothing: no pattern of the detected stars matched an installed index
 * pattern that the other stars confirm.
 */
export function noIndexMatch(stars: number, indexes: { id: number; scaleLow: number; scaleHigh: number }[]): UnsolvedReason {
  const arcmin = (a: number): string => (a >= 3600 ? `${(a / 3600).toFixed(1)}°` : `${Math.round(a / 60)}′`);
  const ids = indexes.map((i) => i.id).filter((i) => i > 0).sort((a, b) => a - b);
  const low = Math.min(...indexes.map((i) => i.scaleLow)), high = Math.max(...indexes.map((i) => i.scaleHigh));
  const which = indexes.length
    ? `the installed index files (${ids.length > 1 ? `${ids[0]}–${ids[ids.length - 1]}` : ids[0] ?? 'unnumbered'}, patterns of ${arcmin(low)}–${arcmin(high)})`
    : 'the installed star patterns';
  return {
    code: 'no-index-match',
    message: `blind search over ${stars} detected stars finished: no star pattern of the image matched ${which} with the other stars confirming it. ` +
      'The field may be narrower than the catalog can solve (Tycho-2: ≲ 0.7°, too few catalog stars), or its stars are not point sources (trails, heavy processing)',
  };
}

/**
 * Plausible time for a blind search: the built-in quad search is bounded by
 * the number of stars it combines, so a search over few stars is short.
 * Base + per star, at most `capMs`.
 */
export function blindBudgetMs(stars: number, capMs: number): number {
  return Math.max(0, Math.min(capMs, BLIND_BASE_MS + BLIND_PER_STAR_MS * Math.min(stars, BLIND_MAX_STARS)));
}
const BLIND_BASE_MS = 4000;
const BLIND_PER_STAR_MS = 150;
const BLIND_MAX_STARS = 80;

/** Quad sizes an image can show: from 1/10 of the short side to the diagonal (as quadSearch.ts). */
export function quadSizeRangeArcsec(width: number, height: number, scaleLow: number, scaleHigh: number): { low: number; high: number } {
  return { low: 0.1 * Math.min(width, height) * scaleLow, high: Math.hypot(width, height) * scaleHigh };
}

/** Whether one index's quads (diameter range, arcsec) fit an image of the given quad-size range. */
export function indexFits(index: { scaleLow: number; scaleHigh: number }, range: { low: number; high: number }): boolean {
  return index.scaleLow <= range.high && index.scaleHigh >= range.low;
}
