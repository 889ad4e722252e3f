import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { rasterInfo, readRasterPixels } from './raster.ts';
import { exifCards } from './exif.ts';
import { manifest, TESTDATA, corpus } from './test-data.ts';
import { tempDir } from './test-writers.ts';
import { AgentError } from '../../sdk/index.ts';

const tmp = tempDir();
test.after(() => tmp.cleanup());

test('JPEG and TIFF test files: dimensions, depth and colour from the manifest', corpus, async () => {
  const files = manifest().filter((m) => m.format === 'jpeg' || m.format === 'tiff');
  assert.ok(files.length >= 17);
  for (const m of files) {
    const info = await rasterInfo(TESTDATA + m.file);
    assert.deepEqual([info.width, info.height, info.bitDepth], [m.width_px, m.height_px, m.bit_depth], m.file);
    assert.equal(info.channels, m.color === 'rgb' ? 3 : 1, m.file);
  }
});

test('16-bit TIFF pixels equal the stored samples / 65535 (independent read of the strip)', corpus, async () => {
  const path = TESTDATA + 'platesolve/tetra3-2019-07-29T204726_Alt60_Azi45_Try1.tiff';
  const px = await readRasterPixels(path);
  assert.deepEqual([px.width, px.height, px.channels, px.rowOrder, px.binned], [1024, 768, 1, 'top-down', 1]);
  // uncompressed single strip at offset 320 (StripOffsets), little-endian
  const buf = readFileSync(path);
  for (const i of [0, 5000, 1024 * 768 - 1]) assert.equal(px.planes[0]![i], Math.fround(buf.readUInt16LE(320 + i * 2) / 65535));
});

test('JPEG pixels: grey and RGB, 0..1, binned by libvips to the budget', corpus, async () => {
  const grey = await readRasterPixels(TESTDATA + 'platesolve/an-m44-1910-04-01.jpg', { maxPixels: 1_000_000 });
  assert.deepEqual([grey.width, grey.height, grey.channels, grey.binned], [1000, 1000, 1, 3]);
  const rgb = await readRasterPixels(TESTDATA + 'platesolve/an-apod1.jpg');
  assert.deepEqual([rgb.width, rgb.height, rgb.channels, rgb.linear], [800, 526, 3, false]);
  for (const p of rgb.planes) assert.ok(p.every((v) => v >= 0 && v <= 1));
  const raw = await sharp(TESTDATA + 'platesolve/an-apod1.jpg').raw().toBuffer();
  assert.equal(rgb.planes[1]![1234], Math.fround(raw[1234 * 3 + 1]! / 255));
});

test('generated PNG 8/16-bit, WebP and float TIFF round-trip', async () => {
  const w = 7;
  const h = 5;
  const v16 = new Uint16Array(w * h).map((_, i) => i * 1800);
  const png16 = tmp.path('a16.png');
  await sharp(v16, { raw: { width: w, height: h, channels: 1 } }).toColourspace('grey16').png().toFile(png16);
  const p16 = await readRasterPixels(png16);
  assert.equal((await rasterInfo(png16)).bitDepth, 16);
  v16.forEach((v, i) => assert.equal(p16.planes[0]![i], Math.fround(v / 65535)));

  const rgb8 = Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => (i * 7) % 256));
  const png8 = tmp.path('a8.png');
  await sharp(rgb8, { raw: { width: w, height: h, channels: 3 } }).png().toFile(png8);
  const p8 = await readRasterPixels(png8);
  assert.equal(p8.channels, 3);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) assert.equal(p8.planes[c]![i], Math.fround(rgb8[i * 3 + c]! / 255));

  const webp = tmp.path('a.webp');
  await sharp(rgb8, { raw: { width: w, height: h, channels: 3 } }).webp({ lossless: true }).toFile(webp);
  const pw = await readRasterPixels(webp);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) assert.equal(pw.planes[c]![i], Math.fround(rgb8[i * 3 + c]! / 255));

  // float TIFF written by hand (sharp cannot write one): values kept as stored, linear
  const f = new Float32Array(w * h).map((_, i) => i / 10 - 0.5);
  const tif = tmp.path('f.tif');
  writeFileSync(tif, floatTiff(w, h, f));
  const pf = await readRasterPixels(tif);
  assert.equal((await rasterInfo(tif)).bitDepth, -32);
  assert.equal(pf.linear, true);
  assert.deepEqual(Array.from(pf.planes[0]!), Array.from(f));
});

test('EXIF/XMP cards from JPEG', corpus, async () => {
  const cards = await exifCards(TESTDATA + 'platesolve/an-apod1.jpg');
  assert.equal(cards.find((c) => c.key === 'Software')?.value, 'Adobe Photoshop 7.0');
  assert.equal(cards.find((c) => c.key === 'ImageDescription')?.value, 'Processed with MaxIm DL');
  assert.deepEqual(await exifCards(Buffer.from('not an image')), []);
});

test('truncated and fake images give AgentErrors', async () => {
  const noise = Buffer.alloc(256 * 256 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  const jpg = await sharp(noise, { raw: { width: 256, height: 256, channels: 3 } }).jpeg().toBuffer();
  const cut = tmp.path('cut.jpg');
  writeFileSync(cut, jpg.subarray(0, jpg.length >> 1));
  await assert.rejects(readRasterPixels(cut), AgentError);
  const fake = tmp.path('fake.png');
  writeFileSync(fake, Buffer.from('\x89PNG\r\n\x1a\n this is not really a png'));
  await assert.rejects(rasterInfo(fake), AgentError);
});

/** minimal little-endian single-strip float32 grey TIFF */
function floatTiff(w: number, h: number, data: Float32Array): Uint8Array {
  const entries: [number, number, number, number][] = [
    [256, 3, 1, w], [257, 3, 1, h], [258, 3, 1, 32], [259, 3, 1, 1], [262, 3, 1, 1],
    [273, 4, 1, 0], [277, 3, 1, 1], [278, 3, 1, h], [279, 4, 1, data.byteLength], [284, 3, 1, 1], [339, 3, 1, 3],
  ];
  const ifd = 8;
  const dataOff = ifd + 2 + entries.length * 12 + 4;
  const buf = Buffer.alloc(dataOff + data.byteLength);
  buf.write('II*\0', 0, 'latin1');
  buf.writeUInt32LE(ifd, 4);
  buf.writeUInt16LE(entries.length, ifd);
  entries.forEach(([tag, type, count, value], i) => {
    const e = ifd + 2 + i * 12;
    buf.writeUInt16LE(tag, e);
    buf.writeUInt16LE(type, e + 2);
    buf.writeUInt32LE(count, e + 4);
    const v = tag === 273 ? dataOff : value;
    if (type === 3) buf.writeUInt16LE(v, e + 8);
    else buf.writeUInt32LE(v, e + 8);
  });
  Buffer.from(data.buffer).copy(buf, dataOff);
  return buf;
}
