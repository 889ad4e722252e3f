import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeName, searchKey } from './names.ts';
import { parseDesignation } from './designation.ts';

test('the compact search key: spellings of one designation agree', () => {
  for (const s of ['M 31', 'm31', 'Messier 31', 'M-31', 'ｍ３１']) assert.equal(searchKey(s), 'm31', s);
  for (const s of ['NGC224', 'ngc 224', 'NGC-224']) assert.equal(searchKey(s), 'ngc224', s);
  assert.equal(searchKey('PK 000+17.1'), 'pk000+171');
  assert.equal(searchKey('Bode´s Galaxy'), 'bodesgalaxy');
});

test('the word key: names and free text', () => {
  assert.equal(normalizeName('Bode´s Galaxy'), 'bodes galaxy');
  assert.equal(normalizeName('The Pleiades'), 'pleiades');
  assert.equal(normalizeName('ρ Oph Cloud Complex'), 'rho oph cloud complex');
  assert.equal(normalizeName('Rosette & Cone'), 'rosette and cone');
  assert.equal(normalizeName('NGC_7000 North-America'), 'ngc 7000 north america');
});

test('canonical designations are the designation parser\'s (one home each)', () => {
  for (const s of ['M 31', 'm31', 'Messier 31', 'messier 031']) assert.equal(parseDesignation(s), 'M31', s);
  for (const s of ['NGC224', 'ngc 224', 'NGC 0224']) assert.equal(parseDesignation(s), 'NGC 224', s);
});
