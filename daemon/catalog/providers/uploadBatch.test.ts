import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeUploadName, UPLOAD_NAME_MAX_BYTES } from './uploadBatch.ts';
import { isImageFile } from './imageFiles.ts';

test('upload names: last segment, NFC, unsafe characters replaced, length limited with the extension kept', () => {
  assert.equal(normalizeUploadName('../../etc/passwd'), 'passwd');
  assert.equal(normalizeUploadName('C:\\astro\\M31 <Ha> 300s.fits'), 'M31 _Ha_ 300s.fits');
  assert.equal(normalizeUploadName('a\u0000b\tc\u00a0d.xisf'), 'abc_d.xisf');
  assert.equal(normalizeUploadName('Me\u0301lotte 111.fits'), 'Mélotte 111.fits'.normalize('NFC'));
  assert.equal(normalizeUploadName('Андромеда – M31.fits.gz'), 'Андромеда – M31.fits.gz');
  for (const stemless of ['.fits', '...fits', '..', '', ' .FIT']) {
    const n = normalizeUploadName(stemless);
    assert.match(n, /^upload-[0-9a-f]{8}(\.fits|\.FIT)?$/, stemless);
  }
  const long = normalizeUploadName(`${'Ж'.repeat(300)}.fits.fz`);
  assert.ok(Buffer.byteLength(long) <= UPLOAD_NAME_MAX_BYTES);
  assert.ok(long.endsWith('.fits.fz') && isImageFile(long));
  const emoji = normalizeUploadName(`${'🔭'.repeat(100)}.xisf`);
  assert.ok(Buffer.byteLength(emoji) <= UPLOAD_NAME_MAX_BYTES && !emoji.includes('\uFFFD') && emoji.endsWith('.xisf'));
});
