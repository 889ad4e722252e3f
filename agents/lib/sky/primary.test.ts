/**
 * The primary target is the name a person would give the picture: famous
 * features (often dark nebulae, with common names) inside large catalog
 * regions that have none, and famous hosts over their parts — on real catalog
 * fields (d3-celestial) and on small hand-made fields that pin the rule down.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectsInField, fieldCircle, type FieldHit } from './field.ts';
import { primaryFromField } from './primary.ts';
import { wcsFromRecord } from '../wcs/index.ts';
import type { DsoEntry } from './dso.ts';

/** The primary of a 3:2 north-up field of `fovDeg` width centred on (ra, dec). */
function primaryAt(ra: number, dec: number, fovDeg: number): string | null {
  const w = 3000, h = 2000, s = fovDeg / w;
  const wcs = wcsFromRecord({
    CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRVAL1: ra, CRVAL2: dec, CRPIX1: (w + 1) / 2, CRPIX2: (h + 1) / 2,
    CD1_1: -s, CD1_2: 0, CD2_1: 0, CD2_2: s, IMAGEW: w, IMAGEH: h,
  })!;
  const hits = objectsInField(wcs).filter((x) => x.centreInside);
  return primaryFromField(hits, { radiusDeg: fieldCircle(wcs).radiusDeg, shortSideDeg: (fovDeg * h) / w })?.entry.id ?? null;
}

test('a famous dark nebula inside an unnamed emission nebula names the field: the Horsehead (B 33), not IC 434', () => {
  for (const fov of [0.5, 1, 1.5, 2]) assert.equal(primaryAt(85.25, -2.46, fov), 'B 33', `${fov}° field`);
});

test('famous hosts and features keep their names: Pelican, Eagle (the Pillars), Cocoon, North America, Fish Head', () => {
  const cases: [string, number, number, number, string][] = [
    ['Pelican 1°', 312.75, 44.37, 1, 'IC 5070'],
    ['Pelican 2°', 312.75, 44.37, 2, 'IC 5070'],
    ['Pelican and North America 3°', 313.5, 44.2, 3, 'NGC 7000'],
    ['Pillars of Creation 0.15°', 274.70, -13.84, 0.15, 'M16'],
    ['Eagle 1°', 274.70, -13.81, 1, 'M16'],
    ['Cocoon 0.5° (IC 5146 with B 168)', 328.38, 47.27, 0.5, 'IC 5146'],
    ['Cocoon and its dark trail, 2°', 327.5, 47.3, 2, 'IC 5146'],
    ['Fish Head in the Heart 1°', 36.4, 62.0, 1, 'IC 1795'],
  ];
  for (const [name, ra, dec, fov, want] of cases) assert.equal(primaryAt(ra, dec, fov), want, name);
});

function entry(id: string, name: string | null, majorArcmin: number, magnitude: number | null, ra: number, dec: number, type = 'bright nebula'): DsoEntry {
  return { id, designations: [id], name, aliases: [], type, ra, dec, magnitude, majorArcmin, minorArcmin: majorArcmin, angleDeg: null };
}
function hit(e: DsoEntry, ra0: number, dec0: number): FieldHit {
  const distanceDeg = Math.hypot((e.ra - ra0) * Math.cos((dec0 * Math.PI) / 180), e.dec - dec0);
  return { entry: e, x: 0, y: 0, rx: null, ry: null, angleDeg: null, distanceDeg, centreInside: true };
}

test('the rule in general: a famous feature replaces its unnamed host only when it stands out nearly as much', () => {
  const field = { radiusDeg: 0.6, shortSideDeg: 0.67 };
  const host = entry('IC 9001', null, 50, 7, 100, 10, 'emission nebula');
  const central = entry('B 9001', 'Some Famous Nebula', 5, null, 100.02, 10.01, 'dark nebula');
  assert.equal(primaryFromField([host, central].map((e) => hit(e, 100, 10)), field)?.entry.id, 'B 9001');
  // the same famous feature far out in a corner of the field is not what the picture is of
  const corner = entry('B 9001', 'Some Famous Nebula', 2, null, 100.4, 10.35, 'dark nebula');
  assert.equal(primaryFromField([host, corner].map((e) => hit(e, 100, 10)), field)?.entry.id, 'IC 9001');
  // outside the host's extent it does not count as its feature
  const apart = entry('B 9002', 'Other Famous Nebula', 5, null, 100.2, 10.45, 'dark nebula');
  const smallHost = entry('IC 9002', null, 20, 7, 100, 10, 'emission nebula');
  assert.equal(primaryFromField([smallHost, apart].map((e) => hit(e, 100, 10)), field)?.entry.id, 'IC 9002');
});

test('the rule in general: a named feature gives way to a Messier host, not to another named region whose extent reaches it', () => {
  const field = { radiusDeg: 1.2, shortSideDeg: 1.33 };
  const feature = entry('NGC 9003', 'Feature Nebula', 8, 9, 200, 30);
  const messier = entry('M9', 'Messier Host', 100, 5, 200.2, 30.1);
  assert.equal(primaryFromField([feature, messier].map((e) => hit(e, 200, 30)), field)?.entry.id, 'M9');
  const namedRegion = entry('NGC 9004', 'Big Named Region', 120, null, 200.9, 30.2); // off-centre, its extent reaching the feature
  assert.equal(primaryFromField([feature, namedRegion].map((e) => hit(e, 200, 30)), field)?.entry.id, 'NGC 9003');
  // an unnamed feature still gives way to a named host of the same catalog
  const unnamed = entry('NGC 9005', null, 8, 9, 200, 30);
  assert.equal(primaryFromField([unnamed, namedRegion].map((e) => hit(e, 200, 30)), field)?.entry.id, 'NGC 9004');
});
