// Fact filters: the `facts.<agent>.<path>[.min|.max]` query parameters, with
// and without the list of searchable fields the loaded agents declare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFactFilters, type SearchableFactField } from '../../daemon/services/factFilters.ts';
import { agentFactSections } from '../../daemon/services/agentFacts.ts';
import { InvalidInputError } from '../../daemon/errors.ts';

const declared: SearchableFactField[] = [
  { agent: 'star-quality', path: 'medianFwhm', type: 'number', label: 'FWHM', unit: 'px', param: 'facts.star-quality.medianFwhm' },
  { agent: 'star-quality', path: 'shape', type: 'keyword', label: 'Star shape', param: 'facts.star-quality.shape' },
  { agent: 'guiding', path: 'rms.total', type: 'number', label: 'RMS', param: 'facts.guiding.rms.total' },
];

test('number ranges and keywords become one filter per field; other parameters are ignored', () => {
  const f = parseFactFilters({ target: 'M31', 'facts.star-quality.medianFwhm.min': '1.5', 'facts.star-quality.medianFwhm.max': ['9', '3.2'], 'facts.star-quality.shape': 'round', 'facts.guiding.rms.total.max': '0.8', 'facts.star-quality.noise.min': '' }, declared);
  assert.deepEqual(f, [
    { agent: 'star-quality', path: ['medianFwhm'], min: 1.5, max: 3.2 },
    { agent: 'star-quality', path: ['shape'], eq: 'round' },
    { agent: 'guiding', path: ['rms', 'total'], max: 0.8 },
  ]);
});

test('with the declared fields, unknown fields and wrong operators are refused with a clear message', () => {
  assert.throws(() => parseFactFilters({ 'facts.star-quality.noise.max': '3' }, declared), (e: Error) => e instanceof InvalidInputError && /facts\.star-quality\.noise is not a searchable fact \(searchable: facts\.star-quality\.medianFwhm\.min\/\.max, facts\.star-quality\.shape/.test(e.message));
  assert.throws(() => parseFactFilters({ 'facts.star-quality.medianFwhm': '3' }, declared), /is a number: filter it with facts\.star-quality\.medianFwhm\.min/);
  assert.throws(() => parseFactFilters({ 'facts.star-quality.shape.min': '3' }, declared), /is a keyword/);
  assert.throws(() => parseFactFilters({ 'facts.star-quality.medianFwhm.min': 'x' }, declared), /must be a number/);
  assert.throws(() => parseFactFilters({ 'facts.star-quality.medianFwhm.min': '5', 'facts.star-quality.medianFwhm.max': '2' }, declared), /min is larger than/);
  assert.throws(() => parseFactFilters({ 'facts.Bad Agent.x': '1' }, declared), /is not a fact filter/);
});

test('without the declared fields, any well-formed name is matched as given', () => {
  assert.deepEqual(parseFactFilters({ 'facts.other.a.b.min': '2', 'facts.other.kind': 'x' }), [
    { agent: 'other', path: ['a', 'b'], min: 2 },
    { agent: 'other', path: ['kind'], eq: 'x' },
  ]);
});

test('the image page sections list searchable fields first, with labels, units and keyword filter links', () => {
  const record = {
    facts: { 'star-quality': { medianFwhm: 3.1, shape: 'round', measuredOn: { width: 10, linear: true }, list: [1, 2] } },
    agents: [{ name: 'star-quality', version: '1.0.0', status: 'done' }],
  };
  const [s] = agentFactSections(record, [{ name: 'star-quality', description: 'Stars', searchable: declared.filter((d) => d.agent === 'star-quality') }]);
  assert.equal(s!.version, '1.0.0');
  assert.deepEqual(
    s!.rows.map((r) => [r.path, r.label, r.value, r.unit ?? null, r.filter ?? null]),
    [
      ['medianFwhm', 'FWHM', '3.1', 'px', null],
      ['shape', 'Star shape', 'round', null, 'facts.star-quality.shape=round'],
      ['measuredOn.width', 'measuredOn.width', '10', null, null],
      ['measuredOn.linear', 'measuredOn.linear', 'yes', null, null],
      ['list', 'list', '1, 2', null, null],
    ],
  );
});

test('a keyword fact with an enum accepts only its values', () => {
  const withEnum = declared.map((f) => (f.path === 'shape' ? { ...f, enum: ['round', 'elongated', 'trailed'] } : f));
  assert.deepEqual(parseFactFilters({ 'facts.star-quality.shape': 'trailed' }, withEnum), [{ agent: 'star-quality', path: ['shape'], eq: 'trailed' }]);
  assert.throws(() => parseFactFilters({ 'facts.star-quality.shape': 'square' }, withEnum), (e: Error) => e instanceof InvalidInputError && /must be one of round, elongated, trailed/.test(e.message));
});

test('facts that are not searchable are shown in the order, with the titles and units, of the factsSchema', () => {
  const record = { facts: { guiding: { zeta: 1, rms: { ra: 0.4, total: 0.61, dec: 0.3 }, frames: 12, note: 'ok' } }, agents: [{ name: 'guiding', version: '2', status: 'done' }] };
  const factsSchema = {
    type: 'object',
    properties: {
      frames: { type: 'integer', title: 'Guide frames' },
      rms: { type: 'object', properties: { total: { type: 'number' }, ra: { type: 'number', title: 'RMS in RA', unit: 'arcsec' }, dec: { type: 'number', title: 'RMS in Dec', unit: 'arcsec' } } },
      note: { type: 'string', title: '  ' },
    },
  };
  const [section] = agentFactSections(record, [{ name: 'guiding', searchable: [{ path: 'rms.total', type: 'number', label: 'RMS', unit: 'arcsec' }], factsSchema }]);
  assert.deepEqual(section!.rows.map((r) => [r.path, r.label, r.unit ?? null, r.searchable]), [
    ['rms.total', 'RMS', 'arcsec', true],
    ['frames', 'Guide frames', null, false],
    ['rms.ra', 'RMS in RA', 'arcsec', false],
    ['rms.dec', 'RMS in Dec', 'arcsec', false],
    ['note', 'note', null, false],
    ['zeta', 'zeta', null, false],
  ]);
});
