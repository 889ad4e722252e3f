import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as f from './format.ts';

test('exposure: fractions for short exposures, plain seconds for long ones', () => {
  assert.equal(f.exposure(0.0666666666666667), '1/15 s');
  assert.equal(f.exposure(1 / 4000), '1/4000 s');
  assert.equal(f.exposure(0.5), '1/2 s');
  assert.equal(f.exposure(0.3), '0.3 s', 'not close to any 1/n');
  assert.equal(f.exposure(300), '300 s');
  assert.equal(f.exposure(2.5), '2.5 s');
  assert.equal(f.exposure(120.04), '120 s');
  assert.equal(f.exposure(null), '—');
  assert.equal(f.exposure(0), '—');
});

test('bit depth in words', () => {
  assert.equal(f.bitDepth(16), '16-bit integer');
  assert.equal(f.bitDepth(8), '8-bit integer');
  assert.equal(f.bitDepth(-32), '32-bit float');
  assert.equal(f.bitDepth(-64), '64-bit float');
  assert.equal(f.bitDepth(null), '—');
});

test('sexagesimal rounds once and carries: never 60″ or 60.0s', () => {
  // 12h 59m 59.97s rounds to 13h 00m 00.0s
  const raDeg = (12 + 59 / 60 + 59.97 / 3600) * 15;
  assert.equal(f.ra(raDeg), '13h 00m 00.0s');
  assert.equal(f.ra((23 + 59 / 60 + 59.99 / 3600) * 15), '00h 00m 00.0s');
  assert.equal(f.ra(83.8221), '05h 35m 17.3s');
  assert.equal(f.dec(41 + 59 / 60 + 59.6 / 3600), '+42° 00′ 00″');
  assert.equal(f.dec(-(5 + 23 / 60 + 28 / 3600)), '−05° 23′ 28″');
  assert.equal(f.dec(-0.00001), '+00° 00′ 00″', 'no minus zero');
  for (let d = -90; d <= 90; d += 0.0137) assert.doesNotMatch(f.dec(d), /60″|60′/);
  for (let r = 0; r < 360; r += 0.0173) assert.doesNotMatch(f.ra(r), /60\.0s|60m/);
});

test('durations: unknown or zero is a dash, minutes carry into hours', () => {
  assert.equal(f.duration(0), '—');
  assert.equal(f.duration(null), '—');
  assert.equal(f.duration(45), '45 s');
  assert.equal(f.duration(2.25), '2.3 s');
  assert.equal(f.duration(1 / 15), '1/15 s', 'one short frame: as its exposure');
  assert.equal(f.duration(0.0666666666666667 * 2), '0.13 s');
  assert.equal(f.duration(59.97), '1 min');
  assert.equal(f.duration(3599.9), '1 h 00 min');
  assert.equal(f.duration(3 * 3600 + 5 * 60), '3 h 05 min');
});

test('other helpers', () => {
  assert.equal(f.temperature(-10), '−10.0 °C');
  assert.equal(f.temperature(-0.01), '0.0 °C');
  assert.equal(f.temperature(null), '—');
  assert.equal(f.bytes(1048575), '1.0 MB');
  assert.equal(f.bytes(512), '512 B');
  assert.equal(f.ms(850), '850 ms');
  assert.equal(f.ms(2400), '2.4 s');
  assert.equal(f.dateTime('2024-03-01T22:14:59.900Z'), '2024-03-01 22:14 UTC');
  assert.equal(f.angle(1.5234), '1.52°');
  assert.equal(f.angle(0.41), '24.6′');
  assert.equal(f.count(12345), '12 345');
  assert.equal(f.label('maxStars'), 'Max stars');
  assert.equal(f.label('downsample_factor'), 'Downsample factor');
  assert.equal(f.label('useHTTPProxy'), 'Use http proxy');
  assert.equal(f.sentence('no solution: too few stars'), 'No solution: too few stars.');
  assert.equal(f.sentence('Done!'), 'Done!');
  assert.equal(f.plural(1, 'image'), '1 image');
  assert.equal(f.plural(3, 'image'), '3 images');
});

test('solve state: solved, not solved with its reason, failed', () => {
  assert.equal(f.solveState({ astrometry: { ra: 10, dec: 20 } }).state, 'solved');
  const failed = f.solveState({ astrometry: null, agents: [{ name: 'platesolve', status: 'failed', error: 'too few stars', nextAttemptAt: null }] });
  assert.deepEqual(failed, { state: 'failed', label: 'not solved', reason: 'too few stars' });
  const unsolved = f.solveState({ astrometry: null, astrometryStatus: { state: 'unsolved', reason: 'no stars found' }, agents: [{ name: 'platesolve', status: 'done' }] });
  assert.deepEqual(unsolved, { state: 'unsolved', label: 'not solved', reason: 'no stars found' });
  assert.equal(f.solveState({ astrometry: null, agents: [] }).state, 'none');
});

test('agent state: a permanent failure is failed, a scheduled one is retrying', () => {
  assert.equal(f.agentState({ status: 'failed', error: 'boom', nextAttemptAt: null }).label, 'failed');
  const r = f.agentState({ status: 'failed', error: 'boom', nextAttemptAt: '2026-12-06T10:00:00Z' });
  assert.equal(r.label, 'retrying');
  assert.match(r.detail!, /boom · next attempt 2026-12-06 10:00 UTC/);
  assert.equal(f.agentState({ status: 'done', warnings: [] }).detail, null);
});

test('gear: the register name wins over the header value', () => {
  const img = { acquisition: { camera: 'ZWO ASI2600MM Pro', telescope: 'FRA400' }, equipment: [{ type: 'telescope', name: 'Askar FRA400 f/5.6' }] };
  assert.equal(f.gear(img, 'telescope'), 'Askar FRA400 f/5.6');
  assert.equal(f.gear(img, 'camera'), 'ZWO ASI2600MM Pro');
  assert.equal(f.gear(img, 'mount'), null);
});

test('acquisitionLine: a session’s rows as astrophotographers write them', () => {
  assert.equal(
    f.acquisitionLine([
      { filter: 'L', frames: 12, exposureSeconds: 300 },
      { filter: 'Ha', frames: 20, exposureSeconds: 600 },
      { filter: null, frames: 3, exposureSeconds: 0.5 },
    ]),
    'L 12 × 300 s, Ha 20 × 600 s, no filter 3 × 1/2 s',
  );
  assert.equal(f.acquisitionLine([]), '');
});
