import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownKeyword, mappedKeywords, unmappedKeywords } from './keywords.ts';

test('mapped keywords come from the readers themselves, including keys read only in some cases', () => {
  const m = mappedKeywords();
  for (const k of ['EXPTIME', 'FILTER', 'OBJCTRA', 'SITELONG', 'OBSGEO-L', 'STACKCNT', 'LIVETIME', 'SUBEXP', 'DATE-OBS', 'IMAGETYP', 'COOLERPW', 'MJD-OBS', 'LUM_CNT']) {
    assert.ok(m.has(k), k);
  }
});

test('unmapped keywords of a header: structure, WCS, SIP and mapped keys are left out; XISF properties and EXIF are not keywords', () => {
  const cards = [
    'SIMPLE', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'BZERO', 'EXTEND', 'COMMENT', 'HISTORY', 'CTYPE1', 'CRVAL2', 'CD1_2', 'PC2_1', 'A_ORDER', 'AP_1_0',
    'EQUINOX', 'EXPTIME', 'GAIN', 'FOCPOS', 'focpos', 'AMBTEMP', 'ESO DET CHIP TEMP', 'Instrument:Camera:Gain',
  ].map((key) => ({ key, value: 1 }));
  assert.deepEqual(unmappedKeywords(cards, 'fits'), ['AMBTEMP', 'ESO DET CHIP TEMP', 'FOCPOS']);
  assert.deepEqual(unmappedKeywords(cards, 'xisf'), ['AMBTEMP', 'ESO DET CHIP TEMP', 'FOCPOS']);
  assert.deepEqual(unmappedKeywords([{ key: 'LensModel', value: 'x' }], 'jpeg'), []);
  assert.equal(isKnownKeyword('ctype3'), true);
});
