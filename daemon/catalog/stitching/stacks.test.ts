import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureWindow, isLightStack, stackCriteria, stackIntegration, type LinkedSubs } from './stacks.ts';

const subs = (o: Partial<LinkedSubs>): LinkedSubs => ({ frames: 0, totalSeconds: 0, byFilter: [], linkedBy: null, sessions: [], ...o });

test('the capture window: a stated range ± 2 min; one date ± twice the integration (8 h to 24 h); none', () => {
  assert.deepEqual(captureWindow({ firstAt: '2024-10-01T21:00:00Z', lastAt: '2024-10-01T23:00:00Z', frames: null, subExposureSeconds: null, totalSeconds: null }), {
    from: '2024-10-01T20:58:00.000Z',
    to: '2024-10-01T23:02:00.000Z',
  });
  // 10 × 60 s = 600 s → ± 8 h (the floor: a night from either end)
  assert.deepEqual(captureWindow({ firstAt: '2024-10-01T21:00:00Z', lastAt: null, frames: 10, subExposureSeconds: 60, totalSeconds: null }), {
    from: '2024-10-01T13:00:00.000Z',
    to: '2024-10-02T05:00:00.000Z',
  });
  // a Seestar stack saved at the end of a 4.9 h session of 614 × 10 s: its first sub is inside
  const seestar = captureWindow({ firstAt: '2024-08-10T03:10:00Z', lastAt: null, frames: 614, subExposureSeconds: 10, totalSeconds: 6140 })!;
  assert.ok(seestar.from <= '2024-08-09T22:16:00.000Z' && seestar.to < '2024-08-10T20:00:00.000Z', JSON.stringify(seestar));
  // 6 h stated → ± 12 h
  assert.deepEqual(captureWindow({ firstAt: '2024-10-01T21:00:00Z', lastAt: null, frames: null, subExposureSeconds: null, totalSeconds: 21_600 }), {
    from: '2024-10-01T09:00:00.000Z',
    to: '2024-10-02T09:00:00.000Z',
  });
  // a week stated → ± 24 h at most
  assert.equal(captureWindow({ firstAt: '2024-10-01T00:00:00Z', lastAt: null, frames: null, subExposureSeconds: null, totalSeconds: 604_800 })?.to, '2024-10-02T00:00:00.000Z');
  // an end before the start is ignored: one date, no integration → ± 12 h
  assert.equal(captureWindow({ firstAt: '2024-10-01T12:00:00Z', lastAt: '2024-09-01T00:00:00Z', frames: null, subExposureSeconds: null, totalSeconds: null })?.from, '2024-10-01T00:00:00.000Z');
  assert.equal(captureWindow({ firstAt: null, lastAt: null, frames: 5, subExposureSeconds: 60, totalSeconds: 300 }), null);
  assert.equal(captureWindow(null), null);
});

test('stacks of lights only: not calibration masters, not copies, not lights', () => {
  assert.equal(isLightStack({ frame_type: 'processed', is_calibration: false }), true);
  assert.equal(isLightStack({ frame_type: 'master', is_calibration: false, duplicate_of: null }), true);
  assert.equal(isLightStack({ frame_type: 'master', is_calibration: true }), false);
  assert.equal(isLightStack({ frame_type: 'processed', is_calibration: false, duplicate_of: 'x' }), false);
  assert.equal(isLightStack({ frame_type: 'light', is_calibration: false }), false);
});

test('criteria: names lower case with forward slashes, the stack filter added, "none" left out', () => {
  const c = stackCriteria(
    { program: 'pixinsight', frames: 2, framesFrom: null, subExposureSeconds: 300, totalSeconds: null, liveStack: false, firstAt: null, lastAt: null, datesFrom: null, subFiles: ['D:\\A\\L_1.xisf', 'd:/a/l_1.xisf', ' '], subFilesFrom: 'x' },
    { target_id: 'M31', object_name: 'M 31', captured_at: null, filter: 'L' },
    null,
    ['none', 'R'],
  );
  assert.deepEqual(c.names, ['d:/a/l_1.xisf']);
  assert.deepEqual(c.filters, ['L', 'R']);
  assert.equal(c.windowFrom, null);
});

test('integration: a stated total wins; else the subs linked by what the file says; a disagreement is a mismatch', () => {
  const hist = subs({ frames: 3, totalSeconds: 900, linkedBy: 'history' });
  assert.deepEqual(stackIntegration({ frames: 3, totalSeconds: 900 }, hist), { from: 'header', mismatch: false });
  assert.deepEqual(stackIntegration({ frames: 4, totalSeconds: 1200 }, hist), { from: 'header', mismatch: true });
  assert.deepEqual(stackIntegration({ frames: null, totalSeconds: 1000 }, hist), { from: 'header', mismatch: true }, 'totals 10 % apart');
  assert.deepEqual(stackIntegration({ frames: null, totalSeconds: 910 }, hist), { from: 'header', mismatch: false }, 'within 2 %');
  assert.deepEqual(stackIntegration({ frames: 3, totalSeconds: null }, hist), { from: 'subs', mismatch: false }, 'a count without a total: the subs give the time');
  assert.deepEqual(stackIntegration({ frames: null, totalSeconds: null }, hist), { from: 'subs', mismatch: false });
  assert.deepEqual(stackIntegration({ frames: null, totalSeconds: null }, subs({ frames: 3, totalSeconds: 900, linkedBy: 'inferred' })), { from: null, mismatch: false }, 'never from an inference');
  assert.deepEqual(stackIntegration({ frames: 9, totalSeconds: 2700 }, subs({ frames: 3, totalSeconds: 900, linkedBy: 'inferred' })), { from: 'header', mismatch: false }, 'no mismatch against a guess');
  assert.deepEqual(stackIntegration({ frames: null, totalSeconds: null }, subs({})), { from: null, mismatch: false });
});
