// What stacks say about their subs, with headers written the way each program
// writes them (PixInsight XISF processing history, Siril, DSS, APP, Seestar,
// SharpCap live stacks, ASIAIR, DWARF), read through the real file readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { HeaderCard } from '../../sdk/facts.ts';
import { describeFile } from './index.ts';
import { fileNameCount, pixinsightHistoryPaths, readStackSources, stackProgram } from './stackSources.ts';
import { fitsHdu, pixinsightHistory, pixinsightMasterXisf, tempDir, type CardSpec } from './test-writers.ts';

const cards = (list: [string, HeaderCard['value'], string?][]): HeaderCard[] => list.map(([key, value, comment]) => ({ key, value, ...(comment ? { comment } : {}) }));

test('PixInsight: an XISF master names its subs in the processing history; dates from Observation:Time', async () => {
  const t = tempDir();
  try {
    const path = t.path('masterLight_BIN-1_FILTER-L_mono.xisf');
    writeFileSync(
      path,
      pixinsightMasterXisf({
        subs: [
          { path: 'D:/Astro/M31/2024-10-01/registered/Light_M31_300s_L_0001_c_cc_r.xisf' },
          { path: 'D:\\Astro\\M31\\2024-10-01\\registered\\Light_M31_300s_L_0002_c_cc_r.xisf' },
          { path: 'D:/Astro/M31/2024-10-01/registered/Light_M31_300s_L_0003_c_cc_r.xisf', enabled: false },
        ],
        start: '2024-10-01T21:00:00Z',
        end: '2024-10-01T23:35:00Z',
        keywords: [
          ['IMAGETYP', "'Master Light'", 'Type of image'],
          ['EXPTIME', '300.', 'Exposure time of the reference frame'],
          ['FILTER', "'L'", ''],
          ['HISTORY', '', 'ImageIntegration.numberOfImages: 2'],
        ],
      }),
    );
    const d = await describeFile(path, { fileName: 'masterLight_BIN-1_FILTER-L_mono.xisf', folderPath: '' });
    assert.equal(d.frameType, 'processed');
    assert.ok(d.stack);
    assert.equal(d.stack.program, 'pixinsight');
    assert.deepEqual(d.stack.subFiles, [
      'D:/Astro/M31/2024-10-01/registered/Light_M31_300s_L_0001_c_cc_r.xisf',
      'D:/Astro/M31/2024-10-01/registered/Light_M31_300s_L_0002_c_cc_r.xisf',
    ]);
    assert.equal(d.stack.subFilesFrom, 'PixInsight:ProcessingHistory');
    assert.equal(d.stack.frames, 2);
    assert.equal(d.stack.subExposureSeconds, 300);
    assert.equal(d.stack.firstAt, '2024-10-01T21:00:00.000Z');
    assert.equal(d.stack.lastAt, '2024-10-01T23:35:00.000Z');
  } finally {
    t.cleanup();
  }
});

test('the processing history: only integration tables, enabled rows; broken XML gives nothing', () => {
  assert.deepEqual(pixinsightHistoryPaths(pixinsightHistory([{ path: '/a/b.xisf' }, { path: '/a/c.xisf', enabled: false }])), ['/a/b.xisf']);
  // string cells may hold their value as text
  assert.deepEqual(
    pixinsightHistoryPaths('<xpsm><instance class="ImageIntegration"><table id="images" rows="1"><tr><td id="enabled" value="true"/><td id="path">/x/L_1_c_r.xisf</td></tr></table></instance></xpsm>'),
    ['/x/L_1_c_r.xisf'],
  );
  assert.deepEqual(pixinsightHistoryPaths('<xpsm><instance class="ImageIntegration"><table'), []);
  assert.deepEqual(pixinsightHistoryPaths('not xml at all'), []);
});

test('Siril: STACKCNT, LIVETIME, DATE-OBS of the first sub and DATE-END of the last', async () => {
  const t = tempDir();
  try {
    const path = t.path('r_pp_light_stacked.fit');
    const spec: CardSpec[] = [
      ['STACKCNT', 24, 'Stack frames'],
      ['LIVETIME', 7200, '[s] Exposure time after deadtime correction'],
      ['EXPTIME', 300, '[s] Exposure time duration'],
      ['DATE-OBS', '2024-10-01T21:00:00.000', 'YYYY-MM-DDThh:mm:ss observation start, UT'],
      ['DATE-END', '2024-10-02T01:05:00.000', 'YYYY-MM-DDThh:mm:ss observation end, UT'],
      ['FILTER', 'Ha'],
      ['PROGRAM', 'Siril 1.2.4', 'Software that created this HDU'],
      ['HISTORY', 'Mean stacking with sigma clipping rejection (low=3.000 high=3.000)'],
    ];
    writeFileSync(path, fitsHdu({ bitpix: -32, axes: [4, 4], data: new Float32Array(16), cards: spec }));
    const d = await describeFile(path, { fileName: 'r_pp_light_stacked.fit', folderPath: '' });
    assert.ok(d.stack);
    assert.equal(d.stack.program, 'siril');
    assert.equal(d.stack.frames, 24);
    assert.equal(d.stack.framesFrom, 'STACKCNT');
    assert.equal(d.stack.totalSeconds, 7200);
    assert.equal(d.stack.subExposureSeconds, 300);
    assert.equal(d.stack.firstAt, '2024-10-01T21:00:00.000Z');
    assert.equal(d.stack.lastAt, '2024-10-02T01:05:00.000Z');
    assert.equal(d.stack.datesFrom, 'DATE-OBS … DATE-END');
    assert.deepEqual(d.stack.subFiles, []);
  } finally {
    t.cleanup();
  }
});

test('a single light frame carries no stack facts', async () => {
  const t = tempDir();
  try {
    const path = t.path('Light_M31_300s_0001.fits');
    writeFileSync(path, fitsHdu({ bitpix: 16, axes: [4, 4], data: new Int16Array(16), cards: [['IMAGETYP', 'LIGHT'], ['EXPTIME', 300], ['DATE-OBS', '2024-10-01T21:00:00']] }));
    const d = await describeFile(path, { fileName: 'Light_M31_300s_0001.fits', folderPath: '' });
    assert.equal(d.frameType, 'light');
    assert.equal(d.stack, null);
  } finally {
    t.cleanup();
  }
});

test('DeepSkyStacker and Astro Pixel Processor: the count, EXPTIME as the total, not a sub', () => {
  const dss = readStackSources(cards([['NCOMBINE', 40], ['EXPTIME', 4800], ['EXPOSURE', 4800], ['SOFTWARE', 'DeepSkyStacker 5.1.6'], ['DATE-OBS', '2024-10-01T21:00:00']]));
  assert.equal(dss.program, 'deepskystacker');
  assert.equal(dss.frames, 40);
  assert.equal(dss.totalSeconds, 4800);
  assert.equal(dss.subExposureSeconds, null, 'DSS writes the total into EXPTIME: no sub exposure');
  assert.equal(dss.lastAt, null);
  const app = readStackSources(cards([['IMAGETYP', 'LIGHT'], ['NUMFRAME', 140], ['EXPTIME', 8400], ['EXPOSURE', 60], ['SOFTWARE', 'Astro Pixel Processor by Aries Productions']]));
  assert.equal(app.program, 'astro-pixel-processor');
  assert.equal(app.frames, 140);
  assert.equal(app.totalSeconds, 8400);
  assert.equal(app.subExposureSeconds, 60);
});

test('Seestar in-camera stack: STACKCNT, TOTALEXP, EXPTIME is one sub; the file name agrees', () => {
  const name = 'Stacked_106_M 57_30.0s_IRCUT_20240907-003158.fit';
  const s = readStackSources(
    cards([
      ['TELESCOP', 'Seestar S50'],
      ['INSTRUME', 'Seestar S50'],
      ['CREATOR', 'ZWO Seestar S50'],
      ['STACKCNT', 106],
      ['TOTALEXP', 3180],
      ['EXPTIME', 30],
      ['FILTER', 'IRCUT'],
      ['BAYERPAT', 'GRBG'],
      ['DATE-OBS', '2024-09-07T00:31:58.123'],
    ]),
    name,
  );
  assert.equal(s.program, 'seestar');
  assert.equal(s.frames, 106);
  assert.equal(s.totalSeconds, 3180);
  assert.equal(s.subExposureSeconds, 30);
  assert.deepEqual(fileNameCount(name), { frames: 106, totalSeconds: null, subSeconds: 30 });
});

test('SharpCap live stack: EXPTIME is the total, SUBEXP unreliable; the file name gives the count', () => {
  const s = readStackSources(cards([['SWCREATE', 'SharpCap v4.1.12196.0, 64 bit'], ['EXPTIME', 5400], ['SUBEXP', 2]]), 'Stack_16bits_90frames_5400s.fits');
  assert.equal(s.program, 'sharpcap');
  assert.equal(s.liveStack, true);
  assert.equal(s.totalSeconds, 5400);
  assert.equal(s.frames, 90);
  assert.equal(s.framesFrom, 'file name');
  assert.equal(s.subExposureSeconds, 60, 'the total over the count, not SUBEXP');
  // no count anywhere: a live stack with a total and nothing else
  const bare = readStackSources(cards([['SWCREATE', 'SharpCap v4.1'], ['EXPTIME', 584], ['SUBEXP', 8]]), 'Stack_16bits_live.fits');
  assert.equal(bare.frames, null);
  assert.equal(bare.subExposureSeconds, null);
});

test('ASIAIR, DWARF, Unistellar and Vaonis are recognised by their own cards', () => {
  assert.equal(stackProgram(cards([['INSTRUME', 'ZWO ASI2600MC Pro'], ['SWCREATE', 'ASIAIR']])), 'asiair');
  assert.equal(stackProgram(cards([['TELESCOP', 'DWARF III'], ['INSTRUME', 'TELE']])), 'dwarf');
  assert.equal(stackProgram(cards([['TELESCOP', 'Unistellar eVscope 2']])), 'unistellar');
  assert.equal(stackProgram(cards([['TELESCOP', 'Vaonis Vespera']])), 'vaonis');
  // their stacked files are read with the generic cards (no program-specific keyword set was found to rely on)
  const generic = readStackSources(cards([['SWCREATE', 'ASIAIR'], ['STACKCNT', 40], ['EXPTIME', 120]]));
  assert.equal(generic.frames, 40);
  assert.equal(generic.subExposureSeconds, 120);
});

test('counts in file names, and names that only look like counts', () => {
  assert.deepEqual(fileNameCount('Stack_16bits_73frames_584s.fits'), { frames: 73, totalSeconds: 584, subSeconds: 8 });
  assert.deepEqual(fileNameCount('dark_exp_15.000000_gain_60_bin_1_38C_stack_10.fits'), { frames: 10, totalSeconds: null, subSeconds: null });
  assert.equal(fileNameCount('stacked-16_M 31_10s_80_20240930-211000.fits'), null, "DWARF's stacked-16 is the bit depth, not a count");
  assert.deepEqual(fileNameCount('GRB250317B_T180_2025-03-18T04-36-51_Sloan_r_Stack_40x180sec.fits'), { frames: 40, totalSeconds: null, subSeconds: 180 });
  assert.equal(fileNameCount('Light_M31_300s_Bin2x2_0001.fits'), null);
  assert.equal(fileNameCount('stacked_20240930.fits'), null, 'a date is no count');
  assert.equal(fileNameCount('M31_final.fits'), null);
});

test('FITS HISTORY lines naming input files are the list of subs; calibration masters are not', () => {
  const s = readStackSources(
    cards([
      ['NCOMBINE', 2],
      ['HISTORY', 'Combined 2 images: /data/M31/Light_0001.fits'],
      ['HISTORY', 'input C:\\data\\M31\\Light_0002.fits'],
      ['HISTORY', 'Master dark: /data/masters/master_dark_300.fits'],
      // WBPP masters carry ~120 parameter lines; the reference image is one file, not the list
      ['HISTORY', '', 'ImageIntegration.referenceImage: /data/M31/Light_0007_c_r.xisf'],
      ['HISTORY', '', 'ImageIntegration.localNormalizationFile: /data/M31/ln.xnml'],
      ['HISTORY', '', 'ImageIntegration.outputFile: /data/M31/out.xisf'],
    ]),
  );
  assert.deepEqual(s.subFiles, ['/data/M31/Light_0001.fits', 'C:/data/M31/Light_0002.fits']);
  assert.equal(s.subFilesFrom, 'HISTORY');
});

test('MJD ranges and an end before the start', () => {
  const s = readStackSources(cards([['NCOMBINE', 5], ['MJD-BEG', 60584.875], ['MJD-END', 60584.9375]]));
  assert.equal(s.firstAt, '2024-10-01T21:00:00.000Z');
  assert.equal(s.lastAt, '2024-10-01T22:30:00.000Z');
  const bad = readStackSources(cards([['NCOMBINE', 5], ['DATE-OBS', '2024-10-02T00:00:00'], ['DATE-END', '2024-10-01T00:00:00']]));
  assert.equal(bad.firstAt, '2024-10-02T00:00:00.000Z');
  assert.equal(bad.lastAt, null, 'an end before the start is not believed');
});
