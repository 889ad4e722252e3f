import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { after } from 'node:test';
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { fitsHdu, tempDir } from '../lib/formats/test-writers.ts';
import { decodeLimits, describeFile, readPixels } from '../lib/formats/index.ts';
import { AgentSkip, type AgentContext, type Facts, type Json } from '../sdk/index.ts';
import { createTestContext } from '../sdk/runtime.ts';
import agent, { maxPixelsFor } from './index.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

/** A linear 16-bit CCD frame: 512 ADU background, noise and a few stars (as a MaxIm DL FITS). */
function linearFits(width: number, height: number): Uint8Array {
  const data = new Uint16Array(width * height);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  for (let i = 0; i < data.length; i++) data[i] = 512 + Math.round((rand() - 0.5) * 16);
  for (let s = 0; s < 40; s++) {
    const cx = 10 + rand() * (width - 20), cy = 10 + rand() * (height - 20), peak = 2000 + rand() * 50000;
    for (let y = Math.floor(cy) - 5; y <= Math.floor(cy) + 5; y++) for (let x = Math.floor(cx) - 5; x <= Math.floor(cx) + 5; x++) {
      data[y * width + x] = Math.min(65535, data[y * width + x]! + Math.round(peak * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 3)));
    }
  }
  const stored = Int16Array.from(data, (v) => v - 32768);
  return fitsHdu({ bitpix: 16, axes: [width, height], data: stored, cards: [['BZERO', 32768], ['BSCALE', 1], ['IMAGETYP', 'Light Frame'], ['EXPTIME', 5]] });
}

/** A context as the engine builds it: the file (written to a temp folder) and the `file` agent's facts for it. */
async function contextFor(rel: string, bytes: Uint8Array, settings: Record<string, Json> = {}): Promise<AgentContext> {
  const localPath = tmp.path(basename(rel));
  writeFileSync(localPath, bytes);
  const described = await describeFile(localPath, { fileName: basename(rel), folderPath: dirname(rel) });
  return createTestContext({
    localPath,
    image: { path: rel },
    facts: { file: described as unknown as Facts },
    settings: { thumbnailSize: 400, previewSize: 2048, stretch: 'auto', format: 'jpeg', quality: 85, debayer: 'auto', ...settings },
    stage: 'render',
    readPixels: (path, o) => readPixels(path, { maxPixels: o?.maxPixels, limits: decodeLimits(o?.limits) }),
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

test('a linear CCD frame gets a stretched preview and thumbnail', async () => {
  const out = await agent.run(await contextFor('M13/Light_M13_0001.fits', linearFits(1392, 1040)));
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
  const w = 800, h = 600;
  const grey = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) grey[y * w + x] = 20 + Math.round((x / w) * 90 + ((x * 31 + y * 17) % 23));
  const jpeg = await sharp(grey, { raw: { width: w, height: h, channels: 1 } }).jpeg({ quality: 90 }).toBuffer();
  const ctx = await contextFor('processed/orion.jpg', jpeg, { format: 'webp' });
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
  const wcsOnly = fitsHdu({ bitpix: 8, axes: [], cards: [['IMAGEW', 5496], ['IMAGEH', 3672], ['CTYPE1', 'RA---TAN-SIP'], ['CTYPE2', 'DEC--TAN-SIP'], ['CRVAL1', 184.74], ['CRVAL2', 47.3], ['CRPIX1', 2748], ['CRPIX2', 1836], ['CD1_1', -3.4e-4], ['CD1_2', 0], ['CD2_1', 0], ['CD2_2', 3.4e-4]] });
  await assert.rejects(agent.run(await contextFor('solved/frame11.wcs.fits', wcsOnly)), AgentSkip);
});

test('mosaics are read at full size, everything else binned by the reader', () => {
  const mono = { channels: 1, acquisition: { bayerPattern: null } } as never;
  const cfa = { channels: 1, acquisition: { bayerPattern: 'RGGB' } } as never;
  assert.equal(maxPixelsFor(mono, 2048), 4 * 2048 * 2048);
  assert.ok(maxPixelsFor(cfa, 2048) >= 62_000_000);
});
