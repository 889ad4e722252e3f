import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { objectsInField, fieldCircle, skyToDisplay, displayCorners } from './field.ts';
import { parseFitsHeader, pixelToSky, skyToPixel, wcsFromRecord } from '../wcs/index.ts';
import { primaryFromField } from './primary.ts';
import { TESTDATA, corpus } from '../formats/test-data.ts';

const testdata = TESTDATA;

/** The header cards of a FITS file as a record (first card of a key wins). */
function fitsCards(file: string): Record<string, string | number> {
  const cards: Record<string, string | number> = {};
  for (const c of parseFitsHeader(readFileSync(file)).cards) {
    if (!(c.key in cards) && (typeof c.value === 'number' || typeof c.value === 'string')) cards[c.key] = c.value;
  }
  return cards;
}

/** North up, east left at `scale` arcsec/px, reference at the image centre. */
function northUp(ra: number, dec: number, width: number, height: number, scaleArcsec: number, rotationDeg = 0): Record<string, number | string> {
  const s = scaleArcsec / 3600;
  const r = (rotationDeg * Math.PI) / 180;
  return {
    CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRVAL1: ra, CRVAL2: dec, CRPIX1: (width + 1) / 2, CRPIX2: (height + 1) / 2,
    CD1_1: -s * Math.cos(r), CD1_2: s * Math.sin(r), CD2_1: s * Math.sin(r), CD2_2: s * Math.cos(r), IMAGEW: width, IMAGEH: height,
  };
}

test('TAN projection round trip', () => {
  const wcs = wcsFromRecord(northUp(83.82, -5.39, 3000, 2000, 2, 30))!;
  for (const [p1, p2] of [[1, 1], [3000, 2000], [1500.5, 1000.5], [17.3, 1999]] as const) {
    const [ra, dec] = pixelToSky(wcs, p1, p2);
    const [q1, q2] = skyToPixel(wcs, ra, dec)!;
    assert.ok(Math.abs(q1 - p1) < 1e-6 && Math.abs(q2 - p2) < 1e-6);
  }
  assert.equal(skyToPixel(wcs, 83.82 + 180, 5.39), null, 'the antipode is behind the plane');
});

test('an M42 field lists M42 at the centre and M43 above-left of it (north up, east left)', () => {
  const wcs = wcsFromRecord(northUp(83.8221, -5.3911, 3000, 2000, 2))!;
  const hits = objectsInField(wcs);
  const m42 = hits.find((h) => h.entry.id === 'M42')!;
  const m43 = hits.find((h) => h.entry.id === 'M43')!;
  assert.ok(m42 && m43);
  assert.ok(Math.abs(m42.x - 1500) < 0.01 && Math.abs(m42.y - 1000) < 0.01, `${m42.x},${m42.y}`);
  // M43 is 7.2′ north and 3.4′ east of M42: up (smaller y) and left (smaller x)
  assert.ok(m43.y < m42.y - 200 && m43.y > m42.y - 230, String(m43.y));
  assert.ok(m43.x < m42.x - 90 && m43.x > m42.x - 115, String(m43.x));
  // M42 is 90′ across: radius 45′ = 1350 px at 2″/px
  assert.ok(Math.abs(m42.rx! - 1350) < 1);
  for (const id of ['NGC 1977', 'NGC 1980']) assert.ok(hits.some((h) => h.entry.id === id), id);
  assert.ok(!hits.some((h) => h.entry.id === 'B 33'), 'the Horsehead is 1.9° away, outside this 1.7°×1.1° field');
  assert.equal(primaryFromField(hits, { radiusDeg: fieldCircle(wcs).radiusDeg, shortSideDeg: 2000 * 2 / 3600 })!.entry.id, 'M42');
});

test('FITS rows count from the bottom; ROWORDER=TOP-DOWN flips the display y', () => {
  const wcs = wcsFromRecord(northUp(10.6847, 41.26875, 4000, 3000, 6))!;
  const north = skyToDisplay(wcs, 10.6847, 41.26875 + 0.5)!;
  const northTopDown = skyToDisplay(wcs, 10.6847, 41.26875 + 0.5, { rowsTopDown: true })!;
  assert.ok(north[1] < 1500, 'north is up with bottom-up rows');
  assert.ok(northTopDown[1] > 1500, 'and down when the stored rows are shown top-down');
  assert.ok(Math.abs(north[1] + northTopDown[1] - 3000) < 1e-6);
  // pixel (1,1) is the bottom-left pixel; its centre is at (0.5, H - 0.5) in display coordinates
  const [ra, dec] = pixelToSky(wcs, 1, 1);
  const [x, y] = skyToDisplay(wcs, ra, dec)!;
  assert.ok(Math.abs(x - 0.5) < 1e-6 && Math.abs(y - 2999.5) < 1e-6);
  const corners = displayCorners(wcs);
  assert.ok(corners[0]![1] > corners[3]![1], 'top-left corner is north of bottom-left');
});

test('ellipse angle follows the position angle and the field rotation', () => {
  const norm = (a: number) => ((a % 180) + 180) % 180;
  // M31, PA 35° (north through east). North up, east left: the major axis points up-left, 55° from +x toward −y
  const up = objectsInField(wcsFromRecord(northUp(10.6847, 41.26875, 6000, 4000, 6))!).find((h) => h.entry.id === 'M31')!;
  assert.ok(Math.abs(norm(up.angleDeg!) - norm(-125)) < 0.5, String(up.angleDeg));
  assert.ok(up.rx! > up.ry! * 2.5, 'elongated');
  assert.ok(Math.abs(up.rx! - (189.1 / 2) * 60 / 6) < 2);
  // rotate the camera by 30°: the ellipse turns by 30° on screen too
  const rot = objectsInField(wcsFromRecord(northUp(10.6847, 41.26875, 6000, 4000, 6, 30))!).find((h) => h.entry.id === 'M31')!;
  const diff = norm(rot.angleDeg! - up.angleDeg!);
  assert.ok(Math.abs(diff - 30) < 0.5 || Math.abs(diff - 150) < 0.5, String(diff));
  // an object without a position angle is a circle
  const m42 = objectsInField(wcsFromRecord(northUp(83.8221, -5.3911, 3000, 2000, 2))!).find((h) => h.entry.id === 'M42')!;
  assert.equal(m42.angleDeg, null);
  assert.equal(m42.rx, m42.ry);
});

test('real astrometry.net solution (M106 sub, TAN-SIP, 5496×3672): M106 in the field', corpus, () => {
  const cards = fitsCards(path.join(testdata, 'fits-headers/photonfinder-M106_frame11.wcs.fits'));
  const wcs = wcsFromRecord(cards)!;
  assert.ok(wcs && wcs.sip, 'SIP terms read');
  const hits = objectsInField(wcs);
  const m106 = hits.find((h) => h.entry.id === 'M106');
  assert.ok(m106, hits.slice(0, 10).map((h) => h.entry.id).join(', '));
  assert.ok(m106.centreInside);
  assert.ok(m106.x > 0 && m106.x < 5496 && m106.y > 0 && m106.y < 3672);
  // field is ~1.9°×1.3°: the centre is within 0.2° of M106 (the frame was centred on it)
  assert.ok(m106.distanceDeg < 0.2, String(m106.distanceDeg));
  const circle = fieldCircle(wcs);
  const primary = primaryFromField(hits.filter((h) => h.centreInside), { radiusDeg: circle.radiusDeg, shortSideDeg: 3672 * 1.24 / 3600 });
  assert.equal(primary!.entry.id, 'M106');
});

test('real DSS plate with TAN WCS (astropy HorseHead.fits, 15′ field): the Horsehead is the primary', corpus, () => {
  const wcs = wcsFromRecord(fitsCards(path.join(testdata, 'platesolve/astropy-HorseHead.fits')))!;
  assert.equal(wcs.width, 891);
  const hits = objectsInField(wcs);
  const b33 = hits.find((h) => h.entry.id === 'B 33')!;
  assert.ok(b33 && b33.centreInside);
  // 0.029° west of the plate centre at ~1″/px, north up: ~105 px right of the centre column, on the centre row
  assert.ok(Math.abs(b33.x - 549) < 3 && Math.abs(b33.y - 447) < 3, `${b33.x},${b33.y}`);
  assert.ok(hits.some((h) => h.entry.id === 'IC 434'));
  const circle = fieldCircle(wcs);
  const primary = primaryFromField(hits.filter((h) => h.centreInside), { radiusDeg: circle.radiusDeg, shortSideDeg: 891 / 3600 });
  assert.equal(primary!.entry.id, 'B 33');
});

test('very large objects that cover the field are found (LMC around 30 Doradus)', () => {
  const wcs = wcsFromRecord(northUp(84.675, -69.1, 3000, 2000, 3))!;
  const ids = objectsInField(wcs).map((h) => h.entry.id);
  assert.ok(ids.includes('NGC 2070'));
  assert.ok(ids.includes('PGC 17223'), 'the LMC (645′) overlaps though its centre is outside');
});

test('field listing is fast', () => {
  const wcs = wcsFromRecord(northUp(185, 12.5, 6000, 4000, 3))!; // Virgo cluster, 5°×3.3°: dense
  objectsInField(wcs);
  const t = performance.now();
  const n = objectsInField(wcs).length;
  const ms = performance.now() - t;
  assert.ok(n > 100, String(n));
  assert.ok(ms < 50, `${ms.toFixed(1)} ms for ${n} objects`);
});
