// The star-quality agent as a plain function, on synthetic star fields whose
// truth is known (Gaussian stars of a given width, background, noise) and on
// real frames. Runs with the SDK's test context: no database, no daemon.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentSkip, type Facts } from '@sidereal/agent-sdk';
import { createTestContext } from '@sidereal/agent-sdk/runtime';
// Sidereal's decoders (the daemon passes them to every agent); a test outside the Sidereal tree passes its own reader
import { readPixels } from '../../agents/lib/formats/index.ts';
import agent, { type StarQualityFacts } from './index.ts';
import { fits16, mosaic, starField, type StarFieldOptions } from './test/synthetic.ts';

// Real frames from other programs (a corpus outside the package, named by
// SIDEREAL_TESTDATA): those tests are skipped, with this reason, when it is unset.
const TESTDATA = process.env.SIDEREAL_TESTDATA ?? '';
const corpus = { skip: TESTDATA ? false : 'needs the real-file corpus: set SIDEREAL_TESTDATA' };
const dir = mkdtempSync(join(tmpdir(), 'star-quality-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SIGMA_TO_FWHM = 2 * Math.sqrt(2 * Math.LN2);
const HFR_PER_SIGMA = Math.sqrt(2 * Math.LN2); // radius enclosing half the flux of a 2-D Gaussian
const DEFAULTS = Object.fromEntries(Object.entries(agent.settings!).map(([k, s]) => [k, s.default!]));
const FILE16 = { bitDepth: 16, format: 'fits', frameType: 'light', acquisition: { pixelSizeUm: 3.76, focalLengthMm: 400 } };

async function run(path: string, o: { facts?: Record<string, unknown>; settings?: Record<string, number>; signal?: AbortSignal } = {}) {
  const ctx = await createTestContext({ localPath: path, stage: 'describe', facts: { file: FILE16, ...o.facts } as Record<string, Facts>, settings: { ...DEFAULTS, ...o.settings }, signal: o.signal, readPixels: (p, r) => readPixels(p, { maxPixels: r?.maxPixels }) });
  const result = await agent.run(ctx);
  return { facts: result.facts as unknown as StarQualityFacts, warnings: result.warnings ?? [] };
}

function write(name: string, o: StarFieldOptions, extra: Record<string, string | number> = {}, transform = (f: ReturnType<typeof starField>) => f) {
  const path = join(dir, name);
  writeFileSync(path, fits16(transform(starField(o)), { IMAGETYP: 'Light Frame', ...extra }));
  return path;
}

const near = (actual: number | null, expected: number, tolerance: number, what: string) => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
};

test('round stars: count, FWHM, HFR, eccentricity, background and noise match the synthetic truth', async () => {
  const sigma = 1.7;
  const path = write('round.fits', { width: 800, height: 600, stars: 150, sigmaX: sigma, background: 0.08, noise: 0.004, seed: 3 });
  const { facts, warnings } = await run(path);
  assert.equal(facts.starCount, 150);
  assert.ok(facts.measuredStars >= 140, `measured ${facts.measuredStars}`);
  near(facts.medianFwhm, SIGMA_TO_FWHM * sigma, 0.03 * SIGMA_TO_FWHM * sigma, 'FWHM (px)');
  near(facts.medianHfr, HFR_PER_SIGMA * sigma, 0.05 * HFR_PER_SIGMA * sigma, 'HFR (px)');
  assert.ok(facts.medianEccentricity! < 0.3, `round stars have a small eccentricity: ${facts.medianEccentricity}`);
  assert.equal(facts.shape, 'round');
  near(facts.backgroundAdu, 0.08 * 65535, 0.005 * 0.08 * 65535, 'background (ADU)');
  near(facts.noiseAdu, 0.004 * 65535, 0.08 * 0.004 * 65535, 'noise (ADU)');
  // the header's pixel size and focal length give the scale: 206.265 × 3.76 / 400
  assert.equal(facts.scaleSource, 'header');
  near(facts.pixelScaleArcsec, 1.9389, 0.0001, 'pixel scale');
  near(facts.medianFwhmArcsec, facts.medianFwhm! * 1.9389, 0.01, 'FWHM (arcsec)');
  assert.deepEqual(warnings, []);
  assert.ok(agent.factsSchema, 'the agent declares its facts schema');

  // a plate solution wins over the header's optics
  const solved = await run(path, { facts: { platesolve: { solved: true, pixelScaleArcsec: 1.2 } } });
  assert.equal(solved.facts.scaleSource, 'platesolve');
  near(solved.facts.medianFwhmArcsec, solved.facts.medianFwhm! * 1.2, 0.01, 'FWHM (arcsec) from the solution');
});

test('elongated stars: eccentricity and orientation-independent FWHM match the truth; the shape is "trailed"', async () => {
  const [a, b] = [2.4, 1.5];
  const path = write('trailed.fits', { width: 800, height: 600, stars: 150, sigmaX: a, sigmaY: b, angleDeg: 30, background: 0.08, noise: 0.004, seed: 4 });
  const { facts } = await run(path);
  near(facts.medianEccentricity, Math.sqrt(1 - (b * b) / (a * a)), 0.03, 'eccentricity');
  near(facts.medianFwhm, (SIGMA_TO_FWHM * (a + b)) / 2, 0.03 * SIGMA_TO_FWHM * a, 'FWHM');
  assert.equal(facts.shape, 'trailed');
});

test('hot pixels are not stars; saturated stars are counted but left out of the medians', async () => {
  const sigma = 1.5;
  const path = write('hot.fits', { width: 800, height: 600, stars: 100, sigmaX: sigma, background: 0.05, noise: 0.003, hotPixels: 300, saturatedStars: 20, seed: 5 });
  const { facts } = await run(path);
  assert.ok(facts.starCount >= 110 && facts.starCount <= 120, `100 stars + 20 saturated, no hot pixels: ${facts.starCount}`);
  assert.ok(facts.hotPixels >= 250, `hot pixels recognised: ${facts.hotPixels}`);
  assert.ok(facts.saturatedStars >= 15, `saturated stars: ${facts.saturatedStars}`);
  near(facts.medianFwhm, SIGMA_TO_FWHM * sigma, 0.03 * SIGMA_TO_FWHM * sigma, 'FWHM without the saturated stars');
});

test('a one-shot-colour (Bayer) frame is measured in super-pixels and reported in sensor pixels', async () => {
  const sigma = 2;
  const path = write('osc.fits', { width: 800, height: 600, stars: 150, sigmaX: sigma, background: 0.08, noise: 0.004, seed: 7 }, { BAYERPAT: 'RGGB' }, (f) => mosaic(f));
  const { facts } = await run(path);
  assert.equal(facts.measuredOn.pixelScale, 2, 'measured on 2×2 super-pixels');
  assert.equal(facts.measuredOn.width, 400);
  near(facts.medianFwhm, SIGMA_TO_FWHM * sigma, 0.04 * SIGMA_TO_FWHM * sigma, 'FWHM in sensor pixels');
  assert.ok(facts.starCount >= 145 && facts.starCount <= 150, `stars: ${facts.starCount}`);
});

test('a frame binned by the reader (pixel budget) gives the same FWHM in sensor pixels', async () => {
  const sigma = 2.2;
  const path = write('big.fits', { width: 1200, height: 900, stars: 200, sigmaX: sigma, background: 0.06, noise: 0.003, seed: 8 });
  const full = await run(path);
  const binned = await run(path, { settings: { maxMegapixels: 0.3 } });
  assert.equal(full.facts.measuredOn.pixelScale, 1);
  assert.equal(binned.facts.measuredOn.pixelScale, 2, 'the reader binned 2×2');
  near(full.facts.medianFwhm, SIGMA_TO_FWHM * sigma, 0.03 * SIGMA_TO_FWHM * sigma, 'full-size FWHM');
  near(binned.facts.medianFwhm, SIGMA_TO_FWHM * sigma, 0.06 * SIGMA_TO_FWHM * sigma, 'binned FWHM');
  near(binned.facts.noiseAdu, full.facts.noiseAdu!, 0.15 * full.facts.noiseAdu!, 'noise per sensor pixel');
});

test('a stricter detection threshold finds fewer stars on a real frame (INDI CCD simulator)', corpus, async () => {
  const path = join(TESTDATA, 'fits-headers/stellarsolver-randomsky.fits');
  const loose = await run(path);
  const strict = await run(path, { settings: { detectionSigma: 20 } });
  assert.ok(loose.facts.starCount >= 50, `stars at 5 sigma: ${loose.facts.starCount}`);
  assert.ok(strict.facts.starCount < loose.facts.starCount, `${strict.facts.starCount} < ${loose.facts.starCount}`);
  assert.ok(loose.facts.measuredStars >= 40);
  assert.ok(loose.facts.medianFwhm! > 1.5 && loose.facts.medianFwhm! < 10, `plausible FWHM: ${loose.facts.medianFwhm}`);
  assert.ok(loose.facts.background! > 0 && loose.facts.noise! > 0);
  // deterministic: the same file gives the same facts
  assert.deepEqual((await run(path)).facts, loose.facts);
});

test('real frames with undersampled stars (2MASS, star tracker) are measured from their cores', corpus, async () => {
  for (const f of ['platesolve/astropy-gc_2mass_j.fits', 'platesolve/tetra3-2019-07-29T204726_Alt60_Azi45_Try1.tiff']) {
    const { facts, warnings } = await run(join(TESTDATA, f), { facts: { file: { bitDepth: 16 } } });
    assert.ok(facts.measuredStars >= 100, `${f}: measured ${facts.measuredStars} of ${facts.starCount}`);
    assert.ok(facts.medianFwhm! > 0.8 && facts.medianFwhm! < 4, `${f}: FWHM ${facts.medianFwhm}`);
    if (f.endsWith('.tiff')) assert.match(warnings.join(' '), /stretched/, 'a non-linear image is flagged');
  }
});

test('the run stops when its signal is aborted, and a tiny image is skipped', async () => {
  const path = write('abort.fits', { width: 800, height: 600, stars: 100, sigmaX: 1.5, background: 0.05, noise: 0.003, seed: 10 });
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(run(path, { signal: controller.signal }), /stop/);
  const tiny = write('tiny.fits', { width: 16, height: 16, stars: 0, sigmaX: 1, background: 0.05, noise: 0.003 });
  await assert.rejects(run(tiny), (err: Error) => err instanceof AgentSkip && /too small/.test(err.message));
});
