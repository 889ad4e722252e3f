import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prettyLine } from './log.ts';

test('pretty log lines: time, level, component, message, then key=value pairs', () => {
  const line = JSON.stringify({ level: 'info', time: '2026-12-06T14:03:07.412Z', pid: 1, component: 'processing', msg: 'image stitched', imageId: 'abc', ms: 12, path: 'a b' });
  assert.equal(prettyLine(line, false), '14:03:07.412 INFO  processing image stitched imageId=abc ms=12 path="a b"\n');
  assert.match(prettyLine(line, true), /\x1b\[32mINFO /, 'coloured on a terminal');
});

test('pretty log lines: an error shows its stack below; other text passes through', () => {
  const err = new Error('disk full');
  const out = prettyLine(JSON.stringify({ level: 'error', time: '2026-12-06T14:03:07.412Z', msg: 'write failed', err: { type: 'Error', message: err.message, stack: err.stack } }), false);
  assert.match(out, /^14:03:07\.412 ERROR write failed\n {4}Error: disk full\n\s+at /);
  assert.equal(prettyLine('not json', false), 'not json\n');
});
