/**
 * The primary target of an image: the object named in its header when that
 * name resolves (and, with a solution, is actually in the field), otherwise the
 * most prominent object near the field centre.
 */
import { catalogRank } from './designation.ts';
import type { DsoEntry } from './dso.ts';
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

/** The most prominent hit, or null when the field shows nothing from the catalog. */
export function primaryFromField(hits: FieldHit[], field: FieldGeometry): FieldHit | null {
  let best: FieldHit | null = null;
  let bestScore = -1;
  for (const h of hits) {
    const s = prominence(h.entry, h.distanceDeg, field);
    if (s > bestScore) {
      best = h;
      bestScore = s;
    }
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
