// The transient-error helper: serialization failures and deadlocks are run
// again (with a growing, jittered pause); other errors are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTransientSqlError, retryTransient, sqlState } from '../../daemon/db/retry.ts';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
/** as slonik throws them: its own error, with pg's as the cause */
const wrapped = (code: string) => new Error('query failed', { cause: pgError(code) });

test('the SQLSTATE is found on the error or its causes', () => {
  assert.equal(sqlState(pgError('40001')), '40001');
  assert.equal(sqlState(wrapped('40P01')), '40P01');
  assert.equal(sqlState(new Error('plain')), null);
  assert.equal(sqlState(Object.assign(new Error('node'), { code: 'ECONNRESET' })), null);
  assert.ok(isTransientSqlError(wrapped('40001')));
  assert.ok(!isTransientSqlError(wrapped('23505')), 'a unique violation is not transient');
});

test('a serialization failure or a deadlock is run again; the result comes back', async () => {
  let calls = 0;
  const r = await retryTransient('t', async () => {
    calls++;
    if (calls === 1) throw wrapped('40001');
    if (calls === 2) throw wrapped('40P01');
    return 'ok';
  }, { baseMs: 1 });
  assert.equal(r, 'ok');
  assert.equal(calls, 3);
});

test('other errors, and the last attempt, are thrown as they are', async () => {
  let calls = 0;
  const unique = wrapped('23505');
  await assert.rejects(retryTransient('t', async () => { calls++; throw unique; }, { baseMs: 1 }), (e) => e === unique);
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(retryTransient('t', async () => { calls++; throw wrapped('40001'); }, { baseMs: 1, attempts: 3 }), /query failed/);
  assert.equal(calls, 3);
});
