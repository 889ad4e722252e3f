// The agent author's tool: `sidereal agent run <agent> <file>` runs one agent
// on one file as the daemon would (worker thread, limits, schema check) and
// prints what it emits, without a database.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runAgentOnFile } from '../../daemon/tools/agentRun.ts';
import { fits16, starField } from '../../examples/star-quality/test/synthetic.ts';

const execFileAsync = promisify(execFile);
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

test('the CLI passes the host configuration to built-in agents as settings, as the daemon does', async () => {
  // the description agent reads no environment: SIDEREAL_OFFLINE and SIDEREAL_WIKIPEDIA_URL reach it as settings
  const factsFile = join(dir, 'objects.json');
  writeFileSync(factsFile, JSON.stringify({ objects: { primary: 'M31', objects: [{ id: 'M31', designations: ['M31', 'NGC 224'], name: 'Andromeda Galaxy', type: 'galaxy', ra: 10.68, dec: 41.27, magnitude: 3.4, sizeArcmin: 190 }] } }));
  // a stand-in Wikipedia on loopback that knows every title
  const wiki = http.createServer((req, res) => {
    const title = decodeURIComponent((req.url ?? '').split('/').pop() ?? '').replace(/_/g, ' ');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'standard', title, description: 'galaxy', extract: `${title} is a spiral galaxy in Andromeda.`, content_urls: { desktop: { page: `https://en.wikipedia.org/wiki/${title}` } } }));
  });
  await new Promise<void>((r) => wiki.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(wiki.address() as AddressInfo).port}`;
  const describe = async (env: Record<string, string>) => {
    const r = await execFileAsync(process.execPath, [join(ROOT, 'bin/sidereal.mjs'), 'agent', 'run', join(ROOT, 'agents/description'), light, '--with', 'none', '--facts', factsFile, '--force'], { env: { ...process.env, SIDEREAL_FROM_SOURCE: '1', ...env }, encoding: 'utf8', cwd: dir });
    return JSON.parse(r.stdout) as { status: string; facts: { source: string; fallbackReason: string | null } };
  };
  try {
    const online = await describe({ SIDEREAL_OFFLINE: 'false', SIDEREAL_WIKIPEDIA_URL: url });
    assert.equal(online.status, 'done');
    assert.equal(online.facts.source, 'Wikipedia', 'the configured Wikipedia was asked');
    const offline = await describe({ SIDEREAL_OFFLINE: 'true', SIDEREAL_WIKIPEDIA_URL: url });
    assert.equal(offline.facts.source, 'Sidereal catalog');
    assert.equal(offline.facts.fallbackReason, 'disabled');
  } finally {
    await new Promise((r) => wiki.close(r));
  }
});
