import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { sharedBuffer } from './sharedBuffers.ts';

test('a buffer read by one thread is shared with a thread started later', async () => {
  const sab = sharedBuffer('test-key', 64, (u8) => { u8[0] = 42; });
  const mine = new Uint8Array(sab);
  assert.equal(mine[0], 42);
  const worker = new Worker(new URL('./sharedBuffers.worker.mjs', import.meta.url));
  const reply = await new Promise<{ filled: boolean; first: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.equal(reply.filled, false, 'the worker read its own copy');
  assert.equal(reply.first, 42);
  assert.equal(mine[1], 7, 'the worker wrote into the same memory');
  // a different size under the same key is never confused with it
  const other = sharedBuffer('test-key', 32, (u8) => { u8[0] = 5; });
  assert.equal(new Uint8Array(other)[0], 5);
});
