import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Refreshed } from './refreshed.ts';

test('the first read is awaited; an old value is answered at once while one new read runs', async () => {
  let reads = 0;
  let release: (() => void) | null = null;
  const r = new Refreshed(async () => {
    reads++;
    if (reads > 1) await new Promise<void>((resolve) => (release = resolve));
    return reads;
  }, 10);
  assert.equal(await r.get(), 1);
  assert.equal(await r.get(), 1, 'fresh: no new read');
  await sleep(20);
  assert.equal(await r.get(), 1, 'old: answered with the value it has');
  assert.equal(await r.get(), 1);
  assert.equal(reads, 2, 'one new read, not one per request');
  release!();
  await sleep(5);
  assert.equal(await r.get(), 2, 'the new value once read');
});

test('a failed first read is retried; a failed refresh keeps the value', async () => {
  let fail = true;
  let n = 0;
  const r = new Refreshed(async () => {
    n++;
    if (fail) throw new Error('database gone');
    return n;
  }, 10);
  await assert.rejects(r.get(), /database gone/);
  fail = false;
  assert.equal(await r.get(), 2);
  fail = true;
  await sleep(20);
  assert.equal(await r.get(), 2);
  await sleep(5);
  assert.equal(await r.get(), 2, 'kept after the failed refresh');
});
