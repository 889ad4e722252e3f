import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { describeFile, readPixels } from './index.ts';
import { fitsHdu, rawHeader, tempDir, tileCompressedHdu, writeFits, writeFitsGz, xisfFile } from './test-writers.ts';
import { manifest, TESTDATA, corpus } from './test-data.ts';
import { AgentError } from '../../sdk/index.ts';

const tmp = tempDir();
test.after(() => tmp.cleanup());

test('describeFile on every shared test file: format, geometry, frame type, no throw', corpus, async () => {
  for (const m of manifest()) {
    const name = m.file.split('/').pop()!;
    const d = await describeFile(TESTDATA + m.file, { fileName: name, folderPath: m.file.split('/')[0]! });
    const fmt = ['cr2', 'cr3', 'nef', 'dng', 'raf', 'rw2'].includes(m.format) ? 'raw' : m.format;
    assert.equal(d.format, fmt, m.file);
    if (m.width_px) assert.deepEqual([d.width, d.height, d.bitDepth], [m.width_px, m.height_px, m.bit_depth], m.file);
    if (fmt === 'raw') assert.equal(d.subformat, m.format);
    assert.ok(d.headers.length > 0 || fmt === 'jpeg', `${m.file} has header cards`);
    assert.ok(['light', 'dark', 'flat', 'bias', 'darkflat', 'master', 'processed'].includes(d.frameType));
    // everything is JSON (facts are stored as JSONB)
    assert.deepEqual(JSON.parse(JSON.stringify(d)), d);
  }
});

test('describeFile: known values of the real FITS/XISF headers', corpus, async () => {
  const ekos = await describeFile(TESTDATA + 'fits-headers/stellarsolver-randomsky.fits', { fileName: 'randomsky.fits', folderPath: '' });
  assert.equal(ekos.frameType, 'light');
  assert.equal(ekos.frameTypeSource, 'header');
  assert.equal(ekos.dates.captured, '2020-02-24T19:29:25.632Z');
  assert.deepEqual(
    [ekos.acquisition.filter, ekos.acquisition.exposureSeconds, ekos.acquisition.gain, ekos.acquisition.camera, ekos.acquisition.focalLengthMm, ekos.acquisition.pixelSizeUm, ekos.acquisition.sensorTempC],
    ['R', 1, 50, 'CCD Simulator', 400, 5.2, 20],
  );
  assert.ok(Math.abs(ekos.acquisition.pointing!.ra - 21.642) < 0.01);
  const maxim = await describeFile(TESTDATA + 'platesolve/astropy-M13_blue_0001.fits', { fileName: 'M13_blue_0001.fits', folderPath: '' });
  assert.deepEqual([maxim.frameType, maxim.acquisition.software, maxim.acquisition.exposureSeconds, maxim.acquisition.binning], ['light', 'MaxIm DL Essentials 2.04', 5, '1x1']);
  const dss = await describeFile(TESTDATA + 'platesolve/astropy-HorseHead.fits', { fileName: 'HorseHead.fits', folderPath: '' });
  assert.equal(dss.acquisition.exposureSeconds, 65 * 60, 'DSS plates give EXPOSURE in minutes');
  const xisf = await describeFile(TESTDATA + 'xisf/wrenby-test.xisf', { fileName: 'test.xisf', folderPath: '' });
  assert.deepEqual([xisf.format, xisf.width, xisf.height, xisf.frameType, xisf.acquisition.filter, xisf.acquisition.focalLengthMm], ['xisf', 8, 10, 'light', 'R', 800]);
  const jpg = await describeFile(TESTDATA + 'platesolve/an-apod1.jpg', { fileName: 'apod1.jpg', folderPath: '' });
  assert.deepEqual([jpg.frameType, jpg.frameTypeSource, jpg.linear, jpg.channels], ['processed', 'default', false, 3]);
});

test('generated files of every container: describe and readPixels agree', async () => {
  const w = 20;
  const h = 10;
  const data = Array.from({ length: w * h }, (_, i) => i * 100 - 32768);
  const cards: [string, string | number][] = [['IMAGETYP', 'Dark Frame'], ['EXPTIME', 300], ['NCOMBINE', 20], ['DATE-OBS', '2024-01-02T03:04:05']];
  const plain = tmp.path('m.fits');
  writeFits(plain, fitsHdu({ bitpix: 16, axes: [w, h], data, cards: [['BZERO', 32768], ...cards] }));
  const gz = tmp.path('m.fits.gz');
  writeFitsGz(gz, fitsHdu({ bitpix: 16, axes: [w, h], data, cards: [['BZERO', 32768], ...cards] }));
  const fz = tmp.path('m.fits.fz');
  writeFits(fz, fitsHdu({ bitpix: 8, axes: [] }), tileCompressedHdu({ bitpix: 16, width: w, height: h, data, compression: 'RICE_1', cards: [['BZERO', 32768], ...cards] }));
  const xisf = tmp.path('m.xisf');
  writeFileSync(xisf, xisfFile({ width: w, height: h, channels: 1, sampleFormat: 'UInt16', samples: data.map((v) => v + 32768), codec: 'lz4hc', shuffle: true, keywords: cards.map(([k, v]) => [k, typeof v === 'string' ? `'${v}'` : String(v)]) }));
  const ref = await readPixels(plain);
  for (const [p, sub] of [[plain, 'fits'], [gz, 'fits.gz'], [fz, 'fits.fz'], [xisf, 'xisf']] as const) {
    const d = await describeFile(p, { fileName: p.split('/').pop()!, folderPath: 'lib' });
    assert.deepEqual([d.subformat, d.width, d.height, d.bitDepth, d.channels], [sub, w, h, 16, 1], sub);
    assert.deepEqual([d.frameType, d.frameTypeSource, d.acquisition.exposureSeconds, d.acquisition.stackCount, d.dates.captured], ['master', 'header', 300, 20, '2024-01-02T03:04:05Z'], sub);
    const px = await readPixels(p);
    assert.deepEqual(Array.from(px.planes[0]!), Array.from(ref.planes[0]!), sub);
  }
});

test('broken and unknown input: AgentError, never a crash', async () => {
  const cases: [string, Uint8Array][] = [
    ['empty.fits', new Uint8Array(0)],
    ['text.fits', Buffer.from('SIMPLE? no, this is a text file pretending to be FITS')],
    ['random.bin', Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)],
    ['header-only-lie.fits', rawHeader([['SIMPLE', true], ['BITPIX', -32], ['NAXIS', 2], ['NAXIS1', 9000], ['NAXIS2', 6000]])],
    ['bad.xisf', Buffer.concat([Buffer.from('XISF0100'), Buffer.alloc(8, 0xff)])],
    ['cut.png', Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR')],
  ];
  for (const [name, bytes] of cases) {
    const p = tmp.path(name);
    writeFileSync(p, bytes);
    await assert.rejects(
      (async () => {
        await describeFile(p, { fileName: name, folderPath: '' });
        await readPixels(p);
      })(),
      (e: unknown) => e instanceof AgentError && e.message.length > 5,
      name,
    );
  }
  await assert.rejects(describeFile(tmp.path('missing.fits'), { fileName: 'missing.fits', folderPath: '' }), AgentError);
});

test('a 24-megapixel float FITS is binned on the fly within bounded memory', async () => {
  const w = 6000;
  const h = 4000;
  const p = tmp.path('big.fits');
  // written in row bands so the test itself holds no full image either
  const fd = openSync(p, 'w');
  const head = rawHeader([['SIMPLE', true], ['BITPIX', -32], ['NAXIS', 2], ['NAXIS1', w], ['NAXIS2', h]]);
  writeSync(fd, head);
  const band = Buffer.alloc(w * 4 * 100);
  for (let y0 = 0; y0 < h; y0 += 100) {
    for (let r = 0; r < 100; r++) for (let x = 0; x < w; x++) band.writeFloatBE(((y0 + r) % 7) + x / w, (r * w + x) * 4);
    writeSync(fd, band);
  }
  closeSync(fd);
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  const px = await readPixels(p, { maxPixels: 1_000_000 });
  const ms = performance.now() - t0;
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.deepEqual([px.binned, px.width, px.height], [5, 1200, 800]);
  // first block: rows 0..4 (values 0..4) and columns 0..4: mean row value 2, mean x/w (0..4)/6000
  assert.ok(Math.abs(px.planes[0]![0]! - (2 + 2 / w)) < 1e-5);
  // output 3.8 MB + one 4 MiB band; the 96 MB file is never held in memory
  assert.ok(grown < 40 * 1024 * 1024, `array buffers grew by ${(grown / 1e6).toFixed(1)} MB`);
  assert.ok(ms < 10_000, `${ms} ms`);
});
