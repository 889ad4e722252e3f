import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { detectFormat } from './detect.ts';
import { fitsHdu } from './test-writers.ts';
import { TESTDATA, corpus } from './test-data.ts';

const head = (p: string) => new Uint8Array(readFileSync(p)).subarray(0, 65536);

test('every shared test file is detected by content', corpus, () => {
  const want: Record<string, [string, string]> = {
    'exiftool-CanonRaw.cr2': ['raw', 'cr2'],
    'exiftool-CanonRaw.cr3': ['raw', 'cr3'],
    'exiftool-DNG.dng': ['raw', 'dng'],
    'exiftool-FujiFilm.raf': ['raw', 'raf'],
    'exiftool-Nikon.nef': ['raw', 'nef'],
    'exiftool-Panasonic.rw2': ['raw', 'rw2'],
  };
  let n = 0;
  for (const dir of ['fits-headers', 'platesolve', 'xisf', 'raw']) {
    for (const f of readdirSync(TESTDATA + dir)) {
      const d = detectFormat(head(`${TESTDATA}${dir}/${f}`), f);
      const ext = f.split('.').pop()!;
      const expected = want[f] ?? ({ fits: ['fits', 'fits'], jpg: ['jpeg', 'jpeg'], tiff: ['tiff', 'tiff'], xisf: ['xisf', 'xisf'] } as Record<string, [string, string]>)[ext]!;
      assert.deepEqual([d.format, d.subformat], expected, f);
      // the name is a tie-breaker only: a misleading name changes nothing
      const renamed = detectFormat(head(`${TESTDATA}${dir}/${f}`), 'image.png');
      assert.equal(renamed.format, expected[0], `${f} renamed`);
      n++;
    }
  }
  assert.ok(n >= 33);
});

test('magic bytes of generated files: PNG, WebP, TIFF, JPEG, gzip FITS, fz name, unknown', async () => {
  const img = sharp({ create: { width: 4, height: 4, channels: 3, background: '#336699' } });
  assert.equal(detectFormat(await img.clone().png().toBuffer(), 'x').format, 'png');
  assert.equal(detectFormat(await img.clone().webp().toBuffer(), 'x').format, 'webp');
  assert.equal(detectFormat(await img.clone().jpeg().toBuffer(), 'x').format, 'jpeg');
  const tif = detectFormat(await img.clone().tiff().toBuffer(), 'x.tif');
  assert.deepEqual([tif.format, tif.subformat, tif.mimeType], ['tiff', 'tiff', 'image/tiff']);
  // a plain TIFF named like a RAW is taken as that RAW (extension breaks the tie)
  assert.deepEqual(detectFormat(await img.clone().tiff().toBuffer(), 'IMG_1.ARW').subformat, 'arw');

  const fits = fitsHdu({ bitpix: 8, axes: [2, 2], data: [1, 2, 3, 4] });
  assert.deepEqual(detectFormat(gzipSync(fits), 'noname').subformat, 'fits.gz', 'gzip containing FITS, found by inflating the head');
  assert.deepEqual(detectFormat(gzipSync(fits).subarray(0, 12), 'm31.fit.gz').subformat, 'fits.gz', 'too short to inflate: the name decides');
  assert.deepEqual(detectFormat(gzipSync(Buffer.from('hello')), 'notes.txt.gz').format, 'unknown');
  assert.deepEqual(detectFormat(fits, 'm31.fits.fz').subformat, 'fits.fz');
  assert.deepEqual(detectFormat(Buffer.from('just some text'), 'fake.fits'), { format: 'unknown', subformat: null, mimeType: null });
  assert.deepEqual(detectFormat(new Uint8Array(0), 'empty.fits').format, 'unknown');
});

test('RAW containers: ORF/RW2 magic, CR3 brand, RAF string, DNG tag, TIFF with SubIFDs and camera Make', () => {
  assert.equal(detectFormat(Buffer.from('IIRO\x08\x00\x00\x00'), 'x').subformat, 'orf');
  assert.equal(detectFormat(Buffer.from('IIU\x00\x08\x00\x00\x00'), 'x').subformat, 'rw2');
  assert.equal(detectFormat(Buffer.from('\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01'), 'x').subformat, 'cr3');
  assert.equal(detectFormat(Buffer.from('\x00\x00\x00\x18ftypheic'), 'x').format, 'unknown');
  assert.equal(detectFormat(Buffer.from('FUJIFILMCCD-RAW 0201'), 'x').subformat, 'raf');
  // a minimal little-endian TIFF whose IFD0 has Make = "PENTAX" and a SubIFDs tag
  const b = Buffer.alloc(64);
  b.write('II*\0', 0, 'latin1');
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(2, 8);
  b.writeUInt16LE(0x010f, 10); b.writeUInt16LE(2, 12); b.writeUInt32LE(7, 14); b.writeUInt32LE(40, 18);
  b.writeUInt16LE(0x014a, 22); b.writeUInt16LE(4, 24); b.writeUInt32LE(1, 26); b.writeUInt32LE(100, 30);
  b.write('PENTAX\0', 40, 'latin1');
  assert.deepEqual(detectFormat(b, 'IMGP0001.bin'), { format: 'raw', subformat: 'pef', mimeType: 'image/x-pentax-pef' });
  b.writeUInt16LE(0x0110, 22); // no SubIFDs: an ordinary TIFF from that camera maker
  assert.equal(detectFormat(b, 'export.tif').format, 'tiff');
});
