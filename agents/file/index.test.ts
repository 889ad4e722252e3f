import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fitsHdu, tempDir } from '../lib/formats/test-writers.ts';
import type { FileFacts } from '../sdk/facts.ts';
import { AgentError } from '../sdk/index.ts';
import { createTestContext } from '../sdk/runtime.ts';
import agent from './index.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

/** A 16-bit FITS frame of width × height with varying samples (larger than one hash buffer when big). */
function frame(width: number, height: number): Uint8Array {
  const data = new Int16Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) >>> 16) - 32768;
  return fitsHdu({ bitpix: 16, axes: [width, height], data, cards: [['BZERO', 32768], ['IMAGETYP', 'LIGHT'], ['EXPTIME', 120], ['FILTER', 'Ha']] });
}

async function run(name: string, bytes: Uint8Array) {
  const localPath = tmp.path(name);
  writeFileSync(localPath, bytes);
  const ctx = await createTestContext({ localPath, image: { path: `night/${name}` } });
  return (await agent.run(ctx)).facts as unknown as FileFacts;
}

test('file agent: sha256 and size of a file several hash buffers long, and its header facts', async () => {
  // 3000 × 2000 × 2 bytes ≈ 12 MB: three reads of the 4 MB buffer, the last one partial
  const bytes = frame(3000, 2000);
  const facts = await run('big.fits', bytes);
  assert.equal(facts.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.equal(facts.sizeBytes, bytes.length);
  assert.equal(facts.width, 3000);
  assert.equal(facts.height, 2000);
  assert.equal(facts.frameType, 'light');
  assert.equal(facts.acquisition?.exposureSeconds, 120);
});

test('file agent: a small file is hashed exactly; an empty file is an error', async () => {
  const bytes = frame(16, 8);
  assert.equal((await run('small.fits', bytes)).sha256, createHash('sha256').update(bytes).digest('hex'));
  await assert.rejects(run('empty.fits', new Uint8Array(0)), (e: unknown) => e instanceof AgentError && /empty/.test(e.message));
});
