import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fitsCards, readFitsPixels, scanFits } from './fits.ts';
import { makeRowDecoder, PlaneBinner } from './samples.ts';
import { binTableHdu, concat, fitsHdu, rawHeader, tempDir, writeFits, writeFitsGz } from './test-writers.ts';
import { manifest, TESTDATA, corpus } from './test-data.ts';
import { AgentError } from '../../sdk/index.ts';

const tmp = tempDir();
test.after(() => tmp.cleanup());

const isAgentError = (re: RegExp) => (e: unknown) => e instanceof AgentError && re.test(e.message);

test('real FITS files: geometry and header values from the manifest', corpus, async () => {
  const fits = manifest().filter((m) => m.format === 'fits');
  assert.ok(fits.length >= 7);
  for (const m of fits) {
    const scan = await scanFits(TESTDATA + m.file);
    const cards = fitsCards(scan);
    if (m.width_px) {
      assert.equal(scan.imageHdu?.image?.width, m.width_px, m.file);
      assert.equal(scan.imageHdu?.image?.height, m.height_px, m.file);
      assert.equal(scan.imageHdu?.image?.bitpix, m.bit_depth, m.file);
    } else {
      assert.equal(scan.imageHdu, null, `${m.file} has no pixels`);
    }
    for (const [key, expected] of Object.entries(m.fits_header ?? {})) {
      const card = cards.find((c) => c.key === key);
      assert.ok(card, `${m.file}: ${key} missing`);
      // the manifest strips string padding only at the end; FITS keeps leading blanks
      if (typeof expected === 'string') assert.equal(String(card.value), expected, `${m.file}: ${key}`);
      else assert.equal(card.value, expected, `${m.file}: ${key}`);
    }
  }
});

test('real FITS: astrometry.net .wcs header-only file keeps every card incl. HISTORY/COMMENT', corpus, async () => {
  const scan = await scanFits(TESTDATA + 'fits-headers/photonfinder-M106_frame11.wcs.fits');
  const cards = fitsCards(scan);
  assert.equal(cards.find((c) => c.key === 'IMAGEW')?.value, 5496);
  assert.equal(cards.find((c) => c.key === 'IMAGEH')?.value, 3672);
  assert.equal(cards.find((c) => c.key === 'CRVAL1')?.value, 183.896395463);
  assert.equal(cards.find((c) => c.key === 'CTYPE1')?.value, 'RA---TAN-SIP');
  assert.ok(cards.some((c) => c.key === 'HISTORY' && c.value === 'Created by the Astrometry.net suite.'));
  assert.ok(cards.filter((c) => c.key === 'COMMENT').length > 10);
});

test('real FITS pixels: DSS 16-bit plate decodes to the stored values', corpus, async () => {
  const px = await readFitsPixels(TESTDATA + 'platesolve/astropy-HorseHead.fits');
  assert.equal(px.width, 891);
  assert.equal(px.height, 893);
  assert.equal(px.rowOrder, 'bottom-up');
  // cross-check one raw sample read independently from the file
  const { readFileSync } = await import('node:fs');
  const buf = readFileSync(TESTDATA + 'platesolve/astropy-HorseHead.fits');
  const scan = await scanFits(TESTDATA + 'platesolve/astropy-HorseHead.fits');
  const off = scan.imageHdu!.dataOffset;
  for (const i of [0, 1234, 891 * 893 - 1]) {
    const raw = buf.readInt16BE(off + i * 2);
    assert.ok(Math.abs(px.planes[0]![i]! - (raw + 32768) / 65535) < 1e-6);
  }
});

/** writes a primary image with `stored` values and reads it back */
async function roundTrip(bitpix: number, stored: number[], cards: [string, number | string | boolean][] = [], axes = [4, 3]) {
  const p = tmp.path(`rt-${bitpix}-${Math.random().toString(36).slice(2)}.fits`);
  writeFits(p, fitsHdu({ bitpix, axes, data: stored, cards }));
  return readFitsPixels(p);
}

test('every BITPIX decodes exactly (integers mapped by type range, floats as stored)', async () => {
  const w = 4;
  const h = 3;
  const n = w * h;
  const u8 = Array.from({ length: n }, (_, i) => (i * 23) % 256);
  let px = await roundTrip(8, u8);
  u8.forEach((v, i) => assert.ok(Math.abs(px.planes[0]![i]! - v / 255) < 1e-7));

  const i16 = Array.from({ length: n }, (_, i) => -32768 + i * 5000);
  px = await roundTrip(16, i16);
  i16.forEach((v, i) => assert.ok(Math.abs(px.planes[0]![i]! - (v + 32768) / 65535) < 1e-7));

  const i32 = Array.from({ length: n }, (_, i) => -2147483648 + i * 300000000);
  px = await roundTrip(32, i32);
  i32.forEach((v, i) => assert.ok(Math.abs(px.planes[0]![i]! - (v + 2147483648) / 4294967295) < 1e-6));

  const i64 = Array.from({ length: n }, (_, i) => (i - 6) * 1e15);
  px = await roundTrip(64, i64);
  i64.forEach((v, i) => assert.ok(Math.abs(px.planes[0]![i]! - (v + 2 ** 63) / 2 ** 64) < 1e-6));

  const f32 = Array.from({ length: n }, (_, i) => Math.fround(i * 0.37 - 1.5));
  px = await roundTrip(-32, f32);
  assert.deepEqual(Array.from(px.planes[0]!), f32);

  const f64 = Array.from({ length: n }, (_, i) => i * 1e-3 + 12345.678);
  px = await roundTrip(-64, f64);
  f64.forEach((v, i) => assert.equal(px.planes[0]![i], Math.fround(v)));
});

test('unsigned 16-bit via BZERO=32768 maps 0..65535 onto 0..1; BSCALE applies to floats; BLANK → NaN', async () => {
  const phys = [0, 1, 1000, 32768, 65534, 65535];
  let px = await roundTrip(16, phys.map((v) => v - 32768), [['BZERO', 32768], ['BSCALE', 1]], [6, 1]);
  phys.forEach((v, i) => assert.ok(Math.abs(px.planes[0]![i]! * 65535 - v) < 0.01, `${v}`));

  px = await roundTrip(-32, [1, 2, 3, 4], [['BSCALE', 2], ['BZERO', 10]], [2, 2]);
  assert.deepEqual(Array.from(px.planes[0]!), [12, 14, 16, 18]);

  px = await roundTrip(16, [5, -999, 7, 8], [['BLANK', -999]], [2, 2]);
  assert.ok(Number.isNaN(px.planes[0]![1]!));
  assert.ok(!Number.isNaN(px.planes[0]![0]!));
});

test('NAXIS3 = 3 colour cube gives three planes; large cubes give the first plane only', async () => {
  const w = 3;
  const h = 2;
  const data = Array.from({ length: w * h * 3 }, (_, i) => i * 10);
  const px = await roundTrip(8, data, [['ROWORDER', 'TOP-DOWN'], ['BAYERPAT', 'RGGB']], [w, h, 3]);
  assert.equal(px.channels, 3);
  assert.equal(px.rowOrder, 'top-down');
  assert.equal(px.bayerPattern, null, 'colour data has no CFA');
  for (let c = 0; c < 3; c++) for (let i = 0; i < w * h; i++) assert.ok(Math.abs(px.planes[c]![i]! * 255 - data[c * w * h + i]!) < 1e-4);

  const cube = Array.from({ length: 2 * 2 * 10 }, (_, i) => i);
  const px10 = await roundTrip(8, cube, [], [2, 2, 10]);
  assert.equal(px10.channels, 1);
  assert.deepEqual(Array.from(px10.planes[0]!).map((v) => Math.round(v * 255)), [0, 1, 2, 3]);
});

test('Bayer pattern with XBAYROFF/YBAYROFF offsets', async () => {
  const px = await roundTrip(16, [1, 2, 3, 4], [['BAYERPAT', 'RGGB'], ['XBAYROFF', 1], ['YBAYROFF', 0]], [2, 2]);
  assert.equal(px.bayerPattern, 'GRBG');
});

test('a Bayer mosaic over the pixel budget becomes super-pixel RGB, colours averaged separately', async () => {
  const w = 8;
  const h = 4;
  // GRBG: row 0 = G R G R…, row 1 = B G B G…; values encode the colour: R 100, G 50, B 10 (+x for variety)
  const col = (x: number, y: number) => (y % 2 === 0 ? (x % 2 === 0 ? 'G' : 'R') : x % 2 === 0 ? 'B' : 'G');
  const val = { R: 100, G: 50, B: 10 } as const;
  const data = Array.from({ length: w * h }, (_, i) => val[col(i % w, Math.floor(i / w))] + (i % w));
  const p = tmp.path('cfa.fits');
  writeFits(p, fitsHdu({ bitpix: -32, axes: [w, h], data, cards: [['BAYERPAT', 'GRBG']] }));
  const full = await readFitsPixels(p);
  assert.deepEqual([full.channels, full.bayerPattern], [1, 'GRBG']);
  const px = await readFitsPixels(p, { maxPixels: 8 });
  assert.deepEqual([px.channels, px.bayerPattern, px.binned, px.width, px.height], [3, null, 2, 4, 2]);
  // block (1,0) covers x 2..3: R at x=3 → 103; G at (2,0),(3,1) → (52+53)/2; B at (2,1) → 12
  assert.deepEqual([px.planes[0]![1], px.planes[1]![1], px.planes[2]![1]], [103, 52.5, 12]);
});

test('binning averages b×b blocks, partial edge blocks included, NaN ignored', async () => {
  const w = 5;
  const h = 3;
  const data = Array.from({ length: w * h }, (_, i) => i);
  const p = tmp.path('bin.fits');
  writeFits(p, fitsHdu({ bitpix: -32, axes: [w, h], data }));
  const px = await readFitsPixels(p, { maxPixels: 6 });
  assert.equal(px.binned, 2);
  assert.equal(px.width, 3);
  assert.equal(px.height, 2);
  // block (0,0): 0,1,5,6 → 3; block (2,0): 4,9 → 6.5; block (0,1): 10,11 → 10.5
  assert.deepEqual(Array.from(px.planes[0]!), [3, 5, 6.5, 10.5, 12.5, 14]);
});

test('16-bit frames binned ×2 from their bytes: exactly the values of row-by-row decoding (blanks, odd sizes, several bands)', async () => {
  // 2101 × 1001: odd width and height; 4202-byte rows make bands of 998 rows, so pairs cross band starts too
  const w = 2101;
  const h = 1001;
  const blank = -32768;
  let seed = 3;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const data = Int16Array.from({ length: w * h }, () => (rand() < 0.01 ? blank : Math.floor(rand() * 65535) - 32768));
  // a whole 2×2 block of blanks, and a block with a single blank in each of its rows
  for (const i of [0, 1, w, w + 1]) data[i] = blank;
  data[2] = blank;
  data[w + 3] = blank;
  const cards: [string, number][] = [['BZERO', 32768], ['BSCALE', 1], ['BLANK', blank]];
  const p = tmp.path('bin16.fits');
  writeFits(p, fitsHdu({ bitpix: 16, axes: [w, h], data, cards }));
  const px = await readFitsPixels(p, { maxPixels: Math.ceil(w / 2) * Math.ceil(h / 2) });
  assert.equal(px.binned, 2);
  assert.equal(px.width, 1051);
  assert.equal(px.height, 501);
  // the reference: every row decoded, then binned by addRow
  const decode = makeRowDecoder({ type: 'i16', littleEndian: false, zero: 32768, scale: 1, blank });
  const ref = new PlaneBinner(w, h, 1, 2);
  const bytes = fitsHdu({ bitpix: 16, axes: [w, h], data, cards });
  const off = bytes.length - Math.ceil((w * h * 2) / 2880) * 2880;
  const row = new Float32Array(w);
  for (let y = 0; y < h; y++) {
    decode(bytes, off + y * w * 2, w, row);
    ref.addRow(0, y, row);
  }
  assert.ok(Number.isNaN(px.planes[0]![0]!), 'a block of blanks is NaN');
  assert.ok(Number.isFinite(px.planes[0]![1]!), 'a block with some blanks averages the others');
  assert.deepEqual(px.planes[0], ref.planes[0]);
});

test('image in an IMAGE extension after an empty primary and a BINTABLE; tables skipped by size', async () => {
  const p = tmp.path('ext.fits');
  writeFits(
    p,
    fitsHdu({ bitpix: 8, axes: [], cards: [['EXTEND', true], ['OBJECT', 'M 42']] }),
    binTableHdu(100, 37),
    fitsHdu({ bitpix: 16, axes: [3, 2], data: [1, 2, 3, 4, 5, 6], cards: [['EXTNAME', 'SCI'], ['EXPTIME', 30]] }, 'IMAGE'),
  );
  const scan = await scanFits(p);
  assert.equal(scan.hdus.length, 3);
  assert.equal(scan.imageHdu?.index, 2);
  const cards = fitsCards(scan);
  assert.equal(cards.find((c) => c.key === 'OBJECT')?.value, 'M 42');
  assert.equal(cards.find((c) => c.key === 'EXPTIME')?.value, 30);
  const px = await readFitsPixels(p);
  assert.deepEqual(Array.from(px.planes[0]!).map((v) => Math.round(v * 65535 - 32768)), [1, 2, 3, 4, 5, 6]);
});

test('gzip-compressed FITS: streamed header and pixels', async () => {
  const data = Array.from({ length: 40 * 30 }, (_, i) => (i * 7) % 65535 - 32768);
  const p = tmp.path('img.fits.gz');
  writeFitsGz(p, fitsHdu({ bitpix: 16, axes: [40, 30], data, cards: [['BZERO', 32768], ['FILTER', 'Ha']] }));
  const scan = await scanFits(p, { gzip: true });
  assert.equal(scan.imageHdu?.image?.width, 40);
  const px = await readFitsPixels(p, { gzip: true });
  data.forEach((v, i) => assert.ok(Math.abs(px.planes[0]![i]! * 65535 - (v + 32768)) < 0.01));
});

test('files without data padding (common writer bug) still decode', async () => {
  const p = tmp.path('nopad.fits');
  writeFits(p, fitsHdu({ bitpix: 8, axes: [3, 1], data: [1, 2, 3], noPadding: true }));
  const px = await readFitsPixels(p);
  assert.equal(px.width, 3);
});

test('broken FITS: clear AgentErrors, never a hang or crash', async () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['not-fits', Buffer.from('hello world, this is not a FITS file'.padEnd(4000)), /not a FITS file/],
    ['truncated-header', fitsHdu({ bitpix: 16, axes: [10, 10], data: new Array(100).fill(0) }).subarray(0, 300), /no END card/],
    ['header-only-left', fitsHdu({ bitpix: 16, axes: [10, 10], data: new Array(100).fill(0) }).subarray(0, 1000), /declares 200 bytes of data but the file holds only 0/],
    ['truncated-data', fitsHdu({ bitpix: 16, axes: [100, 100], data: new Array(10000).fill(0) }).subarray(0, 2880 + 5000), /declares 20000 bytes of data but the file holds only 5000/],
    ['lying-naxis', fitsHdu({ bitpix: 16, axes: [100000, 100000], rawData: new Uint8Array(100) }), /declares 20000000000 bytes/],
    ['bad-bitpix', fitsHdu({ bitpix: 12 as number, axes: [2, 2], rawData: new Uint8Array(8) }), /invalid BITPIX/],
    ['absurd-naxis', rawHeader([['SIMPLE', true], ['BITPIX', 8], ['NAXIS', 5000]]), /invalid NAXIS/],
    ['missing-naxis2', rawHeader([['SIMPLE', true], ['BITPIX', 8], ['NAXIS', 2], ['NAXIS1', 5]]), /invalid or missing NAXIS2/],
    ['negative-axis', fitsHdu({ bitpix: 8, axes: [-5, 3], rawData: new Uint8Array(0) }), /invalid or missing NAXIS1/],
  ];
  for (const [name, bytes, re] of cases) {
    const p = tmp.path(`${name}.fits`);
    writeFileSync(p, bytes);
    await assert.rejects(
      (async () => {
        await scanFits(p);
        await readFitsPixels(p);
      })(),
      isAgentError(re),
      name,
    );
  }
});

test('broken FITS: a header of many blocks without END stops at the block limit', async () => {
  const comment = Buffer.from('COMMENT spam'.padEnd(80));
  const big = new Uint8Array(2880 * 5000);
  const simple = Buffer.from('SIMPLE  =                    T'.padEnd(80));
  for (let i = 0; i < big.length; i += 80) big.set(i === 0 ? simple : comment, i);
  const p = tmp.path('endless.fits');
  writeFileSync(p, big);
  const t0 = Date.now();
  await assert.rejects(scanFits(p), isAgentError(/no END card within 4000 blocks/));
  assert.ok(Date.now() - t0 < 5000);
});

test('broken gzip FITS: lying header and corrupt stream', async () => {
  const lying = tmp.path('lying.fits.gz');
  writeFileSync(lying, gzipSync(fitsHdu({ bitpix: -32, axes: [50000, 50000], rawData: new Uint8Array(1000) })));
  await assert.rejects(readFitsPixels(lying, { gzip: true }), isAgentError(/50000×50000 pixels is more than this server accepts/));
  const lax = { maxImagePixels: 2 ** 40, maxDecodedBytes: 2 ** 40 };
  await assert.rejects(readFitsPixels(lying, { gzip: true, limits: lax }), isAgentError(/declares 10000000000 bytes of data but the gzip stream of \d+ bytes cannot hold/));

  const short = tmp.path('short.fits.gz');
  writeFileSync(short, gzipSync(fitsHdu({ bitpix: 16, axes: [100, 100], rawData: new Uint8Array(3000) }).subarray(0, 2880 + 3000)));
  await assert.rejects(readFitsPixels(short, { gzip: true }), isAgentError(/gzip stream holds only 3000|truncated FITS data/));

  const corrupt = tmp.path('corrupt.fits.gz');
  const noisy = Array.from({ length: 10000 }, (_, i) => ((i * 2654435761) >>> 0) % 30000);
  const gz = gzipSync(concat([fitsHdu({ bitpix: 16, axes: [100, 100], data: noisy })]));
  gz.fill(0x55, 40, 200);
  writeFileSync(corrupt, gz);
  await assert.rejects(readFitsPixels(corrupt, { gzip: true }), (e: unknown) => e instanceof AgentError);
});
