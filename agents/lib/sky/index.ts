/**
 * Sky library: the deep-sky catalog, name resolution, constellations and
 * field geometry (on the WCS library's TAN/SIP, agents/lib/wcs). Data from d3-celestial (BSD-3-Clause, © Olaf Frohn); see
 * docs/catalogs.md.
 */
export { type DsoEntry, allDsoEntries, angularSeparationDeg } from './dso.ts';
export { resolveName, entryByDesignation } from './resolve.ts';
export { normalizeName, searchKey } from './names.ts';
export { parseDesignation, findDesignations, catalogRank } from './designation.ts';
export {
  type Constellation, constellationAt, constellationAtB1875, constellationsInPolygon, constellationNames, hemisphereOf,
} from './constellation.ts';
export { type FieldHit, type FieldOptions, objectsInField, fieldCircle, displayCorners, skyToDisplay, fitsToDisplay } from './field.ts';
export { type FieldGeometry, prominence, primaryFromField, namedTargetInField } from './primary.ts';
export { coneSearch } from './spatial.ts';
export { j2000ToB1875, b1875ToJ2000 } from './precession.ts';
export { readD3Json, d3CelestialDataDir } from './d3-data.ts';
