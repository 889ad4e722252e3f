import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Acquisition, FileFacts, HeaderCard } from '../sdk/facts.ts';
import type { AgentContext } from '../sdk/index.ts';
import agent from './index.ts';
import { integrationOf } from './integrate.ts';

type Card = [string, HeaderCard['value'], string?];

/** Hand-built `file` facts: only what the integration agent reads. */
function file(frameType: FileFacts['frameType'], acquisition: Partial<Acquisition>, cards: Card[] = []): Partial<FileFacts> {
  return {
    format: 'fits',
    frameType,
    acquisition: { filter: null, exposureSeconds: null, stackCount: null, stackExposureSeconds: null, ...acquisition } as Acquisition,
    headers: cards.map(([key, value, comment]) => (comment === undefined ? { key, value } : { key, value, comment })),
  };
}

test('a light sub counts its own exposure under its filter', () => {
  const r = integrationOf(file('light', { exposureSeconds: 300, filter: 'Ha' }, [['EXPTIME', 300], ['FILTER', 'Ha']]));
  assert.equal(r.totalSeconds, 300);
  assert.deepEqual(r.byFilter, [{ filter: 'Ha', seconds: 300, frames: 1 }]);
  assert.equal(r.source, 'own-exposure');
  // some capture programs write NCOMBINE = 1 on every sub: still one frame
  const one = integrationOf(file('light', { exposureSeconds: 60, filter: 'L' }, [['NCOMBINE', 1], ['EXPTIME', 60]]));
  assert.deepEqual(one.byFilter, [{ filter: 'L', seconds: 60, frames: 1 }]);
});

test('Siril stack: LIVETIME is the total, STACKCNT the frames', () => {
  const r = integrationOf(
    file('light', { exposureSeconds: 300, filter: 'OIII' }, [['IMAGETYP', 'Light'], ['EXPTIME', 300], ['STACKCNT', 25], ['LIVETIME', 7500]]),
  );
  assert.equal(r.totalSeconds, 7500);
  assert.deepEqual(r.byFilter, [{ filter: 'OIII', seconds: 7500, frames: 25 }]);
  assert.equal(r.source, 'stack-header');
});

test('PixInsight master: numberOfImages in HISTORY (XISF comment or FITS text) × EXPTIME', () => {
  const xisf = integrationOf(
    file('master', { exposureSeconds: 300, filter: 'R' }, [
      ['IMAGETYP', 'Master Light'],
      ['EXPTIME', 300],
      ['HISTORY', '', 'ImageIntegration.pixelRejection: Generalized ESD'],
      ['HISTORY', '', 'ImageIntegration.numberOfImages: 10'],
    ]),
  );
  assert.equal(xisf.totalSeconds, 3000);
  assert.deepEqual(xisf.byFilter, [{ filter: 'R', seconds: 3000, frames: 10 }]);
  assert.equal(xisf.source, 'history');
  const fits = integrationOf(file('master', { exposureSeconds: 120, filter: 'G' }, [['EXPTIME', 120], ['HISTORY', 'FastIntegration.numberOfImages: 241']]));
  assert.equal(fits.totalSeconds, 28920);
  assert.equal(fits.frames, 241);
});

test('DeepSkyStacker writes the total into EXPTIME: not multiplied again', () => {
  const r = integrationOf(
    file('master', { exposureSeconds: 4800 }, [['EXPTIME', 4800], ['EXPOSURE', 4800], ['NCOMBINE', 40], ['SOFTWARE', 'DeepSkyStacker 5.1.6']]),
  );
  assert.equal(r.totalSeconds, 4800);
  assert.equal(r.frames, 40);
});

test('Astro Pixel Processor: NUMFRAME, EXPTIME total, EXPOSURE per sub, even with IMAGETYP LIGHT', () => {
  const r = integrationOf(
    file('light', { exposureSeconds: 8400, filter: 'OIII' }, [
      ['IMAGETYP', 'LIGHT'],
      ['NUMFRAME', 140],
      ['EXPTIME', 8400],
      ['EXPOSURE', 60],
      ['SWCREATE', 'N.I.N.A. 3.2.0.9001 (x64)'],
    ]),
  );
  assert.equal(r.totalSeconds, 8400);
  assert.deepEqual(r.byFilter, [{ filter: 'OIII', seconds: 8400, frames: 140 }]);
  assert.equal(r.subExposureSeconds, 60);
});

test('ASTAP: per-filter counts; a single group keeps the stack\'s own filter', () => {
  const lrgb = integrationOf(
    file('light', { exposureSeconds: 16800 }, [
      ['EXPTIME', 16800],
      ['LUM_EXP', 300], ['LUM_CNT', 20],
      ['RED_EXP', 180], ['RED_CNT', 10],
      ['GRN_EXP', 180], ['GRN_CNT', 10],
      ['BLU_EXP', 180], ['BLU_CNT', 10],
    ]),
  );
  assert.equal(lrgb.totalSeconds, 6000 + 3 * 1800);
  assert.deepEqual(lrgb.byFilter.map((f) => [f.filter, f.seconds, f.frames]), [
    ['L', 6000, 20], ['R', 1800, 10], ['G', 1800, 10], ['B', 1800, 10],
  ]);
  const osc = integrationOf(file('light', { exposureSeconds: 9240 }, [['IMAGETYP', 'Light'], ['EXPTIME', 9240], ['LUM_EXP', 120], ['LUM_CNT', 77]]));
  assert.deepEqual(osc.byFilter, [{ filter: null, seconds: 9240, frames: 77 }]);
});

test('IRAF/ccdproc conventions: NCOMBINE or a HISTORY sentence × EXPTIME', () => {
  const iraf = integrationOf(file('master', { exposureSeconds: 60, filter: 'B' }, [['EXPTIME', 60], ['NCOMBINE', 5]]));
  assert.equal(iraf.totalSeconds, 300);
  const hist = integrationOf(file('processed', { exposureSeconds: 120, filter: 'L' }, [['EXPTIME', 120], ['HISTORY', 'Stacked 12 images']]));
  assert.equal(hist.totalSeconds, 1440);
  assert.equal(hist.source, 'history');
});

test('stack facts normalized by the file agent are used when the header has none', () => {
  const r = integrationOf(file('master', { stackCount: 30, stackExposureSeconds: 5400, filter: 'SII' }));
  assert.equal(r.totalSeconds, 5400);
  assert.deepEqual(r.byFilter, [{ filter: 'SII', seconds: 5400, frames: 30 }]);
});

test('calibration frames are counted but carry no integration time', () => {
  const dark = integrationOf(file('dark', { exposureSeconds: 300 }, [['IMAGETYP', 'Dark Frame'], ['EXPTIME', 300]]));
  assert.equal(dark.totalSeconds, null);
  assert.deepEqual(dark.byFilter, [{ filter: null, seconds: 0, frames: 1 }]);
  assert.equal(dark.kind, 'calibration');
  const masterDark = integrationOf(file('master', { exposureSeconds: 300 }, [['IMAGETYP', 'MASTERDARK'], ['NCOMBINE', 30], ['EXPTIME', 300]]));
  assert.equal(masterDark.totalSeconds, null);
  assert.equal(masterDark.frames, 30);
  const flat = integrationOf(file('flat', { exposureSeconds: 2, filter: 'Ha' }));
  assert.deepEqual(flat.byFilter, [{ filter: 'Ha', seconds: 0, frames: 1 }]);
});

test('unknown stays null: processed without stack cards, light without exposure, stack without exposure', () => {
  const processed = integrationOf(file('processed', { exposureSeconds: 300 }, [['EXPTIME', 300]]));
  assert.equal(processed.totalSeconds, null);
  assert.deepEqual(processed.byFilter, []);
  assert.equal(integrationOf(file('light', {})).totalSeconds, null);
  const noExp = integrationOf(file('master', {}, [['NCOMBINE', 12]]));
  assert.equal(noExp.totalSeconds, null);
  assert.equal(noExp.frames, 12);
  assert.equal(integrationOf(undefined).totalSeconds, null);
  // a count that is not a count
  assert.equal(integrationOf(file('processed', { exposureSeconds: 60 }, [['NCOMBINE', 'many'], ['EXPTIME', 60]])).totalSeconds, null);
});

test('SharpCap live stack: the total is known, the number of subs is not', () => {
  const live = integrationOf(file('light', { exposureSeconds: 5400 }, [['SWCREATE', 'SharpCap v4.1'], ['EXPTIME', 5400], ['SUBEXP', 2]]));
  assert.equal(live.totalSeconds, 5400);
  assert.deepEqual(live.byFilter, [{ filter: null, seconds: 5400, frames: null }]);
  const sub = integrationOf(file('light', { exposureSeconds: 30 }, [['SWCREATE', 'SharpCap v4.1'], ['EXPTIME', 29.999999], ['SUBEXP', 29.999999]]));
  assert.deepEqual(sub.byFilter, [{ filter: null, seconds: 30, frames: 1 }]);
});

test('a live stack whose file name states the count (Stack_16bits_90frames_5400s.fits): frames and sub exposure known', () => {
  const facts = file('processed', { exposureSeconds: null }, [['SWCREATE', 'SharpCap v4.1'], ['EXPTIME', 5400], ['SUBEXP', 2]]);
  facts.stack = { program: 'sharpcap', frames: 90, framesFrom: 'file name', subExposureSeconds: 60, totalSeconds: 5400, liveStack: true, firstAt: null, lastAt: null, datesFrom: null, subFiles: [], subFilesFrom: null };
  const r = integrationOf(facts);
  assert.equal(r.totalSeconds, 5400);
  assert.deepEqual(r.byFilter, [{ filter: null, seconds: 5400, frames: 90 }]);
  assert.equal(r.subExposureSeconds, 60);
  // a PixInsight master listing its subs but without numberOfImages: the list counts, × the reference EXPTIME
  const pi = file('master', { exposureSeconds: 300, filter: 'L' }, [['IMAGETYP', 'Master Light'], ['EXPTIME', 300]]);
  pi.stack = { program: 'pixinsight', frames: 3, framesFrom: 'history list', subExposureSeconds: 300, totalSeconds: null, liveStack: false, firstAt: null, lastAt: null, datesFrom: null, subFiles: ['a', 'b', 'c'], subFilesFrom: 'PixInsight:ProcessingHistory' };
  assert.deepEqual(integrationOf(pi).byFilter, [{ filter: 'L', seconds: 900, frames: 3 }]);
});

test('DWARF III stack: EXPTIME is the total; the count and sub exposure the file agent read from its name and total are used', () => {
  // stacked-16_IC 434_60s60_Astro_20251018-045127226.fits: EXPTIME 2580 (43 × 60 s), crop cards, three colour planes, no count card
  const cards: Card[] = [['NAXIS', 3], ['NAXIS3', 3], ['EXPTIME', 2580, '[s] Exposure Time'], ['CRTL1X', 91, 'Crop rect coordinate'], ['TELESCOP', 'DWARFIII'], ['ORIGIN', 'DWARFLAB']];
  const facts = file('processed', { exposureSeconds: null, stackExposureSeconds: 2580, filter: 'Astro' }, cards);
  facts.stack = { program: 'dwarf', frames: 43, framesFrom: 'file name (total / sub exposure)', subExposureSeconds: 60, totalSeconds: 2580, liveStack: false, firstAt: null, lastAt: null, datesFrom: null, subFiles: [], subFilesFrom: null };
  const r = integrationOf(facts);
  assert.equal(r.totalSeconds, 2580);
  assert.deepEqual(r.byFilter, [{ filter: 'Astro', seconds: 2580, frames: 43 }]);
  assert.deepEqual([r.frames, r.subExposureSeconds], [43, 60]);
  // without the name's reading: the total alone, never 2580 s subs
  const bare = integrationOf(file('processed', { exposureSeconds: null, stackExposureSeconds: 2580 }, cards));
  assert.deepEqual([bare.totalSeconds, bare.frames, bare.subExposureSeconds], [2580, null, null]);
});

test('a Seestar sub (TOTALEXP equal to its EXPTIME, no STACKCNT) is one frame of its own exposure', () => {
  const r = integrationOf(file('light', { exposureSeconds: 10, filter: 'UV/IR-cut' }, [['CREATOR', 'ZWO Seestar S50'], ['EXPOSURE', 10], ['EXPTIME', 10], ['TOTALEXP', 10]]));
  assert.deepEqual([r.totalSeconds, r.source, r.frames], [10, 'own-exposure', 1]);
});

test('the agent returns the facts for its context', async () => {
  const ctx = { facts: { file: file('light', { exposureSeconds: 180, filter: 'L' }) as Record<string, never> } } as unknown as AgentContext;
  const out = await agent.run(ctx);
  assert.equal(out.facts['totalSeconds'], 180);
  assert.equal(agent.stages[0], 'aggregate');
});
