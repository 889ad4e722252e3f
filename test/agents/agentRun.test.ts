// The agent author's tool: `sidereal agent run <agent> <file>` runs one agent
// on one file as the daemon would (worker thread, limits, schema check) and
// prints what it emits, without a database.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runAgentOnFile } from '../../daemon/tools/agentRun.ts';
import { fits16, starField } from '../../examples/star-quality/test/synthetic.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/star-quality');
const FIXTURES = join(ROOT, 'test/agents/fixtures');
const dir = mkdtempSync(join(tmpdir(), 'sidereal-agent-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const light = join(dir, 'Light_0001.fits');
writeFileSync(light, fits16(starField({ width: 400, height: 300, stars: 50, sigmaX: 1.7, background: 0.05, noise: 0.003, seed: 60 }), { IMAGETYP: 'Light Frame', XPIXSZ: 3.76, FOCALLEN: 400 }));
const dark = join(dir, 'Dark_0001.fits');
writeFileSync(dark, fits16(starField({ width: 200, height: 150, stars: 0, sigmaX: 1, background: 0.02, noise: 0.002, seed: 61 }), { IMAGETYP: 'Dark Frame' }));
const base = { memoryMb: 256, defaultTimeoutSeconds: 20 };

test('the CLI prints the facts as JSON on standard output (logs elsewhere) and exits 0', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/sidereal.mjs'), 'agent', 'run', EXAMPLE, light, '--settings', 'detectionSigma=6'], { env: { ...process.env, SIDEREAL_FROM_SOURCE: '1' }, encoding: 'utf8', cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.agent.name, 'star-quality');
  assert.equal(report.status, 'done');
  assert.equal(report.facts.starCount, 50);
  assert.equal(report.facts.scaleSource, 'header', 'the built-in file agent ran first and gave the optics');
  assert.deepEqual(report.earlierFacts, ['file']);
});

test('settings are read by their declared type; a bad one is a usage error', async () => {
  const strict = await runAgentOnFile({ ...base, source: EXAMPLE, file: light, settings: ['detectionSigma=60', 'maxStars=20'] });
  assert.ok(strict.facts!.measuredStars as number <= 20);
  await assert.rejects(runAgentOnFile({ ...base, source: EXAMPLE, file: light, settings: ['detectionSigma=1'] }), /detectionSigma must be at least 2/);
  await assert.rejects(runAgentOnFile({ ...base, source: EXAMPLE, file: light, settings: ['nope=1'] }), /nope: no such setting \(known: detectionSigma, maxStars, maxMegapixels, saturation\)/);
});

test('appliesTo is honoured (a dark frame is not measured) unless --force; --facts supplies earlier facts', async () => {
  const r = await runAgentOnFile({ ...base, source: EXAMPLE, file: dark });
  assert.equal(r.status, 'not-applicable');
  assert.equal(r.reason, 'frame type dark not handled');
  const forced = await runAgentOnFile({ ...base, source: EXAMPLE, file: dark, force: true });
  assert.equal(forced.status, 'done');
  assert.equal(forced.facts!.starCount, 0);
  const factsFile = join(dir, 'facts.json');
  writeFileSync(factsFile, JSON.stringify({ file: { format: 'fits', frameType: 'light', bitDepth: 16 }, platesolve: { solved: true, pixelScaleArcsec: 1.25 } }));
  const solved = await runAgentOnFile({ ...base, source: EXAMPLE, file: dark, with: [], factsFile });
  assert.equal(solved.status, 'done');
  assert.deepEqual(solved.earlierFacts, ['file', 'platesolve']);
  assert.equal(solved.facts!.scaleSource, 'platesolve');
});

test('a failing, hanging or schema-breaking agent is reported, not thrown', async () => {
  const thrown = await runAgentOnFile({ ...base, source: join(FIXTURES, 'throws'), file: light });
  assert.equal(thrown.status, 'failed');
  assert.match(thrown.reason!, /TypeError/);
  const hung = await runAgentOnFile({ ...base, source: join(FIXTURES, 'hangs'), file: light, timeoutSeconds: 1 });
  assert.equal(hung.status, 'failed');
  assert.match(hung.reason!, /did not finish within 1 s/);
  const bad = await runAgentOnFile({ ...base, source: join(FIXTURES, 'bad-facts'), file: light });
  assert.match(bad.reason!, /returned invalid facts/);
  const skipped = await runAgentOnFile({ ...base, source: join(FIXTURES, 'skips'), file: light });
  assert.equal(skipped.status, 'skipped');
  assert.ok(readFileSync(light).length > 0);
});
