/**
 * Giving up before any search: fields the installed catalogs cannot solve are
 * answered at once with a stable reason (`unsolvedReason`), and the recorded
 * steps show that no search ran. No wall-clock assertions (speed: bench/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wcsFromScaleRotation } from '../lib/wcs/index.ts';
import { renderStarField } from '../lib/stars/testing/renderStarField.ts';
import { testCatalog, testCatalogPath } from '../lib/stars/testing/testCatalog.ts';
import { solveImage, type SolveOutput } from './solveImage.ts';
import { estimateField, blindBudgetMs, catalogStarsAt, indexFits, MIN_MATCHED_STARS, quadSizeRangeArcsec } from './plan.ts';

const cat = testCatalog();
const catalogPath = testCatalogPath();

function assertNoSearch(res: SolveOutput): void {
  assert.equal(res.timingsMs.hinted, null, 'hinted search ran');
  assert.equal(res.timingsMs.blind, null, 'blind search ran');
  assert.equal(res.timingsMs.solveField, null, 'solve-field ran');
  assert.ok(!res.attempts.some((a) => /^sidereal-/.test(a.solver)), JSON.stringify(res.attempts));
  assert.ok(res.attempts.some((a) => a.solver === 'plan'), 'the plan step is recorded');
}

test('a 0.1° field with optics and pointing in the header is given up before any search, with the field size and the catalog limit', async () => {
  // 1000×750 px at 0.36″/px = 0.1° × 0.075°, high galactic latitude; 60 faint non-catalog stars so detection is not the limit
  const truth = wcsFromScaleRotation({ ra: 185, dec: 30, scaleArcsec: 0.36, rotationDeg: 20, parity: 'normal', width: 1000, height: 750 });
  const f = renderStarField(cat, truth, { extraStars: 60, seed: 3 });
  const res = await solveImage({
    pixels: f.image, width: 1000, height: 750, format: 'fits', catalogPath, solveField: true, timeLimitMs: 60000,
    hints: { ra: 185.01, dec: 30.01, scaleArcsec: 0.36 },
  });
  assert.equal(res.solved, false);
  assert.equal(res.unsolvedReason?.code, 'field-too-narrow');
  assert.match(res.unsolvedReason!.message, /field 0\.1\d\d° × 0\.0\d\d°/);
  assert.match(res.unsolvedReason!.message, /Tycho-2/);
  assert.match(res.unsolvedReason!.message, /at least 8/);
  assert.equal(res.reason, res.unsolvedReason!.message);
  assertNoSearch(res);
  assert.ok(res.timingsMs.detect !== null && res.timingsMs.total !== null);
});

test('the same field size is searched when the header points at a rich Milky Way field that holds enough stars', () => {
  const sparse = estimateField(cat, 0.4, 0.3, { ra: 185, dec: 30, radius: 1 });
  const rich = estimateField(cat, 0.4, 0.3, { ra: 283.8, dec: -6.3, radius: 1 }); // Scutum
  assert.equal(sparse.densityFrom, 'position');
  assert.ok(rich.density > 3 * sparse.density, `${rich.density} vs ${sparse.density}`);
  assert.equal(rich.feasible, true);
  // without a position only the richest sky is assumed (never gives up a field that could be solved somewhere)
  const anywhere = estimateField(cat, 0.4, 0.3, null);
  assert.equal(anywhere.densityFrom, 'rich-sky');
  assert.equal(anywhere.feasible, true);
  assert.equal(estimateField(cat, 0.08, 0.06, null).feasible, false);
});

/**
 * A 0.55° square field whose own patch of sky holds few catalog stars although the sky around
 * holds enough for its size (counted as the plan does: the field of the hinted scale).
 */
function poorPatch(): { ra: number; dec: number; count: number } {
  for (let dec = 20; dec <= 70; dec += 1.5) {
    for (let ra = 150; ra < 240; ra += 1.5) {
      const count = catalogStarsAt(cat, ra, dec, 0.55, 0.55);
      if (count >= 3 && count < MIN_MATCHED_STARS && estimateField(cat, 0.605, 0.605, { ra, dec, radius: 2 }).feasible) return { ra, dec, count };
    }
  }
  throw new Error('no poor patch found');
}

test('a field whose patch of sky holds too few catalog stars is given up at once, naming the field, the count and the catalog; one with enough is searched', async () => {
  const p = poorPatch();
  // 660×660 px at 3″/px = 0.55°; 80 faint non-catalog stars so that detection is not the limit
  const truth = wcsFromScaleRotation({ ra: p.ra, dec: p.dec, scaleArcsec: 3, rotationDeg: 30, parity: 'normal', width: 660, height: 660 });
  const f = renderStarField(cat, truth, { extraStars: 80, seed: 5 });
  const res = await solveImage({
    pixels: f.image, width: 660, height: 660, format: 'fits', catalogPath, solveField: true, timeLimitMs: 60000,
    hints: { ra: p.ra, dec: p.dec, scaleArcsec: 3 },
  });
  assert.equal(res.solved, false);
  assert.equal(res.unsolvedReason?.code, 'too-few-catalog-stars', JSON.stringify(res.unsolvedReason));
  assert.match(res.unsolvedReason!.message, /field 0\.550° × 0\.550° holds \d stars of Tycho-2/);
  assert.match(res.unsolvedReason!.message, /at least 8/);
  assertNoSearch(res);
  // the same field size where the sky is rich enough: searched (and solved)
  const rich = wcsFromScaleRotation({ ra: 283.8, dec: -6.3, scaleArcsec: 3, rotationDeg: 30, parity: 'normal', width: 660, height: 660 });
  assert.ok(catalogStarsAt(cat, 283.8, -6.3, 0.55, 0.55) >= MIN_MATCHED_STARS);
  const g = renderStarField(cat, rich, { extraStars: 80, seed: 5 });
  const ok = await solveImage({
    pixels: g.image, width: 660, height: 660, format: 'fits', catalogPath, solveField: false, timeLimitMs: 60000,
    hints: { ra: 283.85, dec: -6.25, scaleArcsec: 3.1 },
  });
  assert.notEqual(ok.timingsMs.hinted, null, 'searched');
  assert.equal(ok.solved, true, JSON.stringify(ok.unsolvedReason));
});

test('a blind search that runs its whole plan without a match says that no index pattern matched (no-index-match)', async () => {
  // nine stars that are no part of the sky (no catalog star rendered): every pattern looked up, none confirmed
  const truth = wcsFromScaleRotation({ ra: 40, dec: -30, scaleArcsec: 20, rotationDeg: 0, parity: 'normal', width: 800, height: 600 });
  const f = renderStarField(cat, truth, { maxMag: -5, extraStars: 9, flux10: 500000, seed: 11 });
  const res = await solveImage({ pixels: f.image, width: 800, height: 600, format: 'png', catalogPath, solveField: false, timeLimitMs: 60000 });
  assert.equal(res.solved, false);
  assert.ok((res.starsDetected ?? 0) >= 8, `detected ${res.starsDetected}`);
  assert.equal(res.unsolvedReason?.code, 'no-index-match', JSON.stringify(res.unsolvedReason));
  assert.match(res.unsolvedReason!.message, /no star pattern of the image matched the installed index files \(41\d\d–41\d\d/);
  assert.notEqual(res.timingsMs.blind, null, 'searched');
});

test('too few detected stars: no search at all, whatever the hints', async () => {
  const truth = wcsFromScaleRotation({ ra: 10, dec: 41, scaleArcsec: 3, rotationDeg: 0, parity: 'normal', width: 600, height: 400 });
  // only the five brightest catalog stars: render with a bright magnitude limit
  const f = renderStarField(cat, truth, { maxMag: 9.5, seed: 1 });
  const res = await solveImage({ pixels: f.image, width: 600, height: 400, format: 'png', catalogPath, solveField: true, timeLimitMs: 60000 });
  assert.equal(res.solved, false);
  assert.ok((res.starsDetected ?? 0) < 8, `detected ${res.starsDetected}`);
  assert.equal(res.unsolvedReason?.code, 'too-few-stars');
  assertNoSearch(res);
});

test('an interrupted solve says so (the agent turns it into a retryable failure, not a cached answer)', async () => {
  const truth = wcsFromScaleRotation({ ra: 83.8, dec: -5.4, scaleArcsec: 20, rotationDeg: 0, parity: 'normal', width: 800, height: 600 });
  const f = renderStarField(cat, truth, { seed: 2 });
  const ac = new AbortController();
  ac.abort();
  const res = await solveImage({ pixels: f.image, width: 800, height: 600, format: 'png', catalogPath, solveField: false, signal: ac.signal });
  assert.equal(res.solved, false);
  assert.equal(res.unsolvedReason?.code, 'aborted');
});

test('plausible blind budget grows with the stars and never exceeds the cap; index fit by quad size', () => {
  assert.ok(blindBudgetMs(10, 60000) < blindBudgetMs(60, 60000));
  assert.equal(blindBudgetMs(500, 60000), blindBudgetMs(80, 60000));
  assert.equal(blindBudgetMs(60, 2000), 2000);
  const i4107 = { scaleLow: 22 * 60, scaleHigh: 30 * 60 };
  assert.equal(indexFits(i4107, quadSizeRangeArcsec(1000, 750, 0.36, 0.4)), false); // 0.1° field
  assert.equal(indexFits(i4107, quadSizeRangeArcsec(1000, 750, 2, 2.2)), true); // 0.6° field
});
