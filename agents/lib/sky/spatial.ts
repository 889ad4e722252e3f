/**
 * A simple spatial index over the catalog: 1° declination zones, each sorted
 * by RA, plus a short list of very large objects that are always checked.
 * A cone query touches a few hundred entries at most.
 */
import { allDsoEntries, angularSeparationDeg, type DsoEntry } from './dso.ts';

/** Objects with a radius above this (degrees) are checked on every query. */
const LARGE_RADIUS_DEG = 1;

interface Zone {
  ra: Float64Array;
  entries: DsoEntry[];
}

interface SpatialIndex {
  zones: Zone[];
  large: DsoEntry[];
}

let index: SpatialIndex | null = null;

/** Angular radius of an entry's extent in degrees (0 when it has no size). */
export function radiusDeg(e: DsoEntry): number {
  return (e.majorArcmin ?? 0) / 120;
}

function build(): SpatialIndex {
  const buckets: DsoEntry[][] = Array.from({ length: 180 }, () => []);
  const large: DsoEntry[] = [];
  for (const e of allDsoEntries()) {
    if (radiusDeg(e) > LARGE_RADIUS_DEG) large.push(e);
    else buckets[Math.min(179, Math.max(0, Math.floor(e.dec + 90)))]!.push(e);
  }
  const zones = buckets.map((b) => {
    b.sort((x, y) => x.ra - y.ra);
    return { ra: Float64Array.from(b.map((e) => e.ra)), entries: b };
  });
  return { zones, large };
}

function lowerBound(arr: Float64Array, v: number): number {
  let lo = 0, hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Entries whose extent reaches within `radius` degrees of (ra, dec). */
export function coneSearch(ra: number, dec: number, radius: number): DsoEntry[] {
  index ??= build();
  const out: DsoEntry[] = [];
  const reach = radius + LARGE_RADIUS_DEG;
  const decLo = Math.max(-90, dec - reach), decHi = Math.min(90, dec + reach);
  const maxAbsDec = Math.max(Math.abs(decLo), Math.abs(decHi));
  const raHalf = maxAbsDec >= 89.9 ? 180 : Math.min(180, reach / Math.cos((maxAbsDec * Math.PI) / 180));
  const accept = (e: DsoEntry) => {
    if (angularSeparationDeg(ra, dec, e.ra, e.dec) <= radius + radiusDeg(e)) out.push(e);
  };
  for (let z = Math.floor(decLo + 90); z <= Math.min(179, Math.floor(decHi + 90)); z++) {
    const zone = index.zones[z]!;
    if (raHalf >= 180) {
      zone.entries.forEach(accept);
      continue;
    }
    const ranges: [number, number][] = [];
    const lo = ra - raHalf, hi = ra + raHalf;
    if (lo < 0) ranges.push([lo + 360, 360], [0, hi]);
    else if (hi >= 360) ranges.push([lo, 360], [0, hi - 360]);
    else ranges.push([lo, hi]);
    for (const [a, b] of ranges) {
      for (let i = lowerBound(zone.ra, a); i < zone.ra.length && zone.ra[i]! <= b; i++) accept(zone.entries[i]!);
    }
  }
  index.large.forEach(accept);
  return out;
}
