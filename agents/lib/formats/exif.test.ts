import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { exifCards } from './exif.ts';

async function tiff(): Promise<Uint8Array> {
  const raw = Buffer.alloc(16 * 8 * 3, 100);
  return new Uint8Array(await sharp(raw, { raw: { width: 16, height: 8, channels: 3 } }).tiff().toBuffer());
}

test('a TIFF entry whose count cannot fit the file gives no cards instead of a gigabyte allocation', async () => {
  const good = await tiff();
  assert.ok((await exifCards(good)).some((c) => c.key === 'ImageWidth' && c.value === 16));
  // IFD0's Orientation entry (tag 274) declares 2^32 − 1 values: exifr would allocate an 8 GiB Uint16Array
  const bad = good.slice();
  const dv = new DataView(bad.buffer);
  const ifd = dv.getUint32(4, true);
  let patched = false;
  for (let i = 0, n = dv.getUint16(ifd, true); i < n; i++) {
    const at = ifd + 2 + i * 12;
    if (dv.getUint16(at, true) === 274) {
      dv.setUint32(at + 4, 0xffffffff, true);
      patched = true;
    }
  }
  assert.ok(patched);
  const before = process.memoryUsage().arrayBuffers;
  assert.deepEqual(await exifCards(bad), []);
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no huge typed array was allocated');
});
