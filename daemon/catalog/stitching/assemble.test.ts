import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleImage, type StitchInput } from './assemble.ts';
import type { ResultRow } from '../../db/results.ts';

function row(agent: string, facts: unknown, status: ResultRow['status'] = 'done', error: string | null = null): ResultRow {
  return { agent, stage: 'x', agent_version: '1', input_hash: 'h', status, facts, error, warnings: [], attempts: 1, runs: 1, next_attempt_at: null, finished_at: null, duration_ms: 1 };
}

function input(results: ResultRow[]): StitchInput {
  return { id: '00000000-0000-0000-0000-000000000001', provider: 'library', storageKey: 'M51/light.fits', sizeBytes: 1, modifiedAt: null, createdAt: '2026-01-01T00:00:00Z', results, edits: null, derived: [] };
}

const file = { format: 'fits', width: 3000, height: 2000, frameType: 'light', headers: [], acquisition: { object: null }, dates: { captured: null } };
const headerObjects = {
  objects: [{ id: 'M51', designations: ['M 51'], name: 'Whirlpool Galaxy', type: 'galaxy', ra: 202.47, dec: 47.19, magnitude: 8.4, sizeArcmin: 11, x: null, y: null, rx: null, ry: null, angleDeg: null, primary: true, source: 'header' }],
  primary: 'M51', primarySource: 'pointing', constellation: 'CVn', constellationName: 'Canes Venatici', constellations: ['CVn'], hemisphere: 'north', positionSource: 'pointing',
};

test('an unsolved image: astrometry null, astrometryStatus with the reason, location and objects from the header pointing', () => {
  const { record } = assembleImage(input([
    row('file', file),
    row('platesolve', { solved: false, reason: 'no match', unsolvedReason: 'field 0.10° holds ~3 Tycho-2 stars; the catalog needs 8' }),
    row('objects', headerObjects),
  ]));
  assert.equal(record.astrometry, null);
  assert.deepEqual(record.astrometryStatus, { state: 'unsolved', reason: 'field 0.10° holds ~3 Tycho-2 stars; the catalog needs 8' });
  assert.equal((record.location as { source: string }).source, 'header');
  assert.equal((record.objects as { source: string }[])[0]!.source, 'header');
});

test('astrometryStatus: solved, pending, failed, not run', () => {
  const solved = assembleImage(input([row('file', file), row('platesolve', { solved: true, ra: 1, dec: 2 }), row('objects', { ...headerObjects, positionSource: 'solution' })])).record;
  assert.deepEqual(solved.astrometryStatus, { state: 'solved', reason: null });
  assert.equal((solved.location as { source: string }).source, 'plate-solution');
  assert.deepEqual(assembleImage(input([row('file', file)])).record.astrometryStatus, { state: 'pending', reason: null });
  assert.deepEqual(assembleImage(input([row('file', file), row('platesolve', null, 'failed', 'solver crashed')])).record.astrometryStatus, { state: 'failed', reason: 'solver crashed' });
  assert.deepEqual(assembleImage(input([row('file', file), row('platesolve', null, 'skipped')])).record.astrometryStatus, { state: 'not-run', reason: null });
});
