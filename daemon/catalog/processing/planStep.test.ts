// The step planner, without a database: skip, cached, wait or run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notApplicable, planStep, type PreviousResult } from './planStep.ts';

const agent = { version: '2', appliesTo: { formats: ['fits'], frameTypes: ['light' as const], requires: ['platesolve'] } };
const facts = { file: { format: 'fits', frameType: 'light' }, platesolve: { solved: true } };
const now = Date.parse('2026-12-06T12:00:00Z');
const prev = (p: Partial<PreviousResult>): PreviousResult => ({ status: 'done', input_hash: 'h', agent_version: '2', facts: { a: 1 }, error: null, attempts: 1, next_attempt_at: null, ...p });
const plan = (p: PreviousResult | undefined, notOk = new Set<string>(), f: Record<string, object> = facts) => planStep({ agent, facts: f as never, notOk, prev: p, inputHash: 'h', now });

test('appliesTo: format, frame type, and a required agent that is missing, failed or skipped', () => {
  assert.equal(notApplicable(agent, { file: { format: 'xisf', frameType: 'light' } } as never), 'format xisf not handled');
  assert.equal(notApplicable(agent, { file: { format: 'fits', frameType: 'dark' } } as never), 'frame type dark not handled');
  assert.equal(notApplicable(agent, { file: { format: 'fits', frameType: 'light' } } as never), 'needs platesolve');
  assert.equal(notApplicable(agent, facts as never, new Set(['platesolve'])), 'needs platesolve', 'facts from an earlier stage do not count when it failed later');
  assert.equal(notApplicable(agent, facts as never), null);
  assert.deepEqual(plan(undefined, new Set(['platesolve'])), { kind: 'skip', reason: 'needs platesolve' });
});

test('a result of the same input and version is reused until its refresh time', () => {
  assert.deepEqual(plan(prev({})), { kind: 'cached', facts: { a: 1 }, refreshAt: null });
  const later = '2026-12-06T13:00:00Z';
  assert.deepEqual(plan(prev({ next_attempt_at: later })), { kind: 'cached', facts: { a: 1 }, refreshAt: new Date(later) });
  assert.deepEqual(plan(prev({ next_attempt_at: '2026-12-06T11:00:00Z' })), { kind: 'run', attempts: 1 }, 'refresh time passed');
  assert.deepEqual(plan(prev({ input_hash: 'other' })), { kind: 'run', attempts: 1 }, 'input changed');
  assert.deepEqual(plan(prev({ agent_version: '1' })), { kind: 'run', attempts: 1 }, 'agent upgraded');
  assert.deepEqual(plan(prev({ status: 'skipped', facts: null })), { kind: 'cached-skip' });
});

test('a failure waits for its backoff, then runs with one more attempt; a permanent one waits for a new input', () => {
  const retry = '2026-12-06T12:30:00Z';
  assert.deepEqual(plan(prev({ status: 'failed', error: 'boom', attempts: 2, next_attempt_at: retry })), { kind: 'wait', error: 'boom', retryAt: new Date(retry) });
  assert.deepEqual(plan(prev({ status: 'failed', attempts: 2, next_attempt_at: '2026-12-06T11:30:00Z' })), { kind: 'run', attempts: 3 });
  assert.deepEqual(plan(prev({ status: 'failed', error: 'bad file', attempts: 1, next_attempt_at: null })), { kind: 'wait', error: 'bad file', retryAt: null });
  assert.deepEqual(plan(prev({ status: 'failed', attempts: 4, input_hash: 'other' })), { kind: 'run', attempts: 1 });
});
