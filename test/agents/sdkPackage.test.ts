// The agent SDK as an author outside this repository gets it: `npm pack` of
// agents/sdk is installed into a temporary project (offline), where a plain
// JavaScript agent and its test run with Node alone (no tsx) and a TypeScript
// file type-checks against the shipped declarations; `sidereal agent new`
// scaffolds a package whose test and `sidereal agent run` work at once; and
// `sidereal agent run` refuses an agent that needs a newer SDK, as the daemon does.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runAgentOnFile } from '../../daemon/tools/agentRun.ts';
import { SDK_VERSION } from '../../agents/sdk/index.ts';
import { fitsFixture } from '../helpers/fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'sidereal-sdk-package-'));
after(() => rmSync(work, { recursive: true, force: true }));
// child processes run as an author's would: plain node, no tsx loader inherited
const plainEnv = () => {
  const env: Record<string, string | undefined> = { ...process.env, npm_config_update_notifier: 'false' };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT; // else a nested `node --test` reports to this runner, not to its stdout
  return env;
};
function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: plainEnv() });
}

test('npm pack of the SDK installs into another project; a JavaScript agent and its test run with Node alone; TypeScript sees its types', () => {
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work, './agents/sdk'], ROOT)) as { filename: string; files: { path: string }[] }[];
  const listed = packed[0]!.files.map((f) => f.path);
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/runtime.js', 'dist/facts.d.ts', 'package.json', 'README.md']) assert.ok(listed.includes(f), `${f} is in the package: ${listed.join(', ')}`);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;

  const project = join(work, 'my-agent');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-agent', version: '1.0.0', type: 'module', sidereal: { sdk: SDK_VERSION } }));
  npm(['install', '--offline', `../${tarball}`], project);
  writeFileSync(join(project, 'index.js'), `import { AgentError, defineAgent } from '@sidereal/agent-sdk';
export default defineAgent({
  name: 'size-class', version: '1', stages: ['aggregate'],
  async run(ctx) {
    if (ctx.image.sizeBytes === 0) throw new AgentError('empty file');
    const head = await ctx.file.range(0, 6);
    return { facts: { large: ctx.image.sizeBytes > 1000, head: new TextDecoder().decode(head) } };
  },
});
`);
  writeFileSync(join(project, 'index.test.js'), `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createTestContext } from '@sidereal/agent-sdk/runtime';
import agent from './index.js';
test('size class', async () => {
  writeFileSync('frame.fits', 'SIMPLE  = T' + ' '.repeat(2000));
  const out = await agent.run(await createTestContext({ localPath: 'frame.fits', stage: 'aggregate' }));
  assert.deepEqual(out.facts, { large: true, head: 'SIMPLE' });
});
`);
  const run = spawnSync(process.execPath, ['--test'], { cwd: project, encoding: 'utf8', env: plainEnv() });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /# pass 1/);

  // the declarations: a TypeScript author's mistakes are caught, good code passes
  writeFileSync(join(project, 'check.ts'), `import { defineAgent, type AgentContext } from '@sidereal/agent-sdk';
import type { SolveFacts } from '@sidereal/agent-sdk/facts';
export default defineAgent({
  name: 'typed', version: '1', stages: ['describe'], uses: ['platesolve'],
  async run(ctx: AgentContext) {
    const solve = ctx.facts.platesolve as unknown as SolveFacts | undefined;
    return { facts: { ra: solve?.ra ?? null } };
  },
});
`);
  writeFileSync(join(project, 'bad.ts'), `import { defineAgent } from '@sidereal/agent-sdk';
export default defineAgent({ name: 'bad', version: 1, stages: ['nowhere'], async run() { return { facts: {} }; } });
`);
  const tsc = (file: string) =>
    spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'false', '--typeRoots', join(ROOT, 'node_modules/@types'), '--types', 'node', file], { cwd: project, encoding: 'utf8', env: plainEnv() });
  const good = tsc('check.ts');
  assert.equal(good.status, 0, good.stdout + good.stderr);
  const bad = tsc('bad.ts');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stdout, /version|nowhere/);
});

test('sidereal agent new scaffolds a package whose test and `sidereal agent run` work at once', () => {
  const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [join(ROOT, 'bin/sidereal.mjs'), ...args], { cwd, encoding: 'utf8', env: { ...plainEnv(), SIDEREAL_FROM_SOURCE: '1' } });
  const made = cli(['agent', 'new', 'brightness', '--dir', work], work);
  assert.equal(made.status, 0, made.stderr);
  const dir = join(work, 'brightness');
  assert.deepEqual(['README.md', 'index.js', 'index.test.js', 'package.json'].filter((f) => !readdirSync(dir).includes(f)), []);
  const again = cli(['agent', 'new', 'brightness', '--dir', work], work);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists/);
  assert.equal(cli(['agent', 'new', 'Bad Name'], work).status, 1);

  const t = spawnSync('npm', ['test', '--silent'], { cwd: dir, encoding: 'utf8', env: plainEnv() });
  assert.equal(t.status, 0, t.stdout + t.stderr);

  const frame = join(work, 'Light_0001.fits');
  writeFileSync(frame, fitsFixture({ width: 120, height: 90 }));
  const r = cli(['agent', 'run', dir, frame], work);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.agent.name, 'brightness');
  assert.equal(report.status, 'done');
  assert.equal(report.facts.pixels, 120 * 90);
  assert.ok(report.facts.brightFraction >= 0 && report.facts.brightFraction < 50);
});

test('sidereal agent run refuses an agent that needs a newer SDK, with the daemon\'s message', async () => {
  const frame = join(work, 'frame.fits');
  writeFileSync(frame, fitsFixture({ width: 32, height: 32 }));
  await assert.rejects(
    runAgentOnFile({ source: join(ROOT, 'test/agents/fixtures/needs-newer-sdk'), file: frame, memoryMb: 256, defaultTimeoutSeconds: 20 }),
    new RegExp(`needs agent SDK version 99; this Sidereal provides version ${SDK_VERSION}`),
  );
});
