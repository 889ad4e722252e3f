/**
 * What the `objects` agent concludes from earlier facts, as a plain function:
 * objects in the field, primary target, constellation(s), hemisphere.
 */
import type { FieldObject, FileFacts, ObjectsFacts, SolveFacts } from '../sdk/facts.ts';
import { coneSearch } from '../lib/sky/spatial.ts';
import {
  catalogRank, constellationAt, constellationsInPolygon, displayCorners, fieldCircle, hemisphereOf, namedTargetInField,
  objectsInField, primaryFromField, prominence, resolveName, angularSeparationDeg,
  type DsoEntry, type FieldGeometry, type FieldHit,
} from '../lib/sky/index.ts';
import { pixelScaleArcsec, wcsFromRecord } from '../lib/wcs/index.ts';

export interface IdentifyInput {
  file: Partial<FileFacts> | null;
  solve: Partial<SolveFacts> | null;
  /** the user's edits; `target` overrides the header's object name */
  user: { target?: unknown } | null;
  /** most objects to list (the primary is always kept) */
  maxObjects: number;
}

export interface IdentifyOutput {
  facts: ObjectsFacts;
  warnings: string[];
}

/** Where an object or position comes from: a plate solution, the header (pointing or OBJECT), the user, or the named target's catalog position. */
export type ObjectSource = 'plate-solution' | 'header' | 'user' | 'target';

function toFieldObject(e: DsoEntry, hit: FieldHit | null, primary: boolean, source: ObjectSource): FieldObject {
  return {
    source,
    id: e.id,
    designations: [...e.designations],
    name: e.name,
    type: e.type,
    ra: e.ra,
    dec: e.dec,
    magnitude: e.magnitude,
    sizeArcmin: e.majorArcmin,
    x: hit ? round(hit.x, 1) : null,
    y: hit ? round(hit.y, 1) : null,
    rx: hit?.rx != null ? round(hit.rx, 1) : null,
    ry: hit?.ry != null ? round(hit.ry, 1) : null,
    angleDeg: hit?.angleDeg != null ? round(hit.angleDeg, 1) : null,
    primary,
  };
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

/** Objects worth listing: familiar catalogs always; PGC/UGC/PK… only when big enough to see or bright. */
function worthListing(h: FieldHit, scaleArcsecPerPx: number): boolean {
  if (catalogRank(h.entry.id) <= 4 || h.entry.name) return true;
  const sizePx = ((h.entry.majorArcmin ?? 0) * 60) / scaleArcsecPerPx;
  return sizePx >= 12 || (h.entry.magnitude !== null && h.entry.magnitude <= 12);
}

function isTopDown(file: Partial<FileFacts> | null): boolean {
  if (file?.format !== 'fits') return false;
  const card = file.headers?.find((c) => c.key.toUpperCase() === 'ROWORDER');
  return typeof card?.value === 'string' && card.value.trim().toUpperCase() === 'TOP-DOWN';
}

function validPointing(p: unknown): { ra: number; dec: number } | null {
  if (!p || typeof p !== 'object') return null;
  const { ra, dec } = p as { ra?: unknown; dec?: unknown };
  if (typeof ra !== 'number' || typeof dec !== 'number' || !Number.isFinite(ra) || !Number.isFinite(dec)) return null;
  if (dec < -90 || dec > 90) return null;
  return { ra: ((ra % 360) + 360) % 360, dec };
}

export function identify(input: IdentifyInput): IdentifyOutput {
  const warnings: string[] = [];
  const userTarget = typeof input.user?.target === 'string' && input.user.target.trim() ? input.user.target.trim() : null;
  const headerName = typeof input.file?.acquisition?.object === 'string' ? input.file.acquisition.object : null;
  // the user's target is a name as typed (a comet or "Orion wide field" stays free text)
  const userEntry = userTarget ? resolveName(userTarget, { exact: true }) : null;
  if (userTarget && !userEntry) warnings.push(`the target "${userTarget}" is not in the catalog`);
  const headerEntry = !userTarget && headerName ? resolveName(headerName) : null;
  const named = userEntry ?? headerEntry;
  const namedSource = userEntry ? 'user' : headerEntry ? 'header' : null;

  const wcs = input.solve?.solved ? wcsFromRecord(input.solve.wcs ?? null, { width: input.file?.width, height: input.file?.height }) : null;
  if (input.solve?.solved && !wcs) warnings.push('the plate solution has no usable TAN WCS; objects come from the header only');

  const base = { userTarget, headerObject: headerName };

  if (wcs) {
    const options = { rowsTopDown: isTopDown(input.file) };
    const circle = fieldCircle(wcs);
    const scaleDeg = pixelScaleArcsec(wcs) / 3600;
    const field: FieldGeometry = { radiusDeg: circle.radiusDeg, shortSideDeg: Math.min(wcs.width, wcs.height) * scaleDeg };
    const hits = objectsInField(wcs, options).filter((h) => worthListing(h, scaleDeg * 3600));

    let primary: { entry: DsoEntry; hit: FieldHit | null } | null = null;
    let primarySource: string = 'none';
    if (named) {
      const distance = angularSeparationDeg(circle.ra, circle.dec, named.ra, named.dec);
      if (namedSource === 'user' || namedTargetInField(named, distance, field)) {
        primary = { entry: named, hit: hits.find((h) => h.entry === named) ?? null };
        primarySource = namedSource!;
      } else {
        warnings.push(`the header names ${named.id}, which is ${distance.toFixed(1)}° from the solved field centre; the target was taken from the field instead`);
      }
    }
    if (!primary) {
      const best = primaryFromField(hits.filter((h) => h.centreInside), field);
      if (best) {
        primary = { entry: best.entry, hit: best };
        primarySource = 'center';
      }
    }

    const ranked = hits
      .map((h) => ({ h, score: prominence(h.entry, h.distanceDeg, field) }))
      .sort((a, b) => b.score - a.score);
    const listed = ranked.slice(0, input.maxObjects).map((r) => r.h);
    if (ranked.length > listed.length) warnings.push(`${ranked.length} catalog objects overlap the field; the ${listed.length} most prominent are listed`);
    const objects: FieldObject[] = [];
    const primaryObjectSource: ObjectSource = primary?.hit ? 'plate-solution' : primarySource === 'user' ? 'user' : 'header';
    if (primary) objects.push(toFieldObject(primary.entry, primary.hit, true, primaryObjectSource));
    for (const h of listed) if (h.entry !== primary?.entry) objects.push(toFieldObject(h.entry, h, false, 'plate-solution'));

    const centre = constellationAt(circle.ra, circle.dec);
    const corners = displayCorners(wcs, options);
    let touched: string[];
    try {
      touched = constellationsInPolygon(corners).map((c) => c.abbr);
    } catch {
      touched = []; // a field too wide to sample on one tangent plane (all-sky fisheye): the centre only
    }
    if (!touched.includes(centre.abbr)) touched.unshift(centre.abbr);
    return {
      facts: {
        ...base,
        objects,
        primary: primary?.entry.id ?? null,
        primarySource,
        constellation: centre.abbr,
        constellationName: centre.name,
        constellations: [centre.abbr, ...touched.filter((a) => a !== centre.abbr)],
        hemisphere: hemisphereOf(circle.dec),
        positionSource: 'solution',
      },
      warnings,
    };
  }

  // No usable WCS: a solved centre and corners if the solver gave them, else the header (or the user).
  const solvedCentre = input.solve?.solved ? validPointing({ ra: input.solve.ra, dec: input.solve.dec }) : null;
  const pointing = validPointing(input.file?.acquisition?.pointing);
  const position = solvedCentre ?? pointing ?? (named ? { ra: named.ra, dec: named.dec } : null);
  const constellation = position ? constellationAt(position.ra, position.dec) : null;
  let constellations = constellation ? [constellation.abbr] : [];
  const corners = input.solve?.solved ? input.solve.corners : null;
  if (constellation && solvedCentre && Array.isArray(corners) && corners.length >= 3) {
    try {
      const touched = constellationsInPolygon(corners).map((c) => c.abbr);
      constellations = [constellation.abbr, ...touched.filter((a) => a !== constellation.abbr)];
    } catch {
      // corners too far apart to sample: the centre only
    }
  }
  const positionSource = solvedCentre ? 'solution' : pointing ? 'pointing' : named ? 'object' : null;
  const namedObjectSource: ObjectSource = namedSource === 'user' ? 'user' : 'header';

  // Header pointing without a solution: the objects there, marked as coming from the header
  let objects: FieldObject[] = named ? [toFieldObject(named, null, true, namedObjectSource)] : [];
  let primary = named?.id ?? null;
  let primarySource: string = namedSource ?? 'none';
  if (!solvedCentre && pointing) {
    const near = objectsNearPointing(pointing, headerField(input.file));
    if (named && near.field && angularSeparationDeg(pointing.ra, pointing.dec, named.ra, named.dec) > near.field.radiusDeg + (named.majorArcmin ?? 0) / 120 + Math.max(0.25, near.field.radiusDeg * 0.5) && namedSource !== 'user') {
      warnings.push(`the header names ${named.id}, which is far from the header's pointing; the target was taken from the pointing instead`);
      objects = [];
      primary = null;
      primarySource = 'none';
    }
    if (!primary) {
      const best = near.field ? primaryFromField(near.hits, near.field) : near.hits[0] ?? null;
      if (best) {
        primary = best.entry.id;
        primarySource = 'pointing';
        objects = [toFieldObject(best.entry, null, true, 'header')];
      }
    }
    const ranked = near.field ? near.hits.map((h) => ({ h, score: prominence(h.entry, h.distanceDeg, near.field!) })).sort((a, b) => b.score - a.score).map((r) => r.h) : near.hits;
    // without the field size only the object at the pointing is named; the rest of the field is unknown
    for (const h of near.field ? ranked.slice(0, input.maxObjects) : []) {
      if (!objects.some((o) => o.id === h.entry.id)) objects.push(toFieldObject(h.entry, null, false, 'header'));
    }
  }
  return {
    facts: {
      ...base,
      objects,
      primary,
      primarySource,
      constellation: constellation?.abbr ?? null,
      constellationName: constellation?.name ?? null,
      constellations,
      hemisphere: position ? hemisphereOf(position.dec) : null,
      positionSource,
    },
    warnings,
  };
}

/** The field an unsolved image covers, from its optics: focal length × pixel size × dimensions; null when not known. */
export function headerField(file: Partial<FileFacts> | null): FieldGeometry | null {
  const a = file?.acquisition;
  const fl = a?.focalLengthMm, px = a?.pixelSizeUm, w = file?.width, h = file?.height;
  if (!fl || !px || !w || !h || fl <= 0 || px <= 0) return null;
  const scaleDeg = (206.264806 * px) / fl / 3600;
  const wd = w * scaleDeg, hd = h * scaleDeg;
  if (!(wd > 0 && hd > 0) || Math.max(wd, hd) > 120) return null;
  return { radiusDeg: Math.hypot(wd, hd) / 2, shortSideDeg: Math.min(wd, hd) };
}

/**
 * Catalog objects around a header pointing. With the field known from the
 * optics, the objects whose centre lies within the circle the field surely
 * covers whatever its rotation (half the short side); without it, only the
 * objects whose extent holds the pointing itself. Positions in the picture are
 * unknown (no rotation, no solution): hits carry no pixel coordinates.
 */
function objectsNearPointing(p: { ra: number; dec: number }, field: FieldGeometry | null): { hits: FieldHit[]; field: FieldGeometry | null } {
  const radius = field ? field.shortSideDeg / 2 : 0;
  const hits: FieldHit[] = [];
  for (const e of coneSearch(p.ra, p.dec, radius)) {
    const d = angularSeparationDeg(p.ra, p.dec, e.ra, e.dec);
    const inside = field ? d <= radius : d <= (e.majorArcmin ?? 0) / 120;
    if (!inside) continue;
    if (field && !(catalogRank(e.id) <= 4 || e.name || (e.magnitude !== null && e.magnitude <= 12) || ((e.majorArcmin ?? 0) / 60) / field.shortSideDeg > 0.02)) continue;
    hits.push({ entry: e, x: NaN, y: NaN, rx: null, ry: null, angleDeg: null, distanceDeg: d, centreInside: true });
  }
  if (!field) {
    // the pointing lies inside these objects: the most familiar, then the smallest (the most specific) first
    hits.sort((a, b) => catalogRank(a.entry.id) - catalogRank(b.entry.id) || (a.entry.majorArcmin ?? 0) - (b.entry.majorArcmin ?? 0));
  } else hits.sort((a, b) => a.distanceDeg - b.distanceDeg);
  return { hits, field };
}
