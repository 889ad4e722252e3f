import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveName, parseDesignation, findDesignations } from './index.ts';

const cases: [string, string][] = [
  ['M31', 'M31'], ['M 31', 'M31'], ['Messier 31', 'M31'], ['messier31', 'M31'], ['M031', 'M31'], ['NGC 224', 'M31'], ['NGC0224', 'M31'],
  ['Andromeda Galaxy', 'M31'], ['andromeda', 'M31'], ['the Andromeda galaxy', 'M31'],
  ['NGC7000', 'NGC 7000'], ['ngc 7000', 'NGC 7000'], ['NGC_7000', 'NGC 7000'], ['NGC 7000 North America', 'NGC 7000'],
  ['North America Nebula', 'NGC 7000'], ['north america', 'NGC 7000'],
  ['Orion Nebula', 'M42'], ['M 42 Mosaic', 'M42'], ['M42_Ha_300s', 'M42'], ['Great Orion Nebula', 'M42'],
  ['Horsehead', 'B 33'], ['Horsehead Nebula', 'B 33'], ['B33', 'B 33'], ['Barnard 33', 'B 33'],
  ['Pleiades', 'M45'], ['Seven Sisters', 'M45'],
  ['IC434', 'IC 434'], ['ic 434', 'IC 434'],
  ['Sh2-155', 'Sh2-155'], ['SH2 155', 'Sh2-155'], ['sh2_155', 'Sh2-155'], ['Sh 2-155', 'Sh2-155'], ['Sharpless 155', 'Sh2-155'], ['Cave Nebula', 'Sh2-155'],
  ['M31_Panel1', 'M31'], ['Panel2_M31', 'M31'], ['M31 Panel 3 of 6', 'M31'],
  ['LDN 1622', 'LDN 1622'], ['LBN 437', 'LBN 437'], ['Abell 426', 'Abell 426'], ['ACO 426', 'Abell 426'],
  ['Carina Nebula', 'NGC 3372'], ['Eta Carinae Nebula', 'NGC 3372'], ['Omega Centauri', 'NGC 5139'], ['47 Tuc', 'NGC 104'],
  ['LMC', 'PGC 17223'], ['Large Magellanic Cloud', 'PGC 17223'],
  ["Bode's Galaxy", 'M81'], ['Bode´s Galaxy', 'M81'], ['bodes galaxy', 'M81'], ['Crab Nebula', 'M1'], ['Crab', 'M1'],
  ['Heart Nebula', 'IC 1805'], ['Light_Heart_Ha', 'IC 1805'], ['Soul Nebula', 'IC 1848'], ['Rosette Nebula', 'NGC 2237'], ['NGC 2238', 'NGC 2237'],
  ['Veil', 'NGC 6992'], ['Western Veil Nebula', 'NGC 6960'], ['Witch Head Nebula', 'IC 2118'], ['Jellyfish Nebula', 'IC 443'],
  ['Caldwell 14', 'NGC 869'], ['Double Cluster', 'NGC 869'], ['Hyades', 'Mel 25'], ['Coathanger', 'Cr 399'], ['Beehive', 'M44'],
  ['M24', 'M24'], ['M40', 'M40'], ['M102', 'M102'], ['Spindle Galaxy', 'M102'],
];

test('resolves designations, common names and capture-program OBJECT strings', () => {
  const failures: string[] = [];
  for (const [query, id] of cases) {
    const got = resolveName(query)?.id ?? null;
    if (got !== id) failures.push(`${JSON.stringify(query)} → ${got}, expected ${id}`);
  }
  assert.deepEqual(failures, []);
});

test('returns null for text that names nothing', () => {
  for (const q of ['', '   ', 'Panel 1', 'flat', 'Light', 'dark_300s', 'test image', 'NGC 99999', 'M 200', null, undefined]) {
    assert.equal(resolveName(q as string | null), null, String(q));
  }
});

test('Messier objects are merged with their NGC entry', () => {
  const m31 = resolveName('M31')!;
  assert.equal(resolveName('NGC 224'), m31);
  assert.ok(m31.designations.includes('NGC 224'));
  assert.equal(m31.name, 'Andromeda Galaxy');
  assert.equal(m31.type, 'galaxy');
  // M8 has two records in d3-celestial (M 8 and NGC 6523): one entry
  assert.equal(resolveName('NGC 6523'), resolveName('M8'));
});

test('designation parser canonicalizes spellings', () => {
  assert.equal(parseDesignation('messier 045'), 'M45');
  assert.equal(parseDesignation('sh 2 - 101'), 'Sh2-101');
  assert.equal(parseDesignation('ACO S373'), 'Abell S373');
  assert.equal(parseDesignation('Collinder 399'), 'Cr 399');
  assert.equal(parseDesignation('PK 000+17.1'), 'PK 000+17.1');
  assert.equal(parseDesignation('Andromeda'), null);
  assert.deepEqual(findDesignations('Mosaic_M42_and_M43_NGC1977'), ['M42', 'M43', 'NGC 1977']);
  assert.deepEqual(findDesignations('Panel1 Bin2'), []);
});

test('resolution is fast once the index is built', () => {
  resolveName('M1');
  const t = performance.now();
  for (let i = 0; i < 2000; i++) resolveName(cases[i % cases.length]![0]);
  const perCall = (performance.now() - t) / 2000;
  assert.ok(perCall < 0.5, `${perCall.toFixed(3)} ms per call`);
});

test('exact resolution for typed targets: whole names and designations only', () => {
  assert.equal(resolveName('Pleiades', { exact: true })?.id, 'M45');
  assert.equal(resolveName('ngc7000', { exact: true })?.id, 'NGC 7000');
  assert.equal(resolveName('M42 and M43', { exact: true })?.id, 'M42');
  assert.equal(resolveName('Orion wide field', { exact: true }), null);
  assert.equal(resolveName('C/2023 A3 (Tsuchinshan–ATLAS)', { exact: true }), null);
  assert.equal(resolveName('Jupiter', { exact: true }), null);
  // header OBJECT text stays forgiving
  assert.equal(resolveName('Orion wide field')?.id, 'M42');
});
