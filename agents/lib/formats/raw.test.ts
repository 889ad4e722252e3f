import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { bayerFromFilters, describeRaw, rawExifCards, rawInfoFromLibRaw, readRawPixels } from './raw.ts';
import { normalizeAcquisition } from './acquisition.ts';
import { capturedDate } from './dates.ts';
import { cfaDng, tempDir } from './test-writers.ts';
import { TESTDATA, corpus } from './test-data.ts';
import { AgentError } from '../../sdk/index.ts';

const tmp = tempDir();
test.after(() => tmp.cleanup());

test('metadata of the RAW stubs (EXIF via exifr, CR3 boxes, RAF embedded JPEG)', corpus, async () => {
  const want: Record<string, { camera: string; exposure: number; iso: number; focal: number; date: string }> = {
    'exiftool-CanonRaw.cr2': { camera: 'Canon EOS 350D DIGITAL', exposure: 1 / 15, iso: 400, focal: 55, date: '2005-08-03T18:59:18' },
    'exiftool-CanonRaw.cr3': { camera: 'Canon EOS M50', exposure: 0.0125, iso: 12800, focal: 15, date: '2018-02-21T12:08:56' },
    'exiftool-DNG.dng': { camera: 'Canon EOS 350D DIGITAL', exposure: 1 / 15, iso: 400, focal: 55, date: '2005-08-03T18:59:18' },
    'exiftool-FujiFilm.raf': { camera: 'FUJIFILM FinePix S5Pro', exposure: 1 / 250, iso: 100, focal: 70, date: '2007-05-22T13:58:30' },
    'exiftool-Nikon.nef': { camera: 'NIKON D70', exposure: 0.05, iso: 200, focal: 18, date: '2004-06-09T16:02:35' },
    'exiftool-Panasonic.rw2': { camera: 'Panasonic DMC-LX3', exposure: 0.004, iso: 80, focal: 5.1, date: '2008-08-06T15:21:56' },
  };
  for (const [file, w] of Object.entries(want)) {
    const sub = file.split('.').pop()!;
    const d = await describeRaw(TESTDATA + 'raw/' + file, sub);
    const a = normalizeAcquisition(d.headers);
    assert.equal(a.camera, w.camera, file);
    assert.ok(Math.abs(a.exposureSeconds! - w.exposure) < 1e-9, `${file} exposure ${a.exposureSeconds}`);
    assert.equal(a.gain, w.iso, file);
    assert.equal(a.focalLengthMm, w.focal, file);
    // EXIF times are the camera's clock: with an offset they carry it, without one (none of
    // these cameras writes one) they are kept as UTC
    const offset = d.headers.some((c) => c.key === 'OffsetTimeOriginal');
    const captured = capturedDate(d.headers);
    assert.ok(captured?.startsWith(w.date), `${file}: ${captured}`);
    if (!offset) assert.ok(captured!.endsWith('Z'), `${file}: ${captured}`);
  }
});

test('RAW stub geometry and CFA pattern from LibRaw', corpus, async () => {
  const nef = await describeRaw(TESTDATA + 'raw/exiftool-Nikon.nef', 'nef');
  assert.deepEqual([nef.width, nef.height, nef.channels], [3039, 2014, 1]);
  assert.equal(normalizeAcquisition(nef.headers).bayerPattern, 'BGGR');
  const cr3 = await describeRaw(TESTDATA + 'raw/exiftool-CanonRaw.cr3', 'cr3');
  assert.deepEqual([cr3.width, cr3.height], [6024, 4020]);
  // LibRaw cannot read this CR2 stub (no raw image): EXIF still gives the valid image size
  const cr2 = await describeRaw(TESTDATA + 'raw/exiftool-CanonRaw.cr2', 'cr2');
  assert.deepEqual([cr2.width, cr2.height], [3456, 2304]);
  const cr3cards = await rawExifCards(TESTDATA + 'raw/exiftool-CanonRaw.cr3', 'cr3');
  assert.equal(cr3cards.find((c) => c.key === 'Make')?.value, 'Canon');
});

test('LibRaw metadata: camera, exposure, local timestamp and the Bayer pattern of the filters field', () => {
  const info = rawInfoFromLibRaw({
    width: 6024, height: 4020, camera_make: 'Canon', camera_model: 'EOS M50', iso_speed: 12800, shutter: 0.0125,
    aperture: 3.5, focal_len: 15, timestamp: Date.UTC(2018, 1, 21, 12, 8, 56) / 1000, colors: 3, filters: 0x94949494, cdesc: 'RGBG',
  });
  assert.deepEqual(info, {
    camera: 'Canon EOS M50', width: 6024, height: 4020, rawColors: 3, bayerPattern: 'RGGB', iso: 12800,
    exposureSeconds: 0.0125, aperture: 3.5, focalLengthMm: 15, timestamp: '2018:02:21 12:08:56',
  });
  // the four 2×2 layouts; non-Bayer sensors (filters 0 = none, 9 = Fuji X-Trans) have none
  assert.equal(bayerFromFilters(0x16161616, 'RGBG'), 'BGGR');
  assert.equal(bayerFromFilters(0x61616161, 'RGBG'), 'GRBG');
  assert.equal(bayerFromFilters(0x49494949, 'RGBG'), 'GBRG');
  assert.equal(bayerFromFilters(0, 'RGBG'), null);
  assert.equal(bayerFromFilters(9, 'RGBG'), null);
  assert.equal(rawInfoFromLibRaw({ timestamp: 0, shutter: 0 }).timestamp, null);
});

test('LibRaw decodes a generated CFA DNG to the exact stored samples', async () => {
  const w = 48;
  const h = 32;
  const s = new Uint16Array(w * h).map((_, i) => ((i * 331) % 60000) + 100);
  for (const [pattern, name] of [[[0, 1, 1, 2], 'RGGB'], [[1, 0, 2, 1], 'GRBG'], [[2, 1, 1, 0], 'BGGR']] as const) {
    const p = tmp.path(`t-${name}.dng`);
    writeFileSync(p, cfaDng(w, h, s, [...pattern] as [number, number, number, number]));
    const px = await readRawPixels(p);
    assert.deepEqual([px.width, px.height, px.channels, px.bayerPattern, px.linear, px.binned], [w, h, 1, name, true, 1]);
    s.forEach((v, i) => assert.equal(Math.round(px.planes[0]![i]! * 65535), v));
  }
  // over the pixel budget the mosaic is super-pixel debayered: RGB, each colour averaged on its own
  const binned = await readRawPixels(tmp.path('t-RGGB.dng'), { maxPixels: 200 }); // bin 3, rounded up to an even 4
  assert.deepEqual([binned.channels, binned.bayerPattern, binned.binned, binned.width, binned.height], [3, null, 4, 12, 8]);
  const at = (x: number, y: number) => s[y * w + x]!;
  // block (0,0) of 4×4: R at (0,0),(2,0),(0,2),(2,2); B at the odd/odd positions
  const r = (at(0, 0) + at(2, 0) + at(0, 2) + at(2, 2)) / 4;
  const b = (at(1, 1) + at(3, 1) + at(1, 3) + at(3, 3)) / 4;
  assert.ok(Math.abs(binned.planes[0]![0]! * 65535 - r) < 0.01);
  assert.ok(Math.abs(binned.planes[2]![0]! * 65535 - b) < 0.01);
});

test('RAW failures: an undecodable stub is an AgentError', corpus, async () => {
  await assert.rejects(readRawPixels(TESTDATA + 'raw/exiftool-CanonRaw.cr2'), (e: unknown) => e instanceof AgentError && /cannot decode RAW pixels/.test(e.message));
});

test('RAW failures: garbage, a truncated DNG and an empty file are AgentErrors, and LibRaw goes on working', async () => {
  const good = cfaDng(48, 32, new Uint16Array(48 * 32).fill(1000));
  const cut = tmp.path('cut.dng');
  writeFileSync(cut, good.subarray(0, good.length - 100));
  await assert.rejects(readRawPixels(cut), AgentError);
  const empty = tmp.path('empty.nef');
  writeFileSync(empty, new Uint8Array(0));
  await assert.rejects(readRawPixels(empty), AgentError);
  const ok = tmp.path('ok.dng');
  writeFileSync(ok, good);
  assert.equal(Math.round((await readRawPixels(ok)).planes[0]![0]! * 65535), 1000);
  const fake = tmp.path('fake.nef');
  writeFileSync(fake, Buffer.from('II*\0garbage that is no raw file at all'));
  await assert.rejects(readRawPixels(fake), AgentError);
});
