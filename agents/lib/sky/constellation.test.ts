import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constellationAt, constellationAtB1875, constellationsInPolygon, constellationNames, hemisphereOf } from './constellation.ts';
import { besselianEpochToJd, precessJ2000, b1875ToJ2000, j2000ToB1875 } from './precession.ts';
import { resolveName } from './resolve.ts';

test("Roman (1987) test positions, given for B1950", () => {
  // PASP 99, 695: the positions published with the constellation-identification program.
  const jd1950 = besselianEpochToJd(1950);
  const cases: [number, number, string][] = [
    [9.0, 65.0, 'UMa'], [23.5, -20.0, 'Aqr'], [5.12, 9.12, 'Ori'], [9.4555, -19.9, 'Hya'],
    [12.8888, 22.0, 'Com'], [15.6687, -12.1234, 'Lib'], [19.0, -40.0, 'CrA'], [6.2222, -81.1234, 'Men'],
  ];
  for (const [h, d, abbr] of cases) {
    const [ra, dec] = precessJ2000(h * 15, d, jd1950, true); // B1950 → J2000
    assert.equal(constellationAt(ra, dec).abbr, abbr, `${h}h ${d}°`);
  }
});

test('exact B1875 boundaries: Ori/Mon at 6h14m30s, Cep/UMi at +86°10′', () => {
  assert.equal(constellationAtB1875(6.241 * 15, 3).abbr, 'Ori');
  assert.equal(constellationAtB1875(6.24166 * 15, 3).abbr, 'Ori');
  assert.equal(constellationAtB1875(6.24171 * 15, 3).abbr, 'Mon');
  assert.equal(constellationAtB1875(22 * 15, 86.1666).abbr, 'Cep');
  assert.equal(constellationAtB1875(22 * 15, 86.16668).abbr, 'UMi');
  // the same boundary seen from J2000: positions 1″ either side of it, precessed forward
  const [raW, decW] = b1875ToJ2000(6.2416667 * 15 - 15 / 3600, 3);
  const [raE, decE] = b1875ToJ2000(6.2416667 * 15 + 15 / 3600, 3);
  assert.equal(constellationAt(raW, decW).abbr, 'Ori');
  assert.equal(constellationAt(raE, decE).abbr, 'Mon');
});

test('well-known targets', () => {
  const expect: [string, string, 'north' | 'south'][] = [
    ['M31', 'And', 'north'], ['M42', 'Ori', 'south'], ['M43', 'Ori', 'south'], ['M45', 'Tau', 'north'],
    ['NGC 7000', 'Cyg', 'north'], ['NGC 3372', 'Car', 'south'], ['NGC 104', 'Tuc', 'south'], ['LMC', 'Dor', 'south'],
    ['M1', 'Tau', 'north'], ['M13', 'Her', 'north'], ['M51', 'CVn', 'north'], ['M81', 'UMa', 'north'], ['M57', 'Lyr', 'north'],
    ['M27', 'Vul', 'north'], ['M16', 'Ser', 'south'], ['M8', 'Sgr', 'south'], ['B 33', 'Ori', 'south'], ['NGC 2237', 'Mon', 'north'],
    ['NGC 5139', 'Cen', 'south'], ['NGC 253', 'Scl', 'south'], ['M33', 'Tri', 'north'], ['IC 1805', 'Cas', 'north'],
    ['M44', 'Cnc', 'north'], ['M104', 'Vir', 'south'], ['NGC 7293', 'Aqr', 'south'], ['M101', 'UMa', 'north'],
  ];
  for (const [name, abbr, hemi] of expect) {
    const e = resolveName(name)!;
    assert.ok(e, name);
    assert.equal(constellationAt(e.ra, e.dec).abbr, abbr, name);
    assert.equal(hemisphereOf(e.dec), hemi, name);
  }
  assert.deepEqual(constellationAt(10.68, 41.27), { abbr: 'And', name: 'Andromeda' });
  assert.equal(constellationAt(0, 90).abbr, 'UMi');
  assert.equal(constellationAt(123, -90).abbr, 'Oct');
  assert.equal(hemisphereOf(0), 'north');
});

test('near-boundary bright stars (J2000 positions)', () => {
  // stars that sit close to a boundary; their IAU constellation is in their Bayer name
  const stars: [string, number, number, string][] = [
    ['Alpheratz (α And, beside Peg)', 2.0965, 29.0904, 'And'],
    ['Elnath (β Tau, beside Aur)', 81.5730, 28.6075, 'Tau'],
    ['Polaris (α UMi)', 37.9546, 89.2641, 'UMi'],
    ['Acrux (α Cru)', 186.6496, -63.0991, 'Cru'],
    ['Antares (α Sco)', 247.3519, -26.4320, 'Sco'],
    ['Altair (α Aql)', 297.6958, 8.8683, 'Aql'],
    ['Deneb (α Cyg)', 310.3580, 45.2803, 'Cyg'],
    ['Achernar (α Eri)', 24.4285, -57.2368, 'Eri'],
    ['Rasalhague (α Oph, beside Her)', 263.7336, 12.5600, 'Oph'],
    ['Rasalgethi (α Her, beside Oph)', 258.6619, 14.3903, 'Her'],
  ];
  for (const [name, ra, dec, abbr] of stars) assert.equal(constellationAt(ra, dec).abbr, abbr, name);
});

test('the boundaries cover the sky exactly once (grid of 100k points, B1875)', async () => {
  const { regionsContainingB1875 } = await import('./constellation.ts');
  let gaps = 0, overlaps = 0;
  for (let dec = -89.9; dec < 90; dec += 0.53) {
    for (let ra = 0.011; ra < 360; ra += 0.61) {
      const n = regionsContainingB1875(ra, dec).length;
      if (n === 0) gaps++;
      if (n > 1) overlaps++;
    }
  }
  assert.equal(gaps, 0);
  assert.equal(overlaps, 0);
  assert.equal(constellationNames().size, 88);
});

test('precession round trip and size of the J2000 → B1875 shift', () => {
  const [ra, dec] = j2000ToB1875(83.82, -5.39);
  const [ra2, dec2] = b1875ToJ2000(ra, dec);
  assert.ok(Math.abs(ra2 - 83.82) < 1e-9 && Math.abs(dec2 + 5.39) < 1e-9);
  // 125 years of general precession ≈ 1.74° in longitude; in RA near 5.6h about 1.5°
  assert.ok(Math.abs(ra - 83.82) > 1.3 && Math.abs(ra - 83.82) < 1.8, String(ra));
});

test('constellations touched by a field', () => {
  // a 4°×4° field centred on the And/Peg corner near Alpheratz
  const c = (ra: number, dec: number): [number, number] => [ra, dec];
  const field = [c(0.1 - 2.3 + 360, 31), c(4.4, 31), c(4.4, 27), c(0.1 - 2.3 + 360, 27)];
  const touched = constellationsInPolygon(field).map((x) => x.abbr).sort();
  assert.deepEqual(touched, ['And', 'Peg']);
  // a small field well inside Orion touches only Orion
  const m42 = [c(83.5, -5.1), c(84.1, -5.1), c(84.1, -5.7), c(83.5, -5.7)];
  assert.deepEqual(constellationsInPolygon(m42).map((x) => x.abbr), ['Ori']);
  // a field across the south celestial pole
  const pole = [c(0, -88), c(90, -88), c(180, -88), c(270, -88)];
  assert.deepEqual(constellationsInPolygon(pole).map((x) => x.abbr), ['Oct']);
});
