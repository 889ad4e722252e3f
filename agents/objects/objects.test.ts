import { test } from 'node:test';
import assert from 'node:assert/strict';
import agent from './index.ts';
import { testContext } from './test-context.ts';
import type { Facts } from '../sdk/index.ts';
import type { ObjectsFacts } from '../sdk/facts.ts';
import { constellationAt } from '../lib/sky/index.ts';

const constellationOf = (ra: number, dec: number) => constellationAt(ra, dec).abbr;

function fileFacts(object: string | null, pointing: { ra: number; dec: number } | null = null, extra: Record<string, unknown> = {}): Facts {
  return {
    format: 'fits', width: 3000, height: 2000, frameType: 'light', headers: [],
    acquisition: { object, pointing },
    ...extra,
  } as unknown as Facts;
}

function solved(ra: number, dec: number, width: number, height: number, scaleArcsec: number): Facts {
  const s = scaleArcsec / 3600;
  return {
    solved: true, reason: null, solver: 'test', ra, dec,
    wcs: { CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRVAL1: ra, CRVAL2: dec, CRPIX1: (width + 1) / 2, CRPIX2: (height + 1) / 2, CD1_1: -s, CD1_2: 0, CD2_1: 0, CD2_2: s, IMAGEW: width, IMAGEH: height },
    corners: null,
  } as unknown as Facts;
}

async function run(facts: Record<string, Facts>, settings = {}): Promise<{ facts: ObjectsFacts; warnings?: string[] }> {
  const result = await agent.run(testContext({ facts, settings }));
  return { facts: result.facts as unknown as ObjectsFacts, warnings: result.warnings };
}

test('contract: name, version, stage, inputs', () => {
  assert.equal(agent.name, 'objects');
  assert.equal(agent.version, '2');
  assert.deepEqual(agent.stages, ['identify']);
  assert.deepEqual(agent.uses, ['file', 'platesolve']);
});

test('solved M42 field: M42 primary from the header, M43 listed beside it, Orion, south', async () => {
  const { facts } = await run({ file: fileFacts('M 42 Mosaic'), platesolve: solved(83.8221, -5.3911, 3000, 2000, 2) });
  assert.equal(facts.primary, 'M42');
  assert.equal(facts.primarySource, 'header');
  assert.equal(facts.constellation, 'Ori');
  assert.equal(facts.constellationName, 'Orion');
  assert.deepEqual(facts.constellations, ['Ori']);
  assert.equal(facts.hemisphere, 'south');
  assert.equal(facts.positionSource, 'solution');
  const m42 = facts.objects[0]!;
  assert.equal(m42.id, 'M42');
  assert.equal(m42.primary, true);
  assert.ok(Math.abs(m42.x! - 1500) < 0.1 && Math.abs(m42.y! - 1000) < 0.1);
  const m43 = facts.objects.find((o) => o.id === 'M43')!;
  assert.ok(m43 && m43.primary === false && m43.designations.includes('NGC 1982'));
  assert.ok(m43.y! < m42.y!, 'M43 is north of M42: above it');
  assert.equal(facts.objects.filter((o) => o.primary).length, 1);
  // facts are plain JSON
  assert.deepEqual(JSON.parse(JSON.stringify(facts)), facts);
});

test('solved field without a usable header name: the most prominent object near the centre', async () => {
  const { facts } = await run({ file: fileFacts('Light'), platesolve: solved(10.6847, 41.26875, 6000, 4000, 3.5) });
  assert.equal(facts.primary, 'M31');
  assert.equal(facts.primarySource, 'center');
  assert.equal(facts.constellation, 'And');
  assert.equal(facts.hemisphere, 'north');
  for (const id of ['M32', 'M110']) assert.ok(facts.objects.some((o) => o.id === id), id);
});

test('a header name far from the solved field is not trusted', async () => {
  const { facts, warnings } = await run({ file: fileFacts('M31'), platesolve: solved(83.8221, -5.3911, 3000, 2000, 2) });
  assert.equal(facts.primary, 'M42');
  assert.equal(facts.primarySource, 'center');
  assert.ok(warnings?.some((w) => w.includes('M31')));
});

test('the user target wins over the header', async () => {
  const { facts } = await run({ file: fileFacts('M42'), platesolve: solved(83.8221, -5.3911, 3000, 2000, 2), user: { target: 'M43' } as Facts });
  assert.equal(facts.primary, 'M43');
  assert.equal(facts.primarySource, 'user');
  assert.equal(facts.objects[0]!.id, 'M43');
  const noSolve = await run({ file: fileFacts('M42'), user: { target: 'Pleiades' } as Facts });
  assert.equal(noSolve.facts.primary, 'M45');
  assert.equal(noSolve.facts.constellation, 'Tau');
});

test('no solution: header name → target, constellation from the header pointing', async () => {
  const { facts } = await run({ file: fileFacts('NGC_7000', { ra: 312.8, dec: 44.5 }) });
  assert.equal(facts.primary, 'NGC 7000');
  assert.equal(facts.primarySource, 'header');
  assert.equal(facts.objects.length, 1);
  assert.equal(facts.objects[0]!.x, null);
  assert.equal(facts.objects[0]!.name, 'North America Nebula');
  assert.equal(facts.constellation, 'Cyg');
  assert.equal(facts.hemisphere, 'north');
  assert.equal(facts.positionSource, 'pointing');
});

test('no solution and no pointing: constellation from the resolved object (southern targets)', async () => {
  for (const [name, id, con] of [['Carina Nebula', 'NGC 3372', 'Car'], ['47 Tuc', 'NGC 104', 'Tuc'], ['LMC', 'PGC 17223', 'Dor']] as const) {
    const { facts } = await run({ file: fileFacts(name) });
    assert.equal(facts.primary, id);
    assert.equal(facts.constellation, con);
    assert.equal(facts.hemisphere, 'south');
    assert.equal(facts.positionSource, 'object');
  }
});

test('nothing known: empty but valid facts', async () => {
  const { facts } = await run({ file: fileFacts('flat_field') });
  assert.deepEqual(facts.objects, []);
  assert.equal(facts.primary, null);
  assert.equal(facts.primarySource, 'none');
  assert.equal(facts.constellation, null);
  assert.equal(facts.hemisphere, null);
});

test('unsolved, header pointing without optics: the object at the pointing, marked as from the header', async () => {
  const pointed = await run({ file: fileFacts(null, { ra: 56.75, dec: 24.1 }) });
  assert.equal(pointed.facts.constellation, 'Tau');
  assert.equal(pointed.facts.hemisphere, 'north');
  assert.equal(pointed.facts.positionSource, 'pointing');
  assert.equal(pointed.facts.primary, 'M45');
  assert.equal(pointed.facts.primarySource, 'pointing');
  assert.deepEqual(pointed.facts.objects.map((o) => [o.id, o.source, o.x]), [['M45', 'header', null]]);
  // empty sky: constellation only
  const empty = await run({ file: fileFacts(null, { ra: 150, dec: -60 }) });
  assert.equal(empty.facts.primary, null);
  assert.equal(empty.facts.constellation, constellationOf(150, -60));
});

test('unsolved narrow field with optics in the header: objects in the field from the pointing, source header', async () => {
  // 0.1° field (2000 mm, 3.76 µm, 3000×2000 px ≈ 0.32°×0.21°) on M51
  const file = fileFacts(null, { ra: 202.4696, dec: 47.1952 }, { acquisition: { object: null, pointing: { ra: 202.4696, dec: 47.1952 }, focalLengthMm: 2000, pixelSizeUm: 3.76 } });
  const { facts } = await run({ file, platesolve: { solved: false, reason: 'field 0.32° is below the catalog limit' } as unknown as Facts });
  assert.equal(facts.primary, 'M51');
  assert.equal(facts.positionSource, 'pointing');
  assert.equal(facts.constellation, 'CVn');
  assert.ok(facts.objects.every((o) => o.source === 'header' && o.x === null));
  assert.ok(facts.objects.some((o) => o.designations.includes('NGC 5195')), 'the companion is in the field');
  assert.ok(!facts.objects.some((o) => o.id === 'M101'), 'nothing from outside the field');
  // a header OBJECT far from the pointing is not trusted
  const wrong = await run({ file: fileFacts('M31', { ra: 202.4696, dec: 47.1952 }, { acquisition: { object: 'M31', pointing: { ra: 202.4696, dec: 47.1952 }, focalLengthMm: 2000, pixelSizeUm: 3.76 } }) });
  assert.equal(wrong.facts.primary, 'M51');
  assert.ok(wrong.warnings?.some((w) => w.includes('M31')));
  // a header OBJECT at the pointing stays the target
  const right = await run({ file: fileFacts('Whirlpool', { ra: 202.4696, dec: 47.1952 }, { acquisition: { object: 'Whirlpool', pointing: { ra: 202.4696, dec: 47.1952 }, focalLengthMm: 2000, pixelSizeUm: 3.76 } }) });
  assert.equal(right.facts.primary, 'M51');
  assert.equal(right.facts.primarySource, 'header');
});

test('solved fields: objects are marked as from the plate solution', async () => {
  const { facts } = await run({ file: fileFacts(null), platesolve: solved(83.8221, -5.3911, 3000, 2000, 2) });
  assert.ok(facts.objects.length > 1 && facts.objects.every((o) => o.source === 'plate-solution'));
});

test('the primary target is the one a person would name (real fields)', async () => {
  const cases: [string, number, number, number, string | ((id: string) => boolean)][] = [
    ['Pleiades 3°×2°', 56.75, 24.12, 3.6, 'M45'],
    ['Pleiades 2°, centred on the Merope nebula', 56.58, 23.95, 2.4, 'M45'],
    ['M42/M43', 83.82, -5.39, 1.5, 'M42'],
    ['NGC 7000', 314.7, 44.5, 4, 'NGC 7000'],
    ['M31 with M32/M110', 10.68, 41.27, 3.5, 'M31'],
    ['Leo Triplet', 170.06, 13.3, 2, (id) => id === 'M65' || id === 'M66'],
    ['Cygnus wide field (30°×20°)', 308, 40, 36, 'NGC 7000'],
    ['Orion wide field (30°×20°)', 83, 0, 36, (id) => ['M42', 'NGC 1980', 'Cr 70'].includes(id)],
  ];
  for (const [name, ra, dec, scale, want] of cases) {
    const { facts } = await run({ file: fileFacts(null), platesolve: solved(ra, dec, 3000, 2000, scale) });
    const ok = typeof want === 'string' ? facts.primary === want : facts.primary !== null && want(facts.primary);
    assert.ok(ok, `${name}: ${facts.primary}`);
    assert.equal(facts.objects[0]!.id, facts.primary, name);
  }
  // the nebula inside the Pleiades is the target only when the Pleiades do not fit the field (1°: Maia alone)
  const maia = await run({ file: fileFacts(null), platesolve: solved(56.46, 24.37, 3000, 2000, 1.2) });
  assert.equal(maia.facts.primary, 'NGC 1432');
  // Barnard's Loop (huge, no magnitude) never names an Orion wide field
  const orion = await run({ file: fileFacts(null), platesolve: solved(83, 0, 3000, 2000, 36) });
  assert.notEqual(orion.facts.primary, 'Sh2-276');
  assert.equal(orion.facts.constellation, 'Ori');
});

test('maxObjects caps a dense field and keeps the primary', async () => {
  const { facts, warnings } = await run({ file: fileFacts('M87'), platesolve: solved(187.7, 12.4, 6000, 4000, 3) }, { maxObjects: 10 });
  assert.equal(facts.primary, 'M87');
  assert.ok(facts.objects.length <= 11);
  assert.ok(warnings?.some((w) => /most prominent/.test(w)));
  assert.equal(facts.constellation, 'Vir');
});

test('an all-sky fisheye solution does not break the agent', async () => {
  const { facts } = await run({ file: fileFacts(null), platesolve: solved(180, 45, 4000, 4000, 160) });
  assert.equal(facts.constellation, constellationOf(180, 45));
  assert.equal(facts.hemisphere, 'north');
});

test('solved without WCS cards: centre and corners still give the constellations', async () => {
  // a 4° field on the Andromeda/Pegasus border (Alpheratz), described only by its centre and corners
  const solve = { solved: true, ra: 2.1, dec: 29, wcs: null, corners: [[359.8, 31], [4.4, 31], [4.4, 27], [359.8, 27]] } as unknown as Facts;
  const { facts, warnings } = await run({ file: fileFacts('Alpheratz field'), platesolve: solve });
  assert.equal(facts.positionSource, 'solution');
  assert.deepEqual([...facts.constellations].sort(), ['And', 'Peg']);
  assert.equal(facts.constellation, constellationOf(2.1, 29));
  assert.ok(warnings?.some((w) => /no usable TAN WCS/.test(w)));
});
