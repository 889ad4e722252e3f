/**
 * The primary target of an image, the one a person would name: the object
 * named by the user or the header when that name resolves (and, with a
 * solution, is actually in the field), otherwise the most prominent object of
 * the field — apparent size relative to the field, brightness, centring,
 * catalog familiarity (Messier > NGC/IC > others) and a common name — with
 * containment both ways (a famous larger object that holds the best one and
 * fits the field wins; a famous object inside a larger host that has no name a
 * person uses wins over its host), and on very wide fields the brightest named
 * object.
 */
import { catalogRank } from './designation.ts';
import { angularSeparationDeg, type DsoEntry } from './dso.ts';
import type { FieldHit } from './field.ts';

export interface FieldGeometry {
  /** radius of the circle through the field corners, degrees */
  radiusDeg: number;
  /** shorter side of the field, degrees */
  shortSideDeg: number;
}

const CATALOG_WEIGHT = [1, 0.75, 0.7, 0.55, 0.5, 0.15, 0.05, 0.05];

/**
 * How much an object stands out as "the subject" of a field, 0..1: its size
 * relative to the field (best when it about fills it, less when it is a small
 * speck or a huge background region), brightness, catalog familiarity, a name,
 * and nearness to the centre.
 */
export function prominence(entry: DsoEntry, distanceDeg: number, field: FieldGeometry): number {
  const majorDeg = (entry.majorArcmin ?? 0) / 60;
  const fill = majorDeg / Math.max(field.shortSideDeg, 1e-6);
  const size = fill <= 1 ? Math.sqrt(fill) : Math.max(0, 1 - Math.log10(fill) / 1.2);
  const mag = entry.magnitude === null ? 0.3 : Math.min(1, Math.max(0, (16 - entry.magnitude) / 14));
  const catalog = CATALOG_WEIGHT[catalogRank(entry.id)] ?? 0.05;
  const named = entry.name ? 1 : 0;
  const centred = 1 - Math.min(1, distanceDeg / Math.max(field.radiusDeg, 1e-6));
  return (0.35 * size + 0.2 * mag + 0.3 * catalog + 0.15 * named) * (0.25 + 0.75 * centred);
}

/** Above this short side (degrees) a field is "very wide": a person names its brightest named object (or the constellation). */
export const WIDE_FIELD_DEG = 10;

/**
 * Score on a very wide field (constellation shots, Milky Way panoramas):
 * named objects with a known brightness only, ranked by brightness, catalog
 * familiarity, apparent size and nearness to the centre. Huge faint outlines
 * (Barnard's Loop) have no magnitude and do not compete.
 */
function wideFieldScore(entry: DsoEntry, distanceDeg: number, field: FieldGeometry): number {
  if (!entry.name || entry.magnitude === null) return -1;
  const mag = Math.min(1, Math.max(0, (16 - entry.magnitude) / 14));
  const catalog = CATALOG_WEIGHT[catalogRank(entry.id)] ?? 0.05;
  const size = Math.min(1, Math.sqrt(((entry.majorArcmin ?? 0) / 60) / (0.25 * field.shortSideDeg)));
  const centred = 1 - Math.min(1, distanceDeg / Math.max(field.radiusDeg, 1e-6));
  return (0.35 * mag + 0.4 * catalog + 0.25 * size) * (0.7 + 0.3 * centred);
}

/** Famous enough to be the name of a field that shows a smaller object inside it: Messier, or a common name. */
function famous(entry: DsoEntry): boolean {
  return catalogRank(entry.id) === 0 || entry.name !== null;
}

/** `inner` lies within the catalog extent of the larger `outer`. */
function inside(inner: FieldHit, outer: FieldHit): boolean {
  const major = outer.entry.majorArcmin ?? 0;
  return inner !== outer && major > (inner.entry.majorArcmin ?? 0) &&
    angularSeparationDeg(outer.entry.ra, outer.entry.dec, inner.entry.ra, inner.entry.dec) <= major / 120;
}

/**
 * A famous object inside the host must stand out about as much as the host
 * to take its place (it is then what the picture is of, not a speck in a
 * corner of a big region).
 */
const FAMOUS_INSIDE_MIN_RATIO = 0.6;

/**
 * The object a person would name for the field, or null when it shows
 * nothing from the catalog: the most prominent hit (see `prominence`; on a
 * very wide field the brightest named object), then containment both ways:
 * - a famous object (Messier or a common name) inside a larger host that has
 *   neither takes its place when it stands out nearly as much: dark nebulae
 *   and small features carry the names people use, their catalog hosts often
 *   do not (the Horsehead, B 33, in the unnamed IC 434);
 * - an object inside a larger, famous one (NGC 1432 inside M45) gives way to
 *   it when the larger one fits the field. An object with a common name of
 *   its own gives way only to a Messier object (the Merope Nebula to M45, not
 *   the Horsehead to the Flame Nebula, whose catalog extent reaches it).
 */
export function primaryFromField(hits: FieldHit[], field: FieldGeometry): FieldHit | null {
  let best: FieldHit | null = null;
  let bestScore = -1;
  const wide = field.shortSideDeg > WIDE_FIELD_DEG;
  if (wide) {
    for (const h of hits) {
      const s = wideFieldScore(h.entry, h.distanceDeg, field);
      if (s > bestScore) {
        best = h;
        bestScore = s;
      }
    }
    if (best) return best;
  }
  for (const h of hits) {
    const s = prominence(h.entry, h.distanceDeg, field);
    if (s > bestScore) {
      best = h;
      bestScore = s;
    }
  }
  // a famous object inside an unnamed host: B 33 (Horsehead) inside IC 434
  if (best && !famous(best.entry)) {
    const host: FieldHit = best;
    const floor = FAMOUS_INSIDE_MIN_RATIO * bestScore;
    let pickScore = -1;
    for (const h of hits) {
      if (!famous(h.entry) || !inside(h, host)) continue;
      const s = prominence(h.entry, h.distanceDeg, field);
      if (s >= floor && s > pickScore) {
        best = h;
        pickScore = s;
      }
    }
  }
  // containment, repeated: NGC 1435 inside M45, …
  for (let guard = 0; best && guard < 4; guard++) {
    const inner: FieldHit = best;
    const fitsDeg = 2 * field.radiusDeg;
    const innerRank = catalogRank(inner.entry.id);
    const maxRank = inner.entry.name !== null ? 0 : innerRank;
    const outer = hits.find((h) => famous(h.entry) && inside(inner, h) && (h.entry.majorArcmin ?? 0) / 60 <= fitsDeg &&
      catalogRank(h.entry.id) <= Math.min(maxRank, innerRank));
    if (!outer) break;
    best = outer;
  }
  return best;
}

/**
 * Whether a named target is plausibly what a solved field shows: its extent
 * reaches within the field circle (with a margin for mosaics and loose framing).
 */
export function namedTargetInField(entry: DsoEntry, distanceDeg: number, field: FieldGeometry): boolean {
  const radius = (entry.majorArcmin ?? 0) / 120;
  return distanceDeg <= field.radiusDeg + radius + Math.max(0.25, field.radiusDeg * 0.5);
}
