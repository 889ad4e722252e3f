// A file that vanishes while it is being processed: the record goes, nothing
// crashes, and the daemon goes on with the other files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import { writeTinyFits } from '../helpers/library.ts';

let t: TestDaemon;
before(async () => {
  process.env.SLOW_AGENT_MS = '1500';
  t = await startTestDaemon({ builtinAgents: ['file'], env: { SIDEREAL_AGENTS: resolve(import.meta.dirname, 'fixtures/slow-agent') } });
});
after(async () => {
  await t?.stop();
});

const count = (q: string) => t.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from ${sql.identifier([q])}`);

test('a file deleted mid-processing leaves no record and does not stop the daemon', async () => {
  await writeTinyFits(join(t.library, 'doomed.fits'), 1);
  // wait until the file agent is done and the slow agent is running on it
  await waitFor(async () => (await t.db.pool.maybeOneFirst(sql.type(z.object({ status: z.string() }))`select status from image_results where agent = 'file'`)) === 'done', { what: 'file agent' });
  await rm(join(t.library, 'doomed.fits'));
  await waitFor(async () => (await count('images_unprocessed')) === 0, { what: 'the record to go' });
  // the pipeline that was running finishes without resurrecting anything
  await new Promise((r) => setTimeout(r, 2000));
  for (const table of ['images_unprocessed', 'image_results', 'images', 'derived_files']) assert.equal(await count(table), 0, table);
  await writeTinyFits(join(t.library, 'next.fits'), 2);
  await waitFor(async () => (await count('images')) === 1, { what: 'the next file to be processed', timeoutMs: 30_000 });
  const slow = await t.db.pool.oneFirst(sql.type(z.object({ status: z.string() }))`select status from image_results where agent = 'slow'`);
  assert.equal(slow, 'done');
});
