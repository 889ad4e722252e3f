// An agent added to (or upgraded in) the configuration of a Sidereal that
// already holds a library catches up at start-up: the images it has not seen
// become due, only it runs on them (the other agents' results are cached),
// and an upgraded version replaces its old results.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'slonik';
import { z } from 'zod';
import { createTestDatabase } from '../helpers/db.ts';
import { startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import { writeTinyFits } from '../helpers/library.ts';

const GOOD = resolve(import.meta.dirname, 'fixtures/good');
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const Row = z.object({ agent: z.string(), agent_version: z.string(), status: z.string(), runs: z.number() });

test('a newly configured agent, then a new version of it, catch up with the existing library', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-lifecycle-'));
  const db = await createTestDatabase();
  cleanups.push(() => rm(dir, { recursive: true, force: true }), () => db.drop());
  const rows = () => db.pool.any(sql.type(Row)`select agent, agent_version, status, runs from image_results order by agent`);
  let t: TestDaemon | null = null;
  cleanups.push(() => t?.stop() ?? Promise.resolve());

  // 1. a library processed without the agent
  t = await startTestDaemon({ db, dir, builtinAgents: ['file'] });
  await writeTinyFits(join(t.library, 'Light_1.fits'), 1);
  await writeTinyFits(join(t.library, 'Light_2.fits'), 2);
  await waitFor(async () => (await rows()).filter((r) => r.agent === 'file' && r.status === 'done').length === 2, { what: 'the library', timeoutMs: 30_000 });
  await t.stop();

  // 2. restart with the agent configured: its missing results are scheduled, and only it runs
  // start-up schedules the images the agent has not seen (Daemon.start calls scheduleNewAgents)
  t = await startTestDaemon({ db, dir, builtinAgents: ['file'], env: { SIDEREAL_AGENTS: GOOD } });
  await waitFor(async () => (await rows()).filter((r) => r.agent === 'good' && r.status === 'done').length === 2, { what: 'the new agent on the old images', timeoutMs: 30_000 });
  assert.ok((await rows()).filter((r) => r.agent === 'file').every((r) => r.runs === 1), 'the file agent was not run again');
  assert.equal(await t.daemon.services.agents.scheduleNewAgents(), 0, 'nothing left to catch up');
  await t.stop();

  // 3. a new version of the agent (same name): its results are replaced
  const v2 = join(dir, 'good-v2');
  await mkdir(v2);
  const source = (await readFile(join(GOOD, 'index.ts'), 'utf8'))
    .replace("version: '1'", "version: '2'")
    .replace("from '@sidereal/agent-sdk'", `from '${pathToFileURL(resolve(import.meta.dirname, '../../agents/sdk/index.ts')).href}'`);
  await writeFile(join(v2, 'index.mts'), source);
  t = await startTestDaemon({ db, dir, builtinAgents: ['file'], env: { SIDEREAL_AGENTS: join(v2, 'index.mts') } });
  await waitFor(async () => (await rows()).filter((r) => r.agent === 'good' && r.agent_version === '2' && r.status === 'done').length === 2, { what: 'version 2 on every image', timeoutMs: 30_000 });
  const final = await rows();
  assert.ok(final.filter((r) => r.agent === 'good').every((r) => r.runs === 2), 'each image ran the agent once per version');
  assert.ok(final.filter((r) => r.agent === 'file').every((r) => r.runs === 1));
});
