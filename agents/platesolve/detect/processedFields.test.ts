/**
 * Detection on processed pictures (stretched, star-reduced, blurred, nebulae,
 * colour noise, JPEG / palette PNG), decoded by the project's own reader:
 * the bright stars are found, nebulae are not taken for stars, and a starless
 * nebula picture is given up without a search.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { angularDistance, tanDeproject, wcsFromScaleRotation } from '../../lib/wcs/index.ts';
import { renderStarField } from '../../lib/stars/testing/renderStarField.ts';
import { processField, processedTestField, type ProcessOptions } from '../testing/processField.ts';
import { testCatalog, testCatalogPath } from '../../lib/stars/testing/testCatalog.ts';
import { solveImage } from '../solveImage.ts';
import { detectStars } from './detectStars.ts';

const cat = testCatalog();
const W = 800, H = 533;
const wcs = wcsFromScaleRotation({ ra: 316.5, dec: 44.2, scaleArcsec: 6.75, rotationDeg: 15, parity: 'normal', width: W, height: H }); // 1.5°, Cygnus

const recipes: [string, ProcessOptions][] = [
  ['nebula, MTF stretch, star reduction, blur, JPEG', { seed: 1, nebula: 8, stretch: 'mtf', skyTarget: 0.18, white: 0.3, starReduction: 0.5, blur: 0.8, colourNoise: 3, output: 'jpeg', quality: 75 }],
  ['asinh stretch, clipped cores, colour noise, 64-colour palette PNG', { seed: 2, nebula: 3, stretch: 'asinh', skyTarget: 0.12, white: 0.15, colourNoise: 5, output: 'png-palette', quality: 64 }],
];

for (const [name, recipe] of recipes) {
  test(`processed picture (${name}): the bright stars are found, few false ones`, async () => {
    const lin = renderStarField(cat, wcs, { seed: 5, fwhm: 2.6, maxMag: 12.5, flux10: 40000 });
    const p = await processField(lin.image, recipe);
    assert.equal(p.image.linear, false);
    const det = detectStars(p.image);
    const inside = lin.truth.filter((t) => t.x > 6 && t.y > 6 && t.x < W - 6 && t.y < H - 6).sort((a, b) => a.mag - b.mag);
    const bright = inside.slice(0, 40);
    const near = (x: number, y: number, list: { x: number; y: number }[], r: number): boolean => list.some((s) => Math.hypot(s.x - x, s.y - y) < r);
    const found = bright.filter((t) => near(t.x, t.y, det.stars, 1.5)).length;
    assert.ok(found >= 0.7 * bright.length, `found ${found}/${bright.length} of the brightest stars`);
    const spurious = det.stars.filter((s) => !near(s.x, s.y, lin.truth, 3)).length;
    assert.ok(spurious <= Math.max(3, 0.1 * det.stars.length), `${spurious} of ${det.stars.length} detections are not stars`);
  });
}

test('a starless nebula picture yields (almost) no stars and is given up without a search', async () => {
  const lin = renderStarField(cat, wcs, { seed: 6, maxMag: -10 });
  const p = await processField(lin.image, { seed: 7, nebula: 12, stretch: 'mtf', skyTarget: 0.2, white: 0.2, blur: 0.7, colourNoise: 4, output: 'jpeg', quality: 70 });
  const det = detectStars(p.image);
  assert.ok(det.stars.length <= 3, `${det.stars.length} false stars in a nebula`);
  const res = await solveImage({ pixels: p.image, width: W, height: H, format: p.format, catalogPath: testCatalogPath(), solveField: true });
  assert.equal(res.solved, false);
  assert.equal(res.unsolvedReason?.code, 'too-few-stars');
  assert.equal(res.timingsMs.blind, null);
  assert.equal(res.timingsMs.solveField, null);
});

test('heavy star reduction and blur on a 0.7° field: the faint survivors are searched at 5σ, and the field solves', async () => {
  // a bench field: 0.72°, 622 × 467 JPEG, MTF stretch, stars reduced by 83 % and blurred (σ 1.25 px)
  const f = await processedTestField(cat, 12004, 0.5, 1);
  assert.ok((f.recipe.starReduction ?? 0) > 0.8 && (f.recipe.blur ?? 0) > 1, JSON.stringify(f.recipe));
  const strict = detectStars(f.image, { sigma: 8 });
  const det = detectStars(f.image);
  assert.ok(strict.stars.length < 8 && det.stars.length >= 15, `${det.stars.length} stars, ${strict.stars.length} at 8σ`);
  const t = f.truth;
  const [ra, dec] = tanDeproject(t.ra, t.dec, 0.3 * t.fovDeg, -0.2 * t.fovDeg);
  const res = await solveImage({ pixels: f.image, width: f.width, height: f.height, format: f.format, catalogPath: testCatalogPath(), solveField: false, hints: { ra, dec, scaleArcsec: t.scale * 1.04 } });
  assert.ok(res.solved, String(res.reason));
  assert.ok(angularDistance(res.ra!, res.dec!, t.ra, t.dec) * 3600 < 10, 'centre');
  assert.ok(Math.abs(res.pixelScaleArcsec! / t.scale - 1) < 0.01);
});

test('a 15° field whose clipped stars are not at the image maximum and whose nebula has clipped knots: the brightest detections are the brightest stars, and it solves blind', async () => {
  // bench field processed-107007: 865 × 865 PNG, asinh stretch, white point at 14 % (clipped cores and knots)
  const f = await processedTestField(cat, 107007, 10, 20);
  const det = detectStars(f.image);
  const brightest = [...f.stars].filter((t) => t.x > 3 && t.y > 3 && t.x < f.width - 3 && t.y < f.height - 3).sort((a, b) => a.mag - b.mag).slice(0, 20);
  const top = det.stars.slice(0, 20);
  const found = brightest.filter((t) => top.some((s) => Math.hypot(s.x - t.x, s.y - t.y) < Math.max(2, 0.5 * s.fwhm))).length;
  assert.ok(found >= 12, `${found} of the 20 brightest stars among the 20 brightest detections`);
  const res = await solveImage({ pixels: f.image, width: f.width, height: f.height, format: f.format, catalogPath: testCatalogPath(), solveField: false });
  assert.ok(res.solved, String(res.unsolvedReason?.code));
  assert.ok(angularDistance(res.ra!, res.dec!, f.truth.ra, f.truth.dec) <= 0.02 * f.truth.fovDeg, 'centre');
  assert.ok(Math.abs(res.pixelScaleArcsec! / f.truth.scale - 1) <= 0.02, 'scale');
});
