// Decode once per round: the agents of one image's round that read pixels
// through ctx.readPixels share one decode (counted by the round), on pool
// threads and on the main thread, and get exactly the pixels a direct read
// with their own options returns.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readPixels } from '../../agents/lib/formats/index.ts';
import type { PixelImage } from '../../agents/sdk/index.ts';
import { memoryCache } from '../../agents/sdk/runtime.ts';
import { AgentHost, PixelRound } from '../../daemon/agent-host/AgentHost.ts';
import { AgentRegistry, type RegisteredAgent } from '../../daemon/agent-host/AgentRegistry.ts';
import { decodePixels } from '../../daemon/agent-host/roundPixels.ts';
import { log } from '../../daemon/log.ts';
import { fitsFixture } from '../helpers/fixtures.ts';

const FIXTURE = resolve(import.meta.dirname, 'fixtures', 'reads-pixels');
const DIR = mkdtempSync(join(tmpdir(), 'sidereal-roundpixels-'));
const FILE = join(DIR, 'frame.fits');
const BYTES = fitsFixture({ width: 201, height: 151 });
writeFileSync(FILE, BYTES);
const quiet = log.child({ component: 'test' });
quiet.level = 'fatal';

let registry: AgentRegistry;
let host: AgentHost;
let worker: RegisteredAgent;
let main: RegisteredAgent;

before(async () => {
  registry = new AgentRegistry(quiet, { inspectTimeoutMs: 10_000 });
  await registry.load({ builtins: [], thirdParty: [FIXTURE] });
  registry.applyOverrides([]);
  worker = registry.get('reads-pixels')!;
  assert.ok(worker, 'the fixture agent is registered');
  // the same agent as a built-in that asks for the main thread
  const mod = (await import(join(FIXTURE, 'index.ts'))) as { default: RegisteredAgent['agent'] };
  main = { ...worker, builtin: true, agent: { ...mod.default, thread: 'main' } };
  host = new AgentHost({ threads: 2, memoryMb: 256, defaultTimeoutSeconds: 30, log: quiet });
});
after(async () => {
  await host?.close();
  rmSync(DIR, { recursive: true, force: true });
});

function digest(img: PixelImage): string {
  const h = createHash('sha256').update(JSON.stringify([img.width, img.height, img.channels, img.binned, img.rowOrder, img.bayerPattern, img.linear]));
  for (const p of img.planes) h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex');
}

async function run(r: RegisteredAgent, maxPixels: number, pixels?: PixelRound) {
  const out = await host.run(
    r,
    { image: { id: '00000000-0000-0000-0000-000000000001', source: 'test', path: 'frame.fits', sizeBytes: BYTES.length, modifiedAt: null, fingerprint: 'x' }, facts: {}, localPath: FILE, settings: { maxPixels }, stage: 'aggregate' },
    { cache: memoryCache(), log: quiet, pixels },
  );
  return out.facts as { digest: string; width: number; height: number; binned: number; shared: boolean; thread: string };
}

test('a round decodes the file once for the agents whose requests it answers, with the pixels of a direct read', async () => {
  const round = host.openRound();
  // 201×151 = 30,351 pixels: 12,000 → binned ×2 (101×76 = 7,676); 9,000 and 0 (full size) too need other reads
  const first = await run(worker, 12_000, round);
  assert.equal(round.decodes, 1);
  assert.equal(first.binned, 2);
  assert.equal(first.digest, digest(await readPixels(FILE, { maxPixels: 12_000 })), 'the pixels of a direct read');

  // another agent of the round, another budget that bins the same: no decode
  const second = await run(worker, 9_000, round);
  const third = await run(main, 8_000, round);
  assert.equal(third.thread, 'main');
  assert.equal(round.decodes, 1, 'one decode for three agents');
  assert.equal(round.hits, 2);
  assert.equal(second.digest, digest(await readPixels(FILE, { maxPixels: 9_000 })));
  assert.equal(third.digest, digest(await readPixels(FILE, { maxPixels: 8_000 })));
  assert.ok(second.shared && third.shared, 'the round hands out shared memory, not copies');

  // a budget under which the reader bins more, and the full size: each one more decode
  const smaller = await run(worker, 5_000, round);
  assert.equal(smaller.binned, 3);
  assert.equal(round.decodes, 2);
  assert.equal(smaller.digest, digest(await readPixels(FILE, { maxPixels: 5_000 })));
  const full = await run(worker, 0, round);
  assert.equal(full.binned, 1);
  assert.equal(round.decodes, 3);
  assert.equal(full.digest, digest(await readPixels(FILE)));
  // …and the full-size pixels answer any budget they fit
  assert.equal((await run(main, 40_000, round)).digest, full.digest);
  assert.equal(round.decodes, 3);
  round.close();
});

test('runs without a round decode each time; a closed round keeps nothing', async () => {
  const a = await run(worker, 12_000);
  const b = await run(worker, 12_000);
  assert.equal(a.digest, b.digest);
  const round = host.openRound();
  round.close();
  await run(worker, 12_000, round);
  await run(worker, 12_000, round);
  assert.equal(round.decodes, 2, 'nothing kept after close');
  assert.equal(round.hits, 0);
});

test('what a round answers is always what a direct read returns (every budget against every earlier decode)', async () => {
  const budgets = [0, 40_000, 30_351, 30_350, 12_000, 7_676, 7_675, 5_000, 3_434, 1_000, 100];
  const direct = new Map<number, string>();
  for (const m of budgets) direct.set(m, digest(await readPixels(FILE, m ? { maxPixels: m } : {})));
  let answered = 0;
  for (const m0 of budgets) {
    const round = new PixelRound();
    round.store(m0 ? { maxPixels: m0 } : {}, await decodePixels(FILE, m0 ? { maxPixels: m0 } : {}));
    for (const m of budgets) {
      const got = round.lookup(m ? { maxPixels: m } : {});
      if (!got) continue;
      answered++;
      assert.equal(digest(got), direct.get(m), `decoded for ${m0}, asked ${m}`);
    }
    // other decode limits are another read
    assert.equal(round.lookup({ maxPixels: m0 || undefined, limits: { maxImagePixels: 1000 } }), undefined);
  }
  assert.ok(answered > budgets.length, `the round answers more than the exact same request (${answered})`);
});
