import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HeaderCard } from '../../sdk/facts.ts';
import { classifyFrame, frameTypeFromName, frameTypeFromStats, parseFrameTypeText } from './frametype.ts';

const hdr = (pairs: [string, HeaderCard['value']][]): HeaderCard[] => pairs.map(([key, value]) => ({ key, value }));
const classify = (cards: HeaderCard[], fileName = 'x.fits', folderPath = '', format = 'fits') => classifyFrame({ cards, fileName, folderPath, format });

test('header frame-type texts of the common capture programs', () => {
  const cases: [string, string][] = [
    ['Light Frame', 'light'], ['LIGHT', 'light'], ['Light', 'light'], ['object', 'light'],
    ['Dark Frame', 'dark'], ['DARK', 'dark'],
    ['Bias Frame', 'bias'], ['Offset', 'bias'], ['BIAS', 'bias'], ['zero', 'bias'],
    ['Flat Field', 'flat'], ['FLAT', 'flat'], ['Flat Frame', 'flat'], ['SkyFlat', 'flat'],
    ['DARKFLAT', 'darkflat'], ['Flat Dark', 'darkflat'], ['Dark Flat', 'darkflat'], ['FLAT_DARK', 'darkflat'],
    ['Master Dark', 'master'], ['MasterFlat', 'master'], ['Master Bias', 'master'], ['Master Light', 'processed'],
  ];
  for (const [text, want] of cases) {
    assert.deepEqual(classify(hdr([['IMAGETYP', text]])), { frameType: want, source: 'header' }, text);
  }
  assert.deepEqual(classify(hdr([['FRAME', 'Flat']])), { frameType: 'flat', source: 'header' }, 'INDI FRAME');
  assert.deepEqual(classify(hdr([['CALFRAME', 'MasterFlat']])), { frameType: 'master', source: 'header' }, 'APP');
  assert.deepEqual(classify(hdr([['XISF:ImageType', 'MasterDark']])), { frameType: 'master', source: 'header' }, 'XISF imageType');
  assert.deepEqual(parseFrameTypeText('gibberish'), { base: null, master: false });
});

test('stacking signals: lights become processed, calibration frames become masters', () => {
  assert.equal(classify(hdr([['IMAGETYP', 'Light'], ['STACKCNT', 187]])).frameType, 'processed');
  assert.equal(classify(hdr([['IMAGETYP', 'Light Frame'], ['NCOMBINE', 1]])).frameType, 'light');
  assert.equal(classify(hdr([['IMAGETYP', 'Dark Frame'], ['NCOMBINE', 25]])).frameType, 'master');
  assert.equal(classify(hdr([['IMAGETYP', 'Flat Field'], ['HISTORY', 'ImageIntegration.numberOfImages: 30']])).frameType, 'master');
  assert.equal(classify(hdr([['IMAGETYP', 'Bias Frame'], ['HISTORY', 'Stacking 100 images with Siril']])).frameType, 'master');
  assert.deepEqual(classify(hdr([['HISTORY', 'Integration with ImageIntegration module']])), { frameType: 'processed', source: 'header' });
  assert.deepEqual(classify(hdr([['INTEGRAT', 'Integration'], ['SOFTWARE', 'Astro Pixel Processor']])), { frameType: 'processed', source: 'header' });
  assert.equal(classify(hdr([['IMAGETYP', 'Light'], ['HISTORY', 'HistogramTransformation applied']])).frameType, 'processed');
  // calibration of a light is not processing
  assert.equal(classify(hdr([['IMAGETYP', 'Light Frame'], ['HISTORY', ' Dark Subtraction (Dark 10, 4864 x 3232, Bin1 x 1, Temp -35C,']])).frameType, 'light');
});

test('file-name tokens when headers say nothing', () => {
  const cases: [string, string | null][] = [
    ['2023-10-01_LIGHT_Ha_300.00s_0001.fits', 'light'],
    ['M31_Light_L_120s_001.fit', 'light'],
    ['Dark_300s_-10C_0005.fits', 'dark'],
    ['flat_Ha_0001.fits', 'flat'],
    ['Bias_0001.fits', 'bias'],
    ['OFFSET_001.fits', 'bias'],
    ['DarkFlat_L_2s.fits', 'darkflat'],
    ['FLAT_DARK_001.fits', 'darkflat'],
    ['masterDark_BIN-1_EXPOSURE-300.00s.xisf', 'master'],
    ['MasterFlat_Ha.fits', 'master'],
    ['masterLight_BIN-1_FILTER-Ha.xisf', 'processed'],
    ['Autosave.tif', 'processed'],
    ['integration.xisf', 'processed'],
    ['M42_stacked.fits', 'processed'],
    ['IMG_0042.CR2', null],
    ['Flatiron.fits', null],
  ];
  for (const [name, want] of cases) assert.equal(frameTypeFromName(name), want, name);
  assert.deepEqual(classify([], 'Dark_300s_0001.fits'), { frameType: 'dark', source: 'name' });
});

test('folder names, nearest first', () => {
  assert.deepEqual(classify([], 'IMG_0001.CR2', 'M31/2023-10-01/Flats', 'raw'), { frameType: 'flat', source: 'folder' });
  assert.deepEqual(classify([], 'frame_001.fits', 'Calibration/Darks/300s'), { frameType: 'dark', source: 'folder' });
  assert.deepEqual(classify([], 'frame_001.fits', 'Lights/Bias-run'), { frameType: 'bias', source: 'folder' });
  assert.deepEqual(classify([], 'frame_001.fits', 'M31/session1'), { frameType: 'light', source: 'default' });
});

test('statistics hint and defaults by format', () => {
  assert.equal(frameTypeFromStats({ median: 0.45, mad: 0.005 }), 'flat');
  assert.equal(frameTypeFromStats({ median: 0.02, mad: 0.0005, exposureSeconds: 0.001 }), 'bias');
  assert.equal(frameTypeFromStats({ median: 0.02, mad: 0.0005, exposureSeconds: 300 }), 'dark');
  assert.equal(frameTypeFromStats({ median: 0.08, mad: 0.01 }), null);
  assert.deepEqual(classifyFrame({ cards: [], fileName: 'a.fits', folderPath: '', format: 'fits', stats: { median: 0.5, mad: 0.01 } }), { frameType: 'flat', source: 'statistics' });
  assert.deepEqual(classify([], 'a.xisf', '', 'xisf'), { frameType: 'light', source: 'default' });
  assert.deepEqual(classify([], 'IMG_1.NEF', '', 'raw'), { frameType: 'light', source: 'default' });
  assert.deepEqual(classify([], 'm31.jpg', '', 'jpeg'), { frameType: 'processed', source: 'default' });
  assert.deepEqual(classify(hdr([['Software', 'Adobe Photoshop']]), 'm31.png', '', 'png'), { frameType: 'processed', source: 'default' });
  assert.deepEqual(classify(hdr([['EXPTIME', 30]]), 'seestar.jpg', '', 'jpeg'), { frameType: 'light', source: 'default' });
});
