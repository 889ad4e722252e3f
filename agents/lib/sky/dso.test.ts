import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allDsoEntries, d3CelestialDataDir, entryByDesignation } from './index.ts';

const TYPES = new Set([
  'galaxy', 'galaxy cluster', 'open cluster', 'globular cluster', 'emission nebula', 'reflection nebula', 'bright nebula',
  'star-forming region', 'planetary nebula', 'dark nebula', 'supernova remnant', 'star cloud', 'double star', 'asterism',
]);

test('catalog: size, unique ids and designations, sane values', () => {
  const all = allDsoEntries();
  assert.ok(all.length > 89_000, String(all.length));
  const ids = new Set<string>();
  const owner = new Map<string, string>();
  for (const e of all) {
    assert.ok(!ids.has(e.id), `duplicate id ${e.id}`);
    ids.add(e.id);
    assert.equal(e.designations[0], e.id);
    for (const d of e.designations) {
      assert.ok(!owner.has(d), `${d} belongs to ${owner.get(d)} and ${e.id}`);
      owner.set(d, e.id);
    }
    assert.ok(TYPES.has(e.type), `${e.id}: ${e.type}`);
    assert.ok(e.ra >= 0 && e.ra < 360 && e.dec >= -90 && e.dec <= 90, e.id);
    if (e.majorArcmin !== null) assert.ok(e.minorArcmin !== null && e.minorArcmin <= e.majorArcmin, e.id);
    if (e.type === 'dark nebula') assert.equal(e.magnitude, null, 'opacity classes are not magnitudes');
  }
  assert.equal(JSON.parse(JSON.stringify(all[0])).id, all[0]!.id, 'entries are plain JSON');
});

test('every Messier object is one entry, merged with its NGC record', () => {
  const pairs: [string, string][] = [['M1', 'NGC 1952'], ['M31', 'NGC 224'], ['M42', 'NGC 1976'], ['M43', 'NGC 1982'], ['M51', 'NGC 5194'], ['M101', 'NGC 5457'], ['M102', 'NGC 5866'], ['M110', 'NGC 205']];
  for (let n = 1; n <= 110; n++) assert.ok(entryByDesignation(`M${n}`), `M${n}`);
  for (const [m, ngc] of pairs) assert.equal(entryByDesignation(ngc), entryByDesignation(m), `${m} = ${ngc}`);
  assert.equal(entryByDesignation('M45')!.type, 'open cluster');
  // d3-celestial's NGC 5866 record has the wrong position; the Messier list's is kept (15h06.5m +55°46′)
  const m102 = entryByDesignation('M102')!;
  assert.ok(Math.abs(m102.ra - 226.62) < 0.05 && Math.abs(m102.dec - 55.76) < 0.05);
  assert.equal(entryByDesignation('M31')!.angleDeg, 35);
});

test('canonical ids across catalogs', () => {
  for (const id of ['NGC 7000', 'IC 434', 'Sh2-155', 'B 33', 'LDN 1622', 'LBN 437', 'Abell 426', 'Mel 25', 'Cr 399', 'PGC 17223']) {
    assert.equal(entryByDesignation(id)?.id, id, id);
  }
  assert.equal(entryByDesignation('C 9')!.id, 'Sh2-155');
  assert.equal(entryByDesignation('NGC 2238')!.id, 'NGC 2237');
});

test('d3-celestial is BSD-3-Clause (as docs/catalogs.md says)', () => {
  const pkg = JSON.parse(readFileSync(path.join(d3CelestialDataDir(), '..', 'package.json'), 'utf8')) as { license: string };
  assert.equal(pkg.license, 'BSD-3-Clause');
});
