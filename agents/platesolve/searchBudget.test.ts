// test-needs: tycho2
/**
 * Every built-in search of solveImage is bounded by work done (windows, hypotheses, code
 * look-ups: `workClock`), not by the clock: the same image and hints get the same searches, cut at
 * the same point, on any machine however slow or loaded (no wall-clock assertion here; speed lives
 * in bench/platesolve.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tanDeproject } from '../lib/wcs/index.ts';
import { requireTycho2Index, testCatalog, testCatalogPath } from '../lib/stars/testing/testCatalog.ts';
import { processedTestField } from './testing/processField.ts';
import { solveImage } from './solveImage.ts';

requireTycho2Index();

test('a hinted search pointed at the wrong sky is cut by its work budget, at the same point in every run', async () => {
  const f = await processedTestField(testCatalog(), 27001, 2, 5);
  const t = f.truth;
  // a header pointing far from where the picture really is, the right scale
  const [ra, dec] = tanDeproject(t.ra, t.dec, 30 * t.fovDeg, -0.2 * t.fovDeg);
  const limitMs = 3000;
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const r = await solveImage({
      pixels: f.image, cards: [], width: f.width, height: f.height, format: f.format, catalogPath: testCatalogPath(),
      timeLimitMs: limitMs, wallLimitMs: 3_600_000, solveField: false, verifyExisting: false,
      hints: { ra, dec, scaleArcsec: t.scale * 1.04 },
    });
    runs.push(r.attempts.filter((a) => a.solver === 'sidereal-hinted').map((a) => a.result));
  }
  const [first, second] = runs;
  assert.equal(first.length, 2, `the window search and the index search near the hint: ${first.join(' | ')}`);
  assert.match(first[0], /^no match in \d+ windows, work \d+ ms$/);
  assert.match(first[1], /^index quads: time limit reached .*, work \d+ ms$/, 'the index search is cut by its budget');
  const work = first.map((r) => Number(/work (\d+) ms/.exec(r)![1]));
  // the index search gets a third of what the window search left of the limit
  assert.ok(work[1] >= (limitMs - work[0]) / 3 && work[1] <= 1.05 * ((limitMs - work[0]) / 3) + 50, `work ${work[1]} ms of ${(limitMs - work[0]) / 3}`);
  assert.deepEqual(second, first, 'the same searches, cut at the same point');
});
