import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describeFile } from '../formats/index.ts';
import { AgentSkip, type AgentContext, type Facts, type Json } from '../sdk/index.ts';
import { createTestContext } from '../sdk/runtime.ts';
import agent, { maxPixelsFor } from './index.ts';

const testdata = fileURLToPath(new URL('../../../shared/testdata/', import.meta.url));

/** A context as the engine builds it: the real file and the `file` agent's facts for it. */
async function contextFor(rel: string, settings: Record<string, Json> = {}): Promise<AgentContext> {
  const localPath = testdata + rel;
  const described = await describeFile(localPath, { fileName: basename(rel), folderPath: dirname(rel) });
  return createTestContext({
    localPath,
    image: { path: rel },
    facts: { file: described as unknown as Facts },
    settings: { thumbnailSize: 400, previewSize: 2048, stretch: 'auto', format: 'jpeg', quality: 85, debayer: 'auto', ...settings },
    stage: 'render',
  });
}

async function medianOf(jpeg: Uint8Array): Promise<number> {
  const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  const hist = new Uint32Array(256);
  for (let i = 0; i < data.length; i += info.channels) hist[data[i]!]!++;
  let acc = 0;
  for (let v = 0; v < 256; v++) if ((acc += hist[v]!) >= data.length / info.channels / 2) return v / 255;
  return 1;
}

test('a linear CCD frame (M13, MaxIm DL FITS) gets a stretched preview and thumbnail', async () => {
  const out = await agent.run(await contextFor('platesolve/astropy-M13_blue_0001.fits'));
  const [thumb, preview] = out.artifacts!;
  assert.equal(thumb!.name, 'thumbnail');
  assert.equal(preview!.name, 'preview');
  assert.equal(preview!.contentType, 'image/jpeg');
  assert.deepEqual([...preview!.data.subarray(0, 2)], [0xff, 0xd8]);
  const meta = await sharp(preview!.data).metadata();
  assert.deepEqual([meta.width, meta.height], [1392, 1040]);
  assert.equal((await sharp(thumb!.data).metadata()).width, 400);
  assert.equal(out.facts['stretched'], true);
  assert.equal(out.facts['debayered'], false);
  // 512 ADU of 65535 background: the STF lifts it to about 0.25
  assert.ok(Math.abs((out.facts['median'] as number) - 512 / 65535) < 0.0005);
  const m = await medianOf(preview!.data);
  assert.ok(m >= 0.15 && m <= 0.4, `preview median ${m}`);
});

test('a processed JPEG keeps its tonality; WebP output on request', async () => {
  const ctx = await contextFor('platesolve/cedar-orion_belt.jpg', { format: 'webp' });
  const out = await agent.run(ctx);
  assert.equal(out.facts['stretched'], false);
  const preview = out.artifacts!.find((a) => a.name === 'preview')!;
  assert.equal(preview.contentType, 'image/webp');
  const original = await sharp(ctx.file.localPath).greyscale().raw().toBuffer();
  const hist = new Uint32Array(256);
  for (const v of original) hist[v]!++;
  let acc = 0;
  let orig = 0;
  for (let v = 0; v < 256; v++) if ((acc += hist[v]!) >= original.length / 2) { orig = v / 255; break; }
  assert.ok(Math.abs((await medianOf(preview.data)) - orig) < 0.03);
});

test('a header-only FITS (astrometry.net .wcs) is skipped, not failed', async () => {
  await assert.rejects(agent.run(await contextFor('fits-headers/photonfinder-M106_frame11.wcs.fits')), AgentSkip);
});

test('mosaics are read at full size, everything else binned by the reader', () => {
  const mono = { channels: 1, acquisition: { bayerPattern: null } } as never;
  const cfa = { channels: 1, acquisition: { bayerPattern: 'RGGB' } } as never;
  assert.equal(maxPixelsFor(mono, 2048), 4 * 2048 * 2048);
  assert.ok(maxPixelsFor(cfa, 2048) >= 62_000_000);
});
