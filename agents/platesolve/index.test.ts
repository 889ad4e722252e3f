// test-needs: tycho2
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import type { AgentContext, Facts } from '../sdk/index.ts';
import type { SolveFacts } from '../sdk/facts.ts';
import { describeFile, readPixels } from '../lib/formats/index.ts';
import { testCatalogPath } from '../lib/stars/testing/testCatalog.ts';
import agent from './index.ts';
import { TESTDATA, corpus } from '../lib/formats/test-data.ts';

const testdata = TESTDATA;

async function run(file: string, settings: Record<string, boolean | number | string> = {}, signal = new AbortController().signal) {
  const path = testdata + file;
  const name = file.split('/').pop()!;
  const d = await describeFile(path, { fileName: name, folderPath: '' });
  const size = (await stat(path)).size;
  const logs: string[] = [];
  const ctx: AgentContext = {
    image: { id: '1', source: 'library', path: file, sizeBytes: size, modifiedAt: null, fingerprint: 'x' },
    facts: { file: d as unknown as Facts },
    file: {
      localPath: path, size,
      range: async () => new Uint8Array(0), readAll: async () => new Uint8Array(0), stream: async function* () {},
    },
    settings: { solveField: false, timeLimitSeconds: 20, starCatalog: testCatalogPath(), ...settings },
    stage: 'solve',
    log: { debug: () => {}, info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    signal,
    progress: () => {},
    cache: { get: async () => undefined, set: async () => {} },
    readPixels: (o) => readPixels(path, { maxPixels: o?.maxPixels, fileName: name }),
  };
  const out = await agent.run(ctx);
  return out;
}

test('agent contract: name, stage, applies-to and settings', () => {
  assert.equal(agent.name, 'platesolve');
  assert.deepEqual(agent.stages, ['solve']);
  assert.deepEqual(agent.uses, ['file']);
  assert.deepEqual(agent.appliesTo?.formats, ['fits', 'xisf', 'tiff', 'jpeg', 'png', 'raw']);
  assert.deepEqual(agent.appliesTo?.frameTypes, ['light', 'master', 'processed']);
  assert.equal(agent.settings?.solveField.default, true);
  assert.equal(agent.settings?.timeLimitSeconds.default, 60);
});

test('FITS with a header WCS: solved, verified, facts are plain JSON', corpus, async () => {
  const out = await run('fits-headers/stellarsolver-randomsky.fits');
  const f = out.facts as unknown as SolveFacts;
  assert.equal(f.solved, true);
  assert.match(String(f.solver), /^header:/);
  assert.ok(Math.abs(f.ra! - 21.643) < 0.01 && Math.abs(f.dec! - 69.252) < 0.01, `${f.ra} ${f.dec}`);
  assert.equal(f.corners?.length, 4);
  assert.equal((f.wcs as Record<string, unknown>).CTYPE1, 'RA---TAN');
  assert.deepEqual(JSON.parse(JSON.stringify(out.facts)), out.facts);
});

test('a frame without any hint and without solve-field: an honest answer within the time limit', corpus, async () => {
  const out = await run('platesolve/astropy-M13_blue_0001.fits', { timeLimitSeconds: 5 });
  const f = out.facts as unknown as SolveFacts;
  if (!f.solved) assert.ok(f.reason && f.reason.length > 0, 'reason');
  else assert.ok(Math.abs(f.dec! - 36.46) < 1, `M13 field, got dec ${f.dec}`);
});

test('unsolved: a final answer with a stable reason code; interrupted: a retryable failure, not an answer', corpus, async () => {
  const out = await run('platesolve/astropy-M13_blue_0001.fits', { timeLimitSeconds: 5 });
  const f = out.facts as unknown as SolveFacts & { unsolvedReason: { code: string; message: string } | null; timingsMs: Record<string, number | null> };
  if (!f.solved) {
    assert.ok(['not-found', 'no-index-match', 'too-few-stars', 'too-few-catalog-stars', 'field-too-narrow'].includes(f.unsolvedReason!.code), JSON.stringify(f.unsolvedReason));
    assert.ok(f.unsolvedReason!.message.length > 0);
  } else {
    assert.equal(f.unsolvedReason, null);
  }
  assert.ok(typeof f.timingsMs.detect === 'number' && typeof f.timingsMs.total === 'number');
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(run('platesolve/astropy-M13_blue_0001.fits', {}, ac.signal), (err: Error & { permanent?: boolean }) => err.name === 'AgentError' && err.permanent === false);
});
