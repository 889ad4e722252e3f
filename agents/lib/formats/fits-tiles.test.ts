import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { readFitsPixels, scanFits } from './fits.ts';
import { riceDecode } from './rice.ts';
import { fitsHdu, riceEncode, tempDir, tileCompressedHdu, writeFits } from './test-writers.ts';
import { FIXTURES } from './test-data.ts';
import { fixtureValues } from './fixtures/values.ts';
import { AgentError } from '../../sdk/index.ts';

const tmp = tempDir();
test.after(() => tmp.cleanup());

/** deterministic pseudo-random integers in [lo, hi] */
function ints(n: number, lo: number, hi: number, seed = 7): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + Math.floor((s / 2147483648) * (hi - lo + 1));
  });
}

test('RICE_1 decoder inverts an independent encoder for 1, 2 and 4 byte pixels (all block kinds)', () => {
  const cases: [number, number[]][] = [
    [1, [...new Array(40).fill(17), ...ints(100, 0, 255), ...ints(50, 100, 104)]],
    [2, [...new Array(64).fill(-5), ...ints(200, -32768, 32767), ...ints(100, 1000, 1010), 32767, -32768, 0]],
    [4, [...new Array(33).fill(123456), ...ints(200, -2147483648, 2147483647), ...ints(100, -3, 3), 2147483647, -2147483648]],
  ];
  for (const [bytepix, values] of cases) {
    const enc = riceEncode(values, bytepix);
    const out = new Int32Array(values.length);
    riceDecode(enc, values.length, bytepix, 32, out);
    assert.deepEqual(Array.from(out), values, `bytepix ${bytepix}`);
  }
});

test('RICE_1 decoder fails cleanly on truncated input', () => {
  const values = ints(500, -30000, 30000);
  const enc = riceEncode(values, 2);
  assert.throws(() => riceDecode(enc.subarray(0, enc.length >> 1), values.length, 2, 32, new Int32Array(values.length)), AgentError);
});

async function writeAndRead(name: string, hdu: Uint8Array) {
  const p = tmp.path(name);
  writeFits(p, fitsHdu({ bitpix: 8, axes: [], cards: [['EXTEND', true]] }), hdu);
  return { scan: await scanFits(p), px: await readFitsPixels(p) };
}

test('generated tile-compressed integer images (RICE_1, GZIP_1, GZIP_2; row and block tiles; colour cube) decode exactly', async () => {
  const w = 37;
  const h = 23;
  for (const compression of ['RICE_1', 'GZIP_1', 'GZIP_2'] as const) {
    for (const tileHeight of [1, 5]) {
      const stored = ints(w * h * 3, -32768, 32767, tileHeight);
      const { scan, px } = await writeAndRead(
        `t-${compression}-${tileHeight}.fits.fz`,
        tileCompressedHdu({ bitpix: 16, width: w, height: h, depth: 3, data: stored, compression, tileHeight, cards: [['BZERO', 32768], ['EXPTIME', 180]] }),
      );
      assert.equal(scan.imageHdu?.image?.compression, compression);
      assert.equal(px.channels, 3);
      for (let i = 0; i < stored.length; i++) {
        const c = Math.floor(i / (w * h));
        assert.ok(Math.abs(px.planes[c]![i % (w * h)]! * 65535 - (stored[i]! + 32768)) < 0.01, `${compression} ${tileHeight} #${i}`);
      }
    }
  }
  // 8-bit and 32-bit images through RICE_1
  const u8 = ints(w * h, 0, 255);
  const r8 = await writeAndRead('t8.fits.fz', tileCompressedHdu({ bitpix: 8, width: w, height: h, data: u8, compression: 'RICE_1' }));
  u8.forEach((v, i) => assert.ok(Math.abs(r8.px.planes[0]![i]! * 255 - v) < 1e-4));
  const i32 = ints(w * h, -2000000000, 2000000000);
  const r32 = await writeAndRead('t32.fits.fz', tileCompressedHdu({ bitpix: 32, width: w, height: h, data: i32, compression: 'RICE_1' }));
  i32.forEach((v, i) => assert.ok(Math.abs(r32.px.planes[0]![i]! * 4294967295 - (v + 2147483648)) < 600));
});

test('quantized float tiles: NO_DITHER and SUBTRACTIVE_DITHER_1 stay within half a quantization step', async () => {
  const w = 40;
  const h = 20;
  const f = Array.from({ length: w * h }, (_, i) => Math.fround(0.1 + Math.sin(i) * 0.05 + i * 1e-4));
  for (const method of ['NO_DITHER', 'SUBTRACTIVE_DITHER_1'] as const) {
    const scale = 1e-4;
    const { px } = await writeAndRead(
      `q-${method}.fits.fz`,
      tileCompressedHdu({ bitpix: -32, width: w, height: h, data: f, compression: 'RICE_1', quantize: { scale, method, seed: 42 } }),
    );
    let max = 0;
    f.forEach((v, i) => (max = Math.max(max, Math.abs(px.planes[0]![i]! - v))));
    assert.ok(max <= scale / 2 + 1e-7, `${method}: ${max}`);
  }
});

test('fpack (cfitsio) fixtures decode like the uncompressed original', async () => {
  const { w, h, u16, f32 } = fixtureValues();
  for (const name of ['u16-rice.fits.fz', 'u16-gzip1.fits.fz', 'u16-gzip2.fits.fz']) {
    const px = await readFitsPixels(FIXTURES + name);
    assert.equal(px.width, w);
    assert.equal(px.height, h);
    u16.forEach((v, i) => assert.ok(Math.abs(px.planes[0]![i]! * 65535 - v) < 0.01, `${name} #${i}`));
  }
  const lossless = await readFitsPixels(FIXTURES + 'f32-gzip-lossless.fits.fz');
  assert.deepEqual(Array.from(lossless.planes[0]!), f32);
  // lossy q=16 with SUBTRACTIVE_DITHER_1: within half the tile's ZSCALE of the original
  const lossy = await readFitsPixels(FIXTURES + 'f32-rice.fits.fz');
  let max = 0;
  f32.forEach((v, i) => (max = Math.max(max, Math.abs(lossy.planes[0]![i]! - v))));
  assert.ok(max > 0 && max < 2e-4, `dither error ${max}`);
});

test('unsupported and corrupt tile compression give clear errors', async () => {
  await assert.rejects(readFitsPixels(FIXTURES + 'u16-hcompress.fits.fz'), (e: unknown) => e instanceof AgentError && /unsupported compression HCOMPRESS_1/.test(e.message));
  const gen = tmp.path('plio.fits.fz');
  const hdu = tileCompressedHdu({ bitpix: 16, width: 4, height: 4, data: ints(16, 0, 100), compression: 'HCOMPRESS_1' });
  writeFits(gen, fitsHdu({ bitpix: 8, axes: [] }), hdu);
  await assert.rejects(readFitsPixels(gen), /unsupported compression HCOMPRESS_1/);
  // flip bytes in the heap of a GZIP_1 file
  const bytes = new Uint8Array(readFileSync(FIXTURES + 'u16-gzip1.fits.fz'));
  const heapAt = 2880 * 3;
  bytes.fill(0x41, heapAt + 300, heapAt + 600);
  const bad = tmp.path('bad.fits.fz');
  writeFileSync(bad, bytes);
  await assert.rejects(readFitsPixels(bad), (e: unknown) => e instanceof AgentError);
});
