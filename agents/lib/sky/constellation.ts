/**
 * Constellation of a position, from the IAU boundaries (Delporte 1930) as
 * shipped by d3-celestial (`constellations.bounds.json`, BSD-3-Clause).
 *
 * The official boundaries are arcs of constant right ascension and declination
 * in the B1875.0 equatorial system. d3-celestial stores the vertices precessed
 * to J2000, where those arcs are no longer straight in (RA, Dec), so testing a
 * J2000 position against straight J2000 edges would misplace objects near the
 * long edges. We therefore precess the vertices back to B1875.0, snap them to
 * the exact values of the definition (whole seconds of time, whole arcminutes;
 * the data land within 0.05″ of them) and drop the few interpolated vertices
 * that are not corners. A query position is precessed J2000 → B1875.0 (IAU 1976)
 * and tested against these exact rectilinear polygons in integer units.
 */
import { readD3Json } from './d3-data.ts';
import { j2000ToB1875 } from './precession.ts';

export interface Constellation {
  /** IAU abbreviation: "And", "CVn", "Ser" */
  abbr: string;
  /** IAU name: "Andromeda", "Canes Venatici", "Serpens" */
  name: string;
}

/**
 * A boundary polygon in B1875.0, kept as its edges along parallels (RA in
 * whole seconds of time 0..86399, Dec in whole arcminutes). Edges along
 * meridians are not needed: a position is inside when a ray from it to the
 * north celestial pole crosses the polygon's parallels an odd number of times,
 * or an even number when the polygon contains the north pole itself (Ursa
 * Minor). That makes the wrap at 0h and the polar caps need no special case.
 */
interface Region {
  abbr: string;
  /** parallel edges: declination, first RA of the half-open span [ra, ra + len), length */
  edges: { dec: number; ra: number; len: number }[];
  containsNorthPole: boolean;
  containsSouthPole: boolean;
  minDec: number;
  maxDec: number;
}

const FULL_DAY = 86400;

interface Feature<G> {
  id: string;
  properties: { name?: string };
  geometry: G;
}

function snapRing(ring: [number, number][]): { ra: number; dec: number }[] {
  const out: { ra: number; dec: number }[] = [];
  for (const [lon, lat] of ring) {
    const [ra, dec] = j2000ToB1875(lon < 0 ? lon + 360 : lon, lat);
    const raSec = (ra / 15) * 3600;
    const decMin = dec * 60;
    const raS = Math.round(raSec) % FULL_DAY;
    const decM = Math.round(decMin);
    const nearPole = Math.abs(dec) > 87;
    // Interpolated points (not corners of the definition) are not near round values: skip them.
    if (Math.abs(decMin - decM) > 0.05) continue;
    if (!nearPole && Math.abs(raSec - Math.round(raSec)) > 0.3) continue;
    const last = out[out.length - 1];
    if (last && last.ra === raS && last.dec === decM) continue;
    out.push({ ra: raS, dec: decM });
  }
  if (out.length > 1) {
    const first = out[0]!, last = out[out.length - 1]!;
    if (first.ra === last.ra && first.dec === last.dec) out.pop();
  }
  return out;
}

/** Signed shortest RA step from a to b, in (-43200, 43200]. */
function raStep(a: number, b: number): number {
  let d = (b - a) % FULL_DAY;
  if (d > FULL_DAY / 2) d -= FULL_DAY;
  if (d <= -FULL_DAY / 2) d += FULL_DAY;
  return d;
}

function toRegion(abbr: string, points: { ra: number; dec: number }[]): Region {
  const edges: Region['edges'] = [];
  let winding = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!, b = points[(i + 1) % points.length]!;
    const step = raStep(a.ra, b.ra);
    winding += step;
    if (step === 0) continue; // along a meridian
    if (a.dec !== b.dec) throw new Error(`constellation ${abbr}: edge is neither a parallel nor a meridian`);
    edges.push({ dec: a.dec, ra: step > 0 ? a.ra : b.ra, len: Math.abs(step) });
  }
  const decs = points.map((p) => p.dec);
  const meanDec = decs.reduce((x, y) => x + y, 0) / decs.length;
  return {
    abbr, edges,
    // a ring that goes once round the sky encloses the pole on its side
    containsNorthPole: Math.abs(winding) > FULL_DAY / 2 && meanDec > 0,
    containsSouthPole: Math.abs(winding) > FULL_DAY / 2 && meanDec < 0,
    minDec: Math.min(...decs), maxDec: Math.max(...decs),
  };
}

function inside(region: Region, x: number, y: number): boolean {
  let odd = false;
  for (const e of region.edges) {
    if (e.dec > y && (x - e.ra + FULL_DAY) % FULL_DAY < e.len) odd = !odd;
  }
  return odd !== region.containsNorthPole;
}

interface Boundaries {
  regions: Region[];
  names: Map<string, string>;
}

let boundaries: Boundaries | null = null;

function load(): Boundaries {
  const bounds = readD3Json<{ features: Feature<{ type: string; coordinates: [number, number][][] }>[] }>('constellations.bounds.json');
  const meta = readD3Json<{ features: Feature<unknown>[] }>('constellations.json');
  const names = new Map(meta.features.map((f) => [f.id, f.properties.name ?? f.id]));
  const regions: Region[] = [];
  for (const f of bounds.features) {
    for (const ring of f.geometry.coordinates) {
      const points = snapRing(ring);
      if (points.length >= 3) regions.push(toRegion(f.id, points));
    }
  }
  return { regions, names };
}

function data(): Boundaries {
  boundaries ??= load();
  return boundaries;
}

function* regionsAt(ra: number, dec: number): Generator<string> {
  const x = (((ra % 360) + 360) % 360) * 240; // seconds of time
  const y = dec * 60;
  for (const region of data().regions) {
    if (!region.containsNorthPole && y > region.maxDec) continue;
    if (!region.containsSouthPole && y < region.minDec) continue;
    if (inside(region, x, y)) yield region.abbr;
  }
}

/** Constellation abbreviation at a B1875.0 position (degrees), or null on a gap (never expected). */
export function constellationAbbrAtB1875(ra: number, dec: number): string | null {
  for (const abbr of regionsAt(ra, dec)) return abbr;
  return null;
}

/** Every boundary polygon containing a B1875.0 position (exactly one anywhere on the sky; for tests). */
export function regionsContainingB1875(ra: number, dec: number): string[] {
  return [...regionsAt(ra, dec)];
}

function named(abbr: string): Constellation {
  return { abbr, name: data().names.get(abbr) ?? abbr };
}

/** Constellation at a B1875.0 position (for tests against the definition). */
export function constellationAtB1875(ra: number, dec: number): Constellation {
  const abbr = constellationAbbrAtB1875(ra, dec)
    // exactly on a vertex: a nudge of 0.01″ decides
    ?? constellationAbbrAtB1875(ra + 3e-6, dec + 3e-6)
    ?? constellationAbbrAtB1875(ra - 3e-6, dec - 3e-6);
  if (!abbr) throw new Error(`no constellation at B1875 ${ra}, ${dec}`);
  return named(abbr);
}

/** Constellation of a J2000 position (degrees). */
export function constellationAt(ra: number, dec: number): Constellation {
  if (!Number.isFinite(ra) || !Number.isFinite(dec) || dec < -90 || dec > 90) {
    throw new RangeError(`invalid position ${ra}, ${dec}`);
  }
  const [ra1875, dec1875] = j2000ToB1875(ra, dec);
  return constellationAtB1875(ra1875, dec1875);
}

/** Every constellation (IAU name list: abbreviation → name). */
export function constellationNames(): Map<string, string> {
  return new Map(data().names);
}

/** Celestial hemisphere of a declination: 'north' for dec ≥ 0. */
export function hemisphereOf(dec: number): 'north' | 'south' {
  return dec >= 0 ? 'north' : 'south';
}

const DEG = Math.PI / 180;

/**
 * Every constellation a field touches, by sampling its outline and interior.
 * `corners` are the field's corners in order (J2000 degrees); the field is
 * treated as the quadrilateral they span on the tangent plane at its centre.
 * Sampling spacing is at most `stepDeg` (default: 1/40 of the field, ≤ 0.1°).
 * Sorted by how much of the field each covers, largest first.
 */
export function constellationsInPolygon(corners: [number, number][], options: { stepDeg?: number } = {}): Constellation[] {
  if (corners.length < 3) throw new RangeError('a field needs at least 3 corners');
  // centre = normalized mean of unit vectors
  let cx = 0, cy = 0, cz = 0;
  const vecs = corners.map(([ra, dec]) => {
    const v = [Math.cos(dec * DEG) * Math.cos(ra * DEG), Math.cos(dec * DEG) * Math.sin(ra * DEG), Math.sin(dec * DEG)] as const;
    cx += v[0]; cy += v[1]; cz += v[2];
    return v;
  });
  const n = Math.hypot(cx, cy, cz);
  const c = [cx / n, cy / n, cz / n] as const;
  // tangent plane basis: east and north at the centre
  const ra0 = Math.atan2(c[1], c[0]);
  const dec0 = Math.asin(c[2]);
  const east = [-Math.sin(ra0), Math.cos(ra0), 0] as const;
  const north = [-Math.sin(dec0) * Math.cos(ra0), -Math.sin(dec0) * Math.sin(ra0), Math.cos(dec0)] as const;
  const plane = vecs.map((v) => {
    const dot = v[0] * c[0] + v[1] * c[1] + v[2] * c[2];
    if (dot <= 0.05) throw new RangeError('field too large for constellation sampling');
    return [(v[0] * east[0] + v[1] * east[1] + v[2] * east[2]) / dot, (v[0] * north[0] + v[1] * north[1] + v[2] * north[2]) / dot] as const;
  });
  const span = Math.max(...plane.map((p) => Math.hypot(p[0], p[1]))) * 2 / DEG;
  const step = options.stepDeg ?? Math.min(0.1, Math.max(span / 40, 1e-4));
  const counts = new Map<string, number>();
  const sample = (x: number, y: number) => {
    // inverse gnomonic
    const rho = Math.hypot(x, y);
    const cc = Math.atan(rho);
    const sinc = Math.sin(cc), cosc = Math.cos(cc);
    const dec = rho === 0 ? dec0 : Math.asin(cosc * Math.sin(dec0) + (y * sinc * Math.cos(dec0)) / rho);
    const ra = ra0 + Math.atan2(x * sinc, rho * Math.cos(dec0) * cosc - y * Math.sin(dec0) * sinc);
    const abbr = constellationAt(((ra / DEG) % 360 + 360) % 360, dec / DEG).abbr;
    counts.set(abbr, (counts.get(abbr) ?? 0) + 1);
  };
  const stepRad = step * DEG;
  // outline: slivers at the edges are the usual case, so it is sampled densely
  for (let i = 0; i < plane.length; i++) {
    const a = plane[i]!, b = plane[(i + 1) % plane.length]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const k = Math.max(1, Math.min(4000, Math.ceil((len / stepRad) * 2)));
    for (let j = 0; j < k; j++) sample(a[0] + ((b[0] - a[0]) * j) / k, a[1] + ((b[1] - a[1]) * j) / k);
  }
  // interior: bilinear grid over the quadrilateral (or fan for other polygons)
  if (plane.length === 4) {
    const [p0, p1, p2, p3] = plane as unknown as [number, number][];
    const side = Math.max(Math.hypot(p1![0] - p0![0], p1![1] - p0![1]), Math.hypot(p3![0] - p0![0], p3![1] - p0![1]));
    const k = Math.max(2, Math.min(200, Math.ceil(side / stepRad)));
    for (let i = 1; i < k; i++) {
      for (let j = 1; j < k; j++) {
        const s = i / k, t = j / k;
        const x = (1 - s) * (1 - t) * p0![0] + s * (1 - t) * p1![0] + s * t * p2![0] + (1 - s) * t * p3![0];
        const y = (1 - s) * (1 - t) * p0![1] + s * (1 - t) * p1![1] + s * t * p2![1] + (1 - s) * t * p3![1];
        sample(x, y);
      }
    }
  } else {
    sample(0, 0);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([abbr]) => named(abbr));
}
