// Several daemon processes on one database and one folder share the work:
// every file is processed exactly once per change; a process killed with
// SIGKILL mid-way loses nothing (its leases run out and another takes over).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { testEnv, waitFor } from '../helpers/daemon.ts';
import { spawnDaemon, type DaemonProcess } from '../helpers/process.ts';
import { writeTinyFits } from '../helpers/library.ts';
import { BUILTIN_AGENTS } from '../../daemon/agent-host/AgentRegistry.ts';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function setup(keepAgents: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-scale-'));
  const db = await createTestDatabase();
  cleanups.push(() => rm(dir, { recursive: true, force: true }), () => db.drop());
  // admins can disable agents; here only the ones under test stay on
  for (const a of BUILTIN_AGENTS.filter((x) => !keepAgents.includes(x))) {
    await db.pool.query(sql.unsafe`insert into agent_settings (agent, enabled) values (${a}, false)`);
  }
  return { dir, db };
}

function start(dir: string, db: TestDatabase, host: string, extra: Record<string, string> = {}): DaemonProcess {
  const p = spawnDaemon('work', { ...testEnv(dir, db, { SIDEREAL_HOST_ID: host, SIDEREAL_WORKERS: '1', ...extra }) });
  cleanups.push(() => p.kill());
  return p;
}

const Row = z.object({ agent: z.string(), runs: z.number(), status: z.string() });

test('three processes share a few hundred files, each processed exactly once per change', async () => {
  const { dir, db } = await setup(['file']);
  const library = join(dir, 'library');
  const N = 300;
  for (let i = 0; i < N; i++) await writeTinyFits(join(library, `night${i % 5}/Light_${i}.fits`), i);
  const procs = ['h1', 'h2', 'h3'].map((h) => start(dir, db, h));

  const done = () => db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from image_results where agent = 'file' and status = 'done'`);
  await waitFor(async () => (await done()) === N, { what: `${N} files processed`, timeoutMs: 150_000, intervalMs: 500 });
  await waitFor(async () => (await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from images`)) === N, { what: 'all stitched', timeoutMs: 60_000 });
  const runs = await db.pool.any(sql.type(Row)`select agent, runs, status from image_results where agent = 'file'`);
  assert.equal(runs.length, N);
  assert.ok(runs.every((r) => r.runs === 1), 'every file processed exactly once');
  const byHost = await db.pool.any(sql.type(z.object({ processed_by: z.string().nullable(), n: z.number() }))`
    select processed_by, count(*)::int as n from images_unprocessed group by processed_by`);
  assert.ok(byHost.filter((h) => h.n > 0 && h.processed_by).length >= 2, `work was shared: ${JSON.stringify(byHost)}`);

  // change 30 files: each is processed exactly once more
  for (let i = 0; i < 30; i++) await writeTinyFits(join(library, `night${i % 5}/Light_${i}.fits`), 10_000 + i);
  const twice = () => db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from image_results where agent = 'file' and runs = 2`);
  await waitFor(async () => (await twice()) === 30, { what: '30 changed files re-processed', timeoutMs: 60_000, intervalMs: 500 });
  await new Promise((r) => setTimeout(r, 1500)); // would a duplicate run show up?
  const after = await db.pool.any(sql.type(Row)`select agent, runs, status from image_results where agent = 'file'`);
  assert.equal(after.filter((r) => r.runs === 2).length, 30);
  assert.equal(after.filter((r) => r.runs === 1).length, N - 30);
  assert.ok(after.every((r) => r.status === 'done'));
  const roundErrors = await db.pool.any(sql.type(z.object({ last_error: z.string().nullable() }))`select last_error from images_unprocessed where last_error is not null`);
  assert.deepEqual(roundErrors, [], 'no processing round failed (e.g. concurrent stitches creating the same equipment)');
  for (const p of procs) assert.equal(await p.stop(), 0, 'graceful exit on SIGTERM');
});

test('a process killed with SIGKILL mid-processing loses nothing and doubles nothing', async () => {
  const { dir, db } = await setup(['file']);
  const library = join(dir, 'library');
  const N = 16;
  for (let i = 0; i < N; i++) await writeTinyFits(join(library, `Light_${i}.fits`), i);
  const slow = resolve(import.meta.dirname, 'fixtures/slow-agent');
  const extra = { SIDEREAL_AGENTS: slow, SLOW_AGENT_MS: '700', SIDEREAL_LEASE_SECONDS: '3', SIDEREAL_WORKERS: '2' };
  const a = start(dir, db, 'victim', extra);
  const b = start(dir, db, 'survivor', extra);
  const inFlight = () => db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from images_unprocessed where lease_owner = 'victim' and next_update_at > now()`);
  await waitFor(async () => (await inFlight()) > 0, { what: 'the victim to be busy', timeoutMs: 60_000, intervalMs: 50 });
  await a.kill();
  const slowDone = () => db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from image_results where agent = 'slow' and status = 'done'`);
  await waitFor(async () => (await slowDone()) === N, { what: 'every image completed by the survivor', timeoutMs: 90_000, intervalMs: 250 });
  await waitFor(async () => (await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from images where record -> 'facts' -> 'slow' is not null`)) === N, { what: 'all stitched with the slow facts' });
  const rows = await db.pool.any(sql.type(Row)`select agent, runs, status from image_results`);
  assert.equal(rows.filter((r) => r.agent === 'slow').length, N);
  assert.ok(rows.every((r) => r.runs === 1 && r.status === 'done'), `nothing doubled: ${JSON.stringify(rows.filter((r) => r.runs !== 1))}`);
  const due = await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from images_unprocessed where next_update_at is not null or lease_owner is not null`);
  assert.equal(due, 0, 'nothing left due or leased');
  assert.equal(await b.stop(), 0);
});
