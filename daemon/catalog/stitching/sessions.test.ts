import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moonIllumination, observingNight, pickSession, sameSession, sessionKey, trainKey, type SessionSource } from './sessions.ts';

test('night: UTC noon to noon without a longitude; a night that crosses midnight is one night', () => {
  assert.equal(observingNight('2024-10-01T21:00:00Z', null), '2024-10-01');
  assert.equal(observingNight('2024-10-02T03:30:00Z', null), '2024-10-01');
  assert.equal(observingNight('2024-10-02T11:59:59Z', null), '2024-10-01');
  assert.equal(observingNight('2024-10-02T12:00:00Z', null), '2024-10-02');
  assert.equal(observingNight(null, null), null);
  assert.equal(observingNight('not a date', 10), null);
});

test('night: local mean solar time from the longitude (east-positive)', () => {
  // Sydney (151° E ≈ +10 h 04 min): 09:00 UTC is 19:04 local, the evening of that date
  assert.equal(observingNight('2024-10-01T09:00:00Z', 151), '2024-10-01');
  // and 15:00 UTC (01:04 local next day) is still that night
  assert.equal(observingNight('2024-10-01T15:00:00Z', 151), '2024-10-01');
  // without the longitude the UTC rule would split it at noon UTC
  assert.equal(observingNight('2024-10-01T09:00:00Z', null), '2024-09-30');
  // California (−120° = −8 h): 06:00 UTC is 22:00 local the day before
  assert.equal(observingNight('2024-10-02T06:00:00Z', -120), '2024-10-01');
  assert.equal(observingNight('2024-10-02T19:00:00Z', -120), '2024-10-01', '11:00 local is still the night before');
  assert.equal(observingNight('2024-10-02T21:00:00Z', -120), '2024-10-02', '13:00 local starts the next night');
  // an impossible longitude is ignored (UTC rule)
  assert.equal(observingNight('2024-10-01T09:00:00Z', 400), '2024-09-30');
});

const base: SessionSource = {
  capturedAt: '2024-10-01T22:00:00Z',
  longitude: null,
  cameraId: 'cam',
  telescopeId: 'scope',
  focalLengthMm: 530.2,
  binning: '1x1',
  targetId: null,
  objectName: 'Field',
  ra: 10,
  dec: 41,
  fieldWidthDeg: 3,
  fieldHeightDeg: 2,
};

test('key: the train part, rounded focal length, half field from the smaller side', () => {
  const k = sessionKey(base)!;
  assert.equal(k.focalLengthMm, 530);
  assert.equal(k.halfFieldDeg, 1);
  assert.equal(trainKey(k), '2024-10-01|cam|scope|530|1x1');
  assert.equal(trainKey(sessionKey({ ...base, focalLengthMm: 529.9 })!), trainKey(k));
  assert.notEqual(trainKey(sessionKey({ ...base, binning: '2x2' })!), trainKey(k));
  assert.equal(sessionKey({ ...base, capturedAt: null }), null);
  assert.equal(sessionKey({ ...base, fieldWidthDeg: null, fieldHeightDeg: null })!.halfFieldDeg, 0.5);
});

test('same session: by target; else by pointing within half a field; else by object name', () => {
  const k = sessionKey({ ...base, targetId: 'M31' })!;
  assert.ok(sameSession(k, { id: 'a', targetId: 'M31', objectName: null, ra: 50, dec: 0, halfFieldDeg: 0.1 }), 'target wins over pointing');
  assert.ok(!sameSession(k, { id: 'a', targetId: 'M33', objectName: null, ra: 10, dec: 41, halfFieldDeg: 1 }));
  assert.ok(!sameSession(k, { id: 'a', targetId: null, objectName: 'Field', ra: 10, dec: 41, halfFieldDeg: 1 }), 'a target never joins a session without one');
  const p = sessionKey(base)!;
  assert.ok(sameSession(p, { id: 'a', targetId: null, objectName: null, ra: 10.5, dec: 41.5, halfFieldDeg: 1 }));
  assert.ok(!sameSession(p, { id: 'a', targetId: null, objectName: null, ra: 14, dec: 41, halfFieldDeg: 1 }), '3° away is another field');
  assert.ok(!sameSession(p, { id: 'a', targetId: null, objectName: 'Field', ra: null, dec: null, halfFieldDeg: null }), 'a pointing does not join a session without one');
  const n = sessionKey({ ...base, ra: null, dec: null })!;
  assert.ok(sameSession(n, { id: 'a', targetId: null, objectName: 'field', ra: null, dec: null, halfFieldDeg: null }));
  assert.ok(!sameSession(n, { id: 'a', targetId: null, objectName: 'Other', ra: null, dec: null, halfFieldDeg: null }));
  // RA wraps at 0/360
  const w = sessionKey({ ...base, ra: 359.8, dec: 0 })!;
  assert.equal(pickSession(w, [{ id: 'far', targetId: null, objectName: null, ra: 180, dec: 0, halfFieldDeg: 1 }, { id: 'near', targetId: null, objectName: null, ra: 0.1, dec: 0, halfFieldDeg: 1 }])?.id, 'near');
});

test('moon illumination: new, first quarter and full moon of October 2024 (within 0.02)', () => {
  const near = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) <= 0.02, `${a} ≈ ${b}`);
  near(moonIllumination('2024-10-02T18:49:00Z'), 0); // new moon
  near(moonIllumination('2024-10-10T18:55:00Z'), 0.5); // first quarter
  near(moonIllumination('2024-10-17T11:26:00Z'), 1); // full moon
  near(moonIllumination('2024-10-24T08:03:00Z'), 0.5); // last quarter
  assert.equal(moonIllumination('nonsense'), null);
});
