// Third-party agents in real worker threads, without a database: loading
// (and refusing broken agents with clear reasons), and containment of agents
// that throw, hang, exhaust memory, exit or throw after their run. After each
// bad run the same host still runs a good agent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AgentError, AgentSkip } from '../../agents/sdk/index.ts';
import { memoryCache } from '../../agents/sdk/runtime.ts';
import { AgentHost, AgentMemoryError, AgentTimeoutError } from '../../daemon/agent-host/AgentHost.ts';
import { AgentRegistry, type RegisteredAgent } from '../../daemon/agent-host/AgentRegistry.ts';
import { log } from '../../daemon/log.ts';
import { fitsFixture } from '../helpers/fixtures.ts';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const DIR = mkdtempSync(join(tmpdir(), 'sidereal-agenthost-'));
const FILE = join(DIR, 'frame.fits');
const BYTES = fitsFixture({ width: 16, height: 16 });
writeFileSync(FILE, BYTES);
const MEMORY_MB = 192;
const quiet = log.child({ component: 'test' });
quiet.level = 'fatal';

let registry: AgentRegistry;
let host: AgentHost;

before(async () => {
  // loading a module through tsx in a fresh thread takes seconds on a loaded machine: only load-hangs may reach the limit
  registry = new AgentRegistry(quiet, { inspectTimeoutMs: 10_000 });
  const names = ['good', 'throws', 'hangs', 'hangs-async', 'heap-hog', 'buffer-hog', 'buffer-hog-sync', 'bad-facts', 'stray-error', 'exits', 'skips'];
  await registry.load({ builtins: [], thirdParty: [...names.map((n) => resolve(FIXTURES, n)), ...['load-throws', 'load-hangs', 'bad-manifest', 'needs-newer-sdk', 'no-such-agent'].map((n) => resolve(FIXTURES, n)), 'sidereal-agent-not-installed'] });
  registry.applyOverrides([]);
  host = new AgentHost({ threads: 2, memoryMb: MEMORY_MB, defaultTimeoutSeconds: 2, processMemoryLimitMb: process.memoryUsage.rss() / 1048576 + 900, log: quiet });
});
after(async () => {
  await host?.close();
  rmSync(DIR, { recursive: true, force: true });
});

function agent(name: string): RegisteredAgent {
  const r = registry.get(name);
  assert.ok(r, `${name} is registered`);
  return r;
}

function run(name: string, settings: Record<string, unknown> = {}) {
  const r = agent(name);
  return host.run(
    r,
    { image: { id: '00000000-0000-0000-0000-000000000001', source: 'test', path: 'frame.fits', sizeBytes: BYTES.length, modifiedAt: null, fingerprint: 'x' }, facts: {}, localPath: FILE, settings: { ...r.settings, ...settings } as never, stage: 'aggregate' },
    { cache: memoryCache(), log: quiet },
  );
}

async function stillWorks() {
  const t = Date.now();
  const r = await run('good').catch((e) => { throw new Error(`${e.message} (after ${Date.now() - t} ms)`); });
  assert.equal(r.facts.bytes, BYTES.length);
  assert.equal(r.facts.head, 'SIMPLE');
}

test('broken agents are refused at load time, each with a clear reason; the good ones load', () => {
  const failures = new Map(registry.failures.map((f) => [f.source.split('/').pop(), f.error]));
  assert.match(failures.get('load-throws')!, /cannot be imported: this agent is broken on purpose/);
  assert.match(failures.get('load-hangs')!, /did not finish loading within 10 s/);
  const manifest = failures.get('bad-manifest')!;
  for (const problem of [/name must be lowercase/, /version must be a non-empty string/, /stages must be/, /run must be a function/, /settings\.level\.type/, /searchable\[0\]\.path/, /searchable\[0\]\.type/, /searchable\[0\]\.label/, /factsSchema is not a valid JSON schema/]) assert.match(manifest, problem);
  assert.match(failures.get('needs-newer-sdk')!, /needs agent SDK version 99; this Sidereal provides version 1/);
  assert.match(failures.get('no-such-agent')!, /does not exist/);
  assert.match(failures.get('sidereal-agent-not-installed')!, /npm package sidereal-agent-not-installed is not installed/);
  assert.equal(registry.failures.length, 6);
  assert.equal(registry.all().length, 11);
  assert.deepEqual(registry.searchableFacts().map((f) => f.param), ['facts.good.bytes', 'facts.good.label']);
});

test('a third-party agent runs in a worker thread even when it asks for the main thread; cache, progress and refresh cross over', async () => {
  const progress: number[] = [];
  const r = await host.run(
    agent('good'),
    { image: { id: '00000000-0000-0000-0000-000000000009', source: 'test', path: 'x.fits', sizeBytes: BYTES.length, modifiedAt: null, fingerprint: 'x' }, facts: {}, localPath: FILE, settings: agent('good').settings, stage: 'aggregate' },
    { cache: memoryCache(), log: quiet, onProgress: (f) => progress.push(f) },
  );
  assert.equal(r.facts.thread, 'worker');
  assert.equal(host.threadOf(agent('good')), 'worker');
  assert.equal(r.facts.cached, '00000000-0000-0000-0000-000000000009', 'ctx.cache round trip through the host');
  assert.deepEqual(progress, [0.5]);
  assert.equal(r.refreshAfterSeconds, 3600);
});

test('AgentSkip and AgentError (with permanent) survive the thread boundary; other errors keep their kind', async () => {
  await assert.rejects(run('skips', { mode: 'skip' }), (e: Error) => e instanceof AgentSkip && e.message === 'nothing to do for this image');
  await assert.rejects(run('skips', { mode: 'permanent' }), (e: Error) => e instanceof AgentError && e.permanent === true);
  await assert.rejects(run('skips', { mode: 'temporary' }), (e: Error) => e instanceof AgentError && e.permanent === false);
  await assert.rejects(run('throws'), (e: Error) => !(e instanceof AgentError) && /^TypeError: Cannot read properties of undefined/.test(e.message));
  await stillWorks();
});

test('an agent that never yields is stopped at its time limit; the pool goes on', async () => {
  const started = Date.now();
  await assert.rejects(run('hangs'), (e: Error) => e instanceof AgentTimeoutError && /did not finish within 2 s/.test(e.message));
  await assert.rejects(run('hangs-async'), AgentTimeoutError);
  // not a speed check: a hanging agent is stopped at all (two 2 s limits; generous for a loaded machine)
  assert.ok(Date.now() - started < 30_000, `stopped (${Date.now() - started} ms)`);
  await stillWorks();
});

test('an agent that fills the JavaScript heap is stopped; the pool goes on', async () => {
  await assert.rejects(run('heap-hog'), (e: Error) => e instanceof AgentMemoryError);
  await stillWorks();
});

test('an agent that allocates buffers (outside the heap limit) is stopped at the memory cap', async () => {
  const before = process.memoryUsage.rss();
  await assert.rejects(run('buffer-hog'), (e: Error) => e instanceof AgentMemoryError && new RegExp(`the limit is ${MEMORY_MB} MB`).test(e.message));
  await stillWorks();
  assert.ok(process.memoryUsage.rss() - before < 1024 * 1048576, 'its memory was given back');
});

test('an agent that allocates buffers without ever yielding is stopped by the process guard', async () => {
  await assert.rejects(run('buffer-hog-sync'), (e: Error) => e instanceof AgentMemoryError && /did not yield/.test(e.message));
  await stillWorks();
});

test('an agent that exits its thread, or throws after its run, does not take the host down', async () => {
  await assert.rejects(run('exits'), (e: Error) => /crashed its worker thread/.test(e.message));
  await stillWorks();
  const r = await run('stray-error');
  assert.equal(r.facts.ok, true);
  // the stray error fires after the run (possibly during the next one on the same thread): no run fails for it
  await new Promise((res) => setTimeout(res, 100));
  for (let i = 0; i < 4; i++) await Promise.all([stillWorks(), stillWorks()]);
});
