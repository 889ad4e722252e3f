// The memory ceilings of the readers, with small limits so that each bomb is
// cheap to build: every one is a permanent AgentError naming the setting,
// raised before the memory is allocated.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { AgentError } from '../../sdk/index.ts';
import { readPixels } from './index.ts';
import { decodeLimits, DEFAULT_LIMITS } from './limits.ts';
import { concat, fitsHdu, rawHeader, tempDir, tileCompressedHdu, xisfFile } from './test-writers.ts';

const tmp = tempDir();
after(() => tmp.cleanup());
const MB = 1024 * 1024;
const small = { maxImagePixels: 1_000_000, maxDecodedBytes: 1 * MB };

function ceiling(setting: string) {
  return (e: unknown) => e instanceof AgentError && e.permanent && e.message.includes(setting);
}

test('limits: settings fall back to the defaults for anything missing or invalid', () => {
  assert.deepEqual(decodeLimits(undefined), DEFAULT_LIMITS);
  assert.deepEqual(decodeLimits({ maxImagePixels: 5, maxDecodedBytes: 'x' }), { maxImagePixels: 5, maxDecodedBytes: DEFAULT_LIMITS.maxDecodedBytes });
  assert.ok(DEFAULT_LIMITS.maxImagePixels >= 150e6 * 3, 'a 150 MP frame (and more) passes');
});

test('limits: an image over the pixel ceiling is refused for every format, the same file passes with the default', async () => {
  const fits = tmp.path('big.fits');
  writeFileSync(fits, fitsHdu({ bitpix: 8, axes: [1200, 1000], rawData: new Uint8Array(1200 * 1000) }));
  await assert.rejects(readPixels(fits, { limits: small }), ceiling('SIDEREAL_MAX_IMAGE_PIXELS'));
  assert.equal((await readPixels(fits, { maxPixels: 10_000 })).binned, 12);
  const xisf = tmp.path('big.xisf');
  writeFileSync(xisf, xisfFile({ width: 1200, height: 1000, channels: 1, sampleFormat: 'UInt8', samples: new Uint8Array(1200 * 1000) }));
  await assert.rejects(readPixels(xisf, { limits: small }), ceiling('SIDEREAL_MAX_IMAGE_PIXELS'));
  const png = tmp.path('big.png');
  const sharp = (await import('sharp')).default;
  writeFileSync(png, await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#000' } }).png().toBuffer());
  await assert.rejects(readPixels(png, { limits: small }), ceiling('SIDEREAL_MAX_IMAGE_PIXELS'));
});

test('limits: a compressed XISF block over the byte ceiling is refused before it is inflated', async () => {
  const p = tmp.path('block.xisf');
  writeFileSync(p, xisfFile({ width: 800, height: 800, channels: 1, sampleFormat: 'UInt16', samples: new Uint16Array(640000), codec: 'zlib' }));
  await assert.rejects(readPixels(p, { limits: small }), ceiling('SIDEREAL_MAX_DECODED_BYTES'));
  assert.equal((await readPixels(p, { maxPixels: 10_000 })).channels, 1);
});

test('limits: one enormous row in a gzip FITS is refused before the row is read', async () => {
  // 400,000 doubles in one row: 3.2 MB of row buffer from a few KB of gzip
  const p = tmp.path('row.fits.gz');
  writeFileSync(p, gzipSync(concat([rawHeader([['SIMPLE', true], ['BITPIX', -64], ['NAXIS', 2], ['NAXIS1', 400000], ['NAXIS2', 1]]), new Uint8Array(400000 * 8 + 2880 - ((400000 * 8) % 2880))])));
  await assert.rejects(readPixels(p, { limits: { maxImagePixels: 2 ** 30, maxDecodedBytes: 1 * MB } }), ceiling('SIDEREAL_MAX_DECODED_BYTES'));
});

test('limits: a tile-compressed FITS whose tiles need more than the ceiling is refused before decoding', async () => {
  const p = tmp.path('tiles.fits.fz');
  writeFileSync(p, concat([fitsHdu({ bitpix: 8, axes: [] }), tileCompressedHdu({ bitpix: 16, width: 300, height: 300, data: new Array(90000).fill(5), compression: 'GZIP_1', tileHeight: 300 })]));
  await assert.rejects(readPixels(p, { limits: small }), ceiling('SIDEREAL_MAX_DECODED_BYTES'));
  assert.equal((await readPixels(p)).width, 300);
});
