// The process memory guard of the agent host (real worker threads, no
// database): it stops the thread that makes the process grow without
// yielding, and never costs an innocent run its result — neither one that
// computes without yielding beside the culprit, nor one that runs after it
// while the process's memory stays high.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { memoryCache } from '../../agents/sdk/runtime.ts';
import { AgentHost, AgentMemoryError } from '../../daemon/agent-host/AgentHost.ts';
import { AgentRegistry, type RegisteredAgent } from '../../daemon/agent-host/AgentRegistry.ts';
import { log } from '../../daemon/log.ts';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const quiet = log.child({ component: 'test' });
quiet.level = 'fatal';
let registry: AgentRegistry;
const hosts: AgentHost[] = [];

before(async () => {
  registry = new AgentRegistry(quiet, { inspectTimeoutMs: 5000 });
  await registry.load({ builtins: [], thirdParty: ['busy-sync', 'buffer-hog-sync'].map((n) => resolve(FIXTURES, n)) });
  registry.applyOverrides([]);
  assert.deepEqual(registry.failures, []);
});
after(async () => {
  for (const h of hosts) await h.close();
});

function newHost(processMemoryLimitMb: number): AgentHost {
  const h = new AgentHost({ threads: 2, memoryMb: 192, defaultTimeoutSeconds: 10, processMemoryLimitMb, log: quiet });
  hosts.push(h);
  return h;
}

function run(h: AgentHost, name: string, id: number, settings: Record<string, unknown> = {}) {
  const r = registry.get(name) as RegisteredAgent;
  return h.run(
    r,
    { image: { id: `00000000-0000-0000-0000-00000000000${id}`, source: 'test', path: 'x.fits', sizeBytes: 1, modifiedAt: null, fingerprint: 'x' }, facts: {}, localPath: import.meta.filename, settings: { ...r.settings, ...settings } as never, stage: 'aggregate' },
    { cache: memoryCache(), log: quiet },
  );
}

const rssMb = () => process.memoryUsage.rss() / 1048576;

test('a run that computes without yielding is not stopped while the process stays over its limit without growing', async () => {
  // the limit is already exceeded (memory kept after an earlier culprit): nobody grows it now
  const h = newHost(rssMb() - 50);
  const r = await run(h, 'busy-sync', 1, { ms: 1500 });
  assert.equal(r.facts.done, true);
});

test('beside a thread that allocates without yielding, an innocent non-yielding run keeps its result; only the culprit fails', async () => {
  const h = newHost(rssMb() + 600);
  const innocent = run(h, 'busy-sync', 2, { ms: 3000 });
  await new Promise((res) => setTimeout(res, 600));
  const culprit = run(h, 'buffer-hog-sync', 3);
  const [a, b] = await Promise.allSettled([innocent, culprit]);
  assert.equal(a.status, 'fulfilled', `the innocent run failed: ${a.status === 'rejected' ? (a.reason as Error).message : ''}`);
  assert.equal((a as PromiseFulfilledResult<{ facts: Record<string, unknown> }>).value.facts.done, true);
  assert.equal(b.status, 'rejected');
  assert.ok((b as PromiseRejectedResult).reason instanceof AgentMemoryError, String((b as PromiseRejectedResult).reason));
});
