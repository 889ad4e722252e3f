import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGroupCursor, encodeGroupCursor, isGroupSort } from './GalleryService.ts';
import { InvalidInputError } from '../errors.ts';

test('the session view’s cursor: a round trip, and anything else is invalid input (never SQL)', () => {
  const id = '3f1c2a9e-0b7d-4c61-9a55-1e2d3c4b5a69';
  for (const at of ['2026-03-01 20:12:00+00', '2026-03-01 20:12:00.123456+00', '2026-03-01 21:12:00+05:30', '-infinity', 'infinity']) {
    for (const dir of ['after', 'before'] as const) assert.deepEqual(decodeGroupCursor(encodeGroupCursor({ dir, at, id })), { dir, at, id });
  }
  assert.equal(decodeGroupCursor(undefined), null);
  assert.equal(decodeGroupCursor(''), null);
  const bad = [
    Buffer.from('o:50').toString('base64url'), // the frames view's offset cursor
    Buffer.from(`g|after|2026-03-01'; drop table images; --|${id}`).toString('base64url'),
    Buffer.from('g|after|2026-03-01 20:12:00+00|not-a-uuid').toString('base64url'),
    Buffer.from(`g|sideways|2026-03-01 20:12:00+00|${id}`).toString('base64url'),
    Buffer.from(`g|after|2026-03-01 20:12:00+00|${id}|more`).toString('base64url'),
    '%%%',
  ];
  for (const c of bad) assert.throws(() => decodeGroupCursor(c), InvalidInputError, c);
});

test('the session view sorts by capture and by creation; other orders are orders of files', () => {
  for (const s of [undefined, 'captured', '-captured', 'created']) assert.equal(isGroupSort(s), true, String(s));
  for (const s of ['name', 'target', 'integration', 'random']) assert.equal(isGroupSort(s), false, s);
});
