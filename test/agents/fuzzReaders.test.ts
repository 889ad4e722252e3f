// A bounded fuzz test of the format readers on the real reading path: a few
// hundred seeded mutants of FITS (plain, gzip, tile-compressed), XISF (plain
// and compressed), TIFF, JPEG and PNG files, each run through the `file`
// agent and then the `preview` agent in the agent host's worker pool, as the
// engine does. No mutant may crash or hang a worker, run into a memory or
// time limit, or end in anything but a result or a clear AgentError on its
// own image; facts must be storable (no NUL, no side beyond 32 bits).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError, AgentSkip, type AgentResult } from '../../agents/sdk/index.ts';
import { memoryCache } from '../../agents/sdk/runtime.ts';
import { AgentHost } from '../../daemon/agent-host/AgentHost.ts';
import { AgentRegistry, type RegisteredAgent } from '../../daemon/agent-host/AgentRegistry.ts';
import { log } from '../../daemon/log.ts';
import { mutants, seeds, type Mutant } from '../helpers/mutants.ts';

const SEED = 20261206;
const COUNT = 240;
/** a mutant still running after this long counts as a hang (the readers take milliseconds on these files) */
const HANG_MS = 30_000;

const quiet = log.child({ component: 'test' });
quiet.level = 'fatal';
let registry: AgentRegistry;
let host: AgentHost;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sidereal-fuzz-'));
  registry = new AgentRegistry(quiet);
  await registry.load({ builtins: ['file', 'preview'] });
  registry.applyOverrides([]);
  host = new AgentHost({ threads: 2, memoryMb: 1024, defaultTimeoutSeconds: 20, processMemoryLimitMb: process.memoryUsage.rss() / 1048576 + 3000, log: quiet });
});
after(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Outcome = { ok: true; result: AgentResult } | { ok: false; error: unknown };

async function runAgent(name: string, m: Mutant, path: string, facts: Record<string, unknown>): Promise<Outcome> {
  const r = registry.get(name) as RegisteredAgent;
  const image = { id: '00000000-0000-0000-0000-00000000f022', source: 'fuzz', path: `fuzz/${m.name}.${m.ext}`, sizeBytes: m.bytes.length, modifiedAt: null, fingerprint: m.name };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung for ${HANG_MS / 1000} s`)), HANG_MS);
  });
  try {
    const result = await Promise.race([host.run(r, { image, facts: facts as never, localPath: path, settings: r.settings, stage: r.agent.stages[0]! }, { cache: memoryCache(), log: quiet }), hang]);
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** what is wrong with an outcome, or null */
function problem(o: Outcome): string | null {
  if (!o.ok) {
    if (o.error instanceof AgentSkip) return null;
    if (o.error instanceof AgentError && o.error.permanent) return null;
    const e = o.error as Error;
    return `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`;
  }
  const json = JSON.stringify(o.result.facts);
  if (json.includes('\\u0000')) return 'facts hold a NUL character';
  const f = o.result.facts as Record<string, unknown>;
  for (const k of ['width', 'height']) {
    const v = f[k];
    if (v !== null && v !== undefined && !(Number.isSafeInteger(v) && (v as number) > 0 && (v as number) < 2 ** 31)) return `${k} ${String(v)} does not fit the catalog`;
  }
  return null;
}

test(`${COUNT} seeded mutants of FITS, XISF, TIFF, JPEG and PNG files end as a result or an error on their own image, in real worker threads`, async () => {
  const all = await seeds();
  const list = mutants(all, COUNT, SEED);
  const problems: string[] = [];
  const tally = { fileOk: 0, fileError: 0, previewOk: 0, previewError: 0 };
  // the seeds themselves read and render
  for (const s of all) {
    const path = join(dir, `seed-${s.name}.${s.ext}`);
    writeFileSync(path, s.bytes);
    const m = { name: `seed-${s.name}`, ext: s.ext, bytes: s.bytes, how: 'unchanged' };
    const file = await runAgent('file', m, path, {});
    assert.ok(file.ok, `seed ${s.name}: ${file.ok ? '' : (file.error as Error).message}`);
    const preview = await runAgent('preview', m, path, { file: file.result.facts });
    assert.ok(preview.ok, `seed ${s.name} preview: ${preview.ok ? '' : (preview.error as Error).message}`);
  }
  // two at a time, as two processing slots would
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const m = list[next++]!;
      const path = join(dir, `${m.name}.${m.ext}`);
      writeFileSync(path, m.bytes);
      const file = await runAgent('file', m, path, {});
      const p1 = problem(file);
      if (p1) problems.push(`${m.name} (${m.how}) file: ${p1}`);
      tally[file.ok ? 'fileOk' : 'fileError']++;
      // the engine runs the preview only on what the file agent could read; its decoders get every mutant here
      const preview = await runAgent('preview', m, path, file.ok ? { file: file.result.facts } : {});
      const p2 = problem(preview);
      if (p2) problems.push(`${m.name} (${m.how}) preview: ${p2}`);
      tally[preview.ok ? 'previewOk' : 'previewError']++;
      rmSync(path, { force: true });
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(problems, []);
  // the mutants exercise both outcomes (a mutator that breaks nothing, or everything, tests little)
  assert.ok(tally.fileOk > COUNT / 10 && tally.fileError > COUNT / 10, JSON.stringify(tally));
  assert.ok(tally.previewOk > COUNT / 10 && tally.previewError > COUNT / 10, JSON.stringify(tally));
  // and the pool still works
  const good = all[0]!;
  const path = join(dir, `seed-${good.name}.${good.ext}`);
  const after = await runAgent('file', { name: 'again', ext: good.ext, bytes: good.bytes, how: '' }, path, {});
  assert.ok(after.ok);
});
