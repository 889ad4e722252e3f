// test-needs: tycho2
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { angularDistance } from '../wcs/index.ts';
import { testCatalog, requireTycho2Index } from './testing/testCatalog.ts';
import { rng } from './testing/renderStarField.ts';
import { buildStarCatalog } from './buildStarCatalog.ts';
import { SkyCells } from './cells.ts';
import { decodeStarCatalog, encodeStarCatalog, StarCatalog } from './starCatalog.ts';
import { readTycho2Index } from './tycho2Index.ts';

const cat = testCatalog();

test('catalog built from the Tycho-2 index plus missing Hipparcos stars', () => {
  assert.equal(cat.name, 'tycho2+hipparcos');
  assert.ok(cat.deep, 'deep');
  assert.ok(cat.size > 1_850_000 && cat.size < 1_900_000, `size ${cat.size}`);
  // The index lacks the brightest stars; the merge brings them back.
  for (const [name, ra, dec, maxMag] of [['Sirius', 101.2872, -16.7161, -1], ['Vega', 279.2347, 38.7837, 0.3], ['Canopus', 95.9880, -52.6957, -0.4]] as const) {
    const s = cat.query(ra, dec, 60 / 3600, { maxStars: 1 });
    assert.equal(s.count, 1, `${name} present`);
    assert.ok(s.mag[0] < maxMag, `${name} mag ${s.mag[0]}`);
  }
  const arcturus = cat.query(213.9153, 19.1824, 60 / 3600, { maxStars: 1 });
  assert.ok(arcturus.count === 1 && arcturus.mag[0] < 1, 'Arcturus from Tycho-2');
});

test('cap queries return exactly the stars within the radius, brightest first', () => {
  const rand = rng(42);
  const all = { n: cat.size };
  for (let t = 0; t < 4; t++) {
    const ra = rand() * 360, dec = t === 3 ? 88.5 : (rand() - 0.5) * 160, r = t === 3 ? 3 : 0.3 + rand() * 2;
    const q = cat.query(ra, dec, r);
    for (let i = 1; i < q.count; i++) assert.ok(q.mag[i - 1] <= q.mag[i], 'sorted by magnitude');
    for (let i = 0; i < q.count; i++) assert.ok(angularDistance(ra, dec, q.ra[i], q.dec[i]) <= r + 1e-9, 'inside');
    // brute force over every star
    let brute = 0;
    for (let i = 0; i < all.n; i++) {
      const d = cat.dec(i);
      if (Math.abs(d - dec) > r + 1e-6) continue;
      if (angularDistance(ra, dec, cat.ra(i), d) <= r) brute++;
    }
    assert.equal(q.count, brute, `query at ${ra.toFixed(1)},${dec.toFixed(1)} r=${r.toFixed(2)}`);
    const limited = cat.query(ra, dec, r, { maxStars: 10, maxMag: 10 });
    assert.ok(limited.count <= 10 && [...limited.mag].every((m) => m <= 10), 'limits');
  }
});

test('the brightest stars of a wide cap (read from the bright layer) are those of the full catalog', () => {
  const rand = rng(7);
  for (let t = 0; t < 12; t++) {
    const ra = rand() * 360, dec = t === 11 ? -87 : (rand() - 0.5) * 170, r = 4 + rand() * 14;
    const k = [1, 20, 80, 150, 600, 5000][t % 6];
    const maxMag = t % 4 === 3 ? 7.5 : undefined;
    const fast = cat.query(ra, dec, r, { maxStars: k, maxMag });
    const all = cat.query(ra, dec, r, { maxMag }); // every star of the cap, brightest first
    assert.equal(fast.count, Math.min(k, all.count), `count at ${ra.toFixed(1)},${dec.toFixed(1)} r ${r.toFixed(1)} k ${k}`);
    assert.deepEqual([...fast.mag], [...all.mag.subarray(0, fast.count)], 'the same magnitudes, brightest first');
    for (let i = 0; i < fast.count; i++) assert.ok(angularDistance(ra, dec, fast.ra[i], fast.dec[i]) <= r + 1e-9, 'inside');
  }
});

test('index reader decodes unit vectors and magnitudes', () => {
  const idx = readTycho2Index(requireTycho2Index());
  assert.ok(idx.indexId >= 4107 && idx.indexId <= 4119, 'idx.indexId >= 4107 && idx.indexId <= 4119');
  let ok = 0;
  for (let i = 0; i < idx.ra.length; i += 9973) {
    if (idx.ra[i] >= 0 && idx.ra[i] < 360 && Math.abs(idx.dec[i]) <= 90 && idx.mag[i] > -2 && idx.mag[i] < 16) ok++;
  }
  assert.equal(ok, Math.ceil(idx.ra.length / 9973));
});

test('file encoding round-trips; corrupt files are refused', () => {
  const rand = rng(7);
  const n = 5000;
  const list = { ra: new Float64Array(n), dec: new Float64Array(n), mag: new Float32Array(n) };
  for (let i = 0; i < n; i++) { list.ra[i] = rand() * 360; list.dec[i] = Math.asin(2 * rand() - 1) * 180 / Math.PI; list.mag[i] = 2 + 10 * rand(); }
  const c = StarCatalog.fromList(list, ['test:random']);
  const bytes = encodeStarCatalog(c);
  const d = decodeStarCatalog(bytes);
  assert.equal(d.size, n);
  assert.deepEqual(d.meta.sources, ['test:random']);
  const q1 = c.query(10, 20, 30), q2 = d.query(10, 20, 30);
  assert.deepEqual(Array.from(q1.ra), Array.from(q2.ra));
  // positions survive the fixed-point encoding to well below 0.01″
  const q = d.query(list.ra[0], list.dec[0], 1e-4);
  assert.equal(q.count, 1);
  assert.ok(angularDistance(q.ra[0], q.dec[0], list.ra[0], list.dec[0]) * 3600 < 0.01, 'precision');
  assert.ok(Math.abs(q.mag[0] - list.mag[0]) < 0.001, 'magnitude');
  assert.throws(() => decodeStarCatalog(bytes.subarray(0, bytes.length - 100)), /truncated|corrupt/);
  const bad = bytes.slice(); bad[0] = 0x41;
  assert.throws(() => decodeStarCatalog(bad), /magic/);
});

test('Hipparcos-only catalog when no Tycho-2 index is installed', () => {
  const { catalog } = buildStarCatalog({ tycho2Path: null });
  assert.equal(catalog.name, 'hipparcos');
  assert.equal(catalog.deep, false);
  assert.ok(catalog.size > 100_000, `size ${catalog.size}`);
});

test('sky cells cover the sphere with roughly square degrees', () => {
  const cells = new SkyCells(1);
  assert.ok(cells.count > 41000 && cells.count < 42500, `${cells.count} cells`);
  assert.equal(cells.cellOf(359.9999, 89.99), cells.count - 1);
  const near = cells.cellsInCap(0.2, 0, 0.5);
  assert.ok(near.includes(cells.cellOf(359.9, 0.1)), 'wraps at RA 0');
});
