// test-needs: tycho2
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describeFile, readPixels } from '../lib/formats/index.ts';
import { angularDistance, tanDeproject } from '../lib/wcs/index.ts';
import { testCatalogPath } from '../lib/stars/testing/testCatalog.ts';
import { solveImage, type SolveOutput } from './solveImage.ts';
import { HAS_CORPUS, TESTDATA, corpus } from '../lib/formats/test-data.ts';

const testdata = TESTDATA;
const catalogPath = testCatalogPath();
interface Entry {
  file: string; width_px?: number; height_px?: number;
  ra_deg?: number; dec_deg?: number; pixel_scale_arcsec?: number;
  astrometry_net_solution?: { ra_deg: number; dec_deg: number; pixel_scale_arcsec: number; rotation_up_deg_e_of_n: number; parity: string };
}
const manifest = { images: (HAS_CORPUS ? JSON.parse(readFileSync(testdata + 'manifest.json', 'utf8')).images : []) as Entry[] };
const entry = (f: string): Entry => manifest.images.find((e) => e.file === f)!;

async function load(file: string) {
  const path = testdata + file;
  const d = await describeFile(path, { fileName: file.split('/').pop()!, folderPath: '' });
  const pixels = await readPixels(path, { maxPixels: 12e6 });
  return { d, pixels, path };
}

/** Truth from the file's own WCS, else the (not independent) astrometry.net solution of the manifest. */
function truthOf(e: Entry): { ra: number; dec: number; scale: number } {
  if (e.ra_deg !== undefined) return { ra: e.ra_deg, dec: e.dec_deg!, scale: e.pixel_scale_arcsec! };
  const a = e.astrometry_net_solution!;
  return { ra: a.ra_deg, dec: a.dec_deg, scale: a.pixel_scale_arcsec };
}

function assertCorrect(res: SolveOutput, t: { ra: number; dec: number; scale: number }, what: string): void {
  assert.ok(res.solved, `${what}: unsolved (${res.reason})`);
  const fov = Math.max(res.fieldWidthDeg!, res.fieldHeightDeg!);
  const dist = angularDistance(res.ra!, res.dec!, t.ra, t.dec);
  assert.ok(dist < Math.max(1 / 60, 0.02 * fov), `${what}: centre off by ${(dist * 60).toFixed(2)}′`);
  assert.ok(Math.abs(res.pixelScaleArcsec! / t.scale - 1) < 0.02, `${what}: scale ${res.pixelScaleArcsec} vs ${t.scale}`);
}

// Real frames with hints 0.3 field away from the truth and the scale 4 % off.
const hinted = [
  'platesolve/an-apod1.jpg', 'platesolve/an-apod2.jpg', 'platesolve/an-apod3.jpg', 'platesolve/an-apod4.jpg',
  'platesolve/an-m44-1910-04-01.jpg', 'platesolve/cedar-orion_belt.jpg', 'platesolve/cedar-orion_trees.jpg',
  'platesolve/cedar-pleiades.jpg', 'platesolve/cedar-hale_bopp.jpg', 'platesolve/cedar-jan1_g90_e100ms.jpg',
  'platesolve/tetra3-2019-07-29T204726_Alt60_Azi45_Try1.tiff',
];
test('hinted built-in solves on real images agree with the known solutions', corpus, async () => {
  for (const file of hinted) {
    const e = entry(file);
    const t = truthOf(e);
    const { d, pixels } = await load(file);
    const fov = (d.width! * t.scale) / 3600;
    const [ra, dec] = tanDeproject(t.ra, t.dec, 0.3 * fov, -0.2 * fov);
    const res = await solveImage({
      pixels, cards: d.headers, width: d.width!, height: d.height!, format: d.format, catalogPath, solveField: false,
      timeLimitMs: 10000, hints: { ra, dec, scaleArcsec: t.scale * 1.04 },
    });
    assertCorrect(res, t, file);
    assert.equal(res.solver, 'sidereal-hinted', file);
    assert.equal(res.pixelConvention, 'bottom-up', file);
    // manifest rotations/parity of raster images use the displayed orientation, as ours do
    const a = e.astrometry_net_solution!;
    assert.equal(res.parity, a.parity === 'normal' ? 'normal' : 'flipped', `${file} parity`);
    assert.ok(typeof res.durationMs === "number" && res.durationMs > 0); // speed is measured in bench/platesolve.ts, not asserted
  }
});

test('header solutions are read, verified against the stars and kept in the FITS convention', corpus, async () => {
  for (const file of ['platesolve/astropy-HorseHead.fits', 'platesolve/astropy-gc_2mass_j.fits', 'fits-headers/stellarsolver-randomsky.fits']) {
    const { d, pixels } = await load(file);
    const res = await solveImage({ pixels, cards: d.headers, width: d.width!, height: d.height!, format: d.format, catalogPath, solveField: false });
    assertCorrect(res, truthOf(entry(file)), file);
    assert.match(res.solver!, /^header:/);
    assert.equal(res.pixelConvention, 'fits');
  }
  // 2MASS and the INDI simulator have enough Tycho-2 stars to verify the header with
  const { d, pixels } = await load('platesolve/astropy-gc_2mass_j.fits');
  const res = await solveImage({ pixels, cards: d.headers, width: d.width!, height: d.height!, format: d.format, catalogPath, solveField: false });
  assert.ok(res.matchedStars! >= 10, `verified with ${res.matchedStars} stars`);
});

test('a header solution contradicted by the stars is not trusted', corpus, async () => {
  const file = 'fits-headers/stellarsolver-randomsky.fits';
  const { d, pixels } = await load(file);
  // move the header's CRVAL by 2°: the stars disagree, the solver finds the right place again
  const cards = d.headers.map((c) => (c.key === 'CRVAL2' ? { ...c, value: Number(c.value) + 2 } : c));
  const res = await solveImage({ pixels, cards, width: d.width!, height: d.height!, format: d.format, catalogPath, solveField: false, hints: { radiusDeg: 4 } });
  const header = res.attempts.find((a) => a.solver === 'header');
  assert.match(header?.result ?? '', /rejected/);
  assertCorrect(res, truthOf(entry(file)), 'moved CRVAL');
  assert.equal(res.solver, 'sidereal-hinted');
  assert.equal(res.hints.position, 'CRVAL');
  assert.equal(res.hints.scale, 'CD');
});

test('no pixels and no header solution: honest unsolved with a reason', async () => {
  const res = await solveImage({ width: 1000, height: 800, cards: [{ key: 'OBJCTRA', value: '05 35 17' }], catalogPath, solveField: false });
  assert.equal(res.solved, false);
  assert.match(res.reason!, /no pixels/);
  assert.equal(res.ra, null);
});

test('narrow fields beyond the catalog stay unsolved rather than wrong', corpus, async () => {
  // 13′ SDSS field: Tycho-2 has almost no stars there
  const { d, pixels } = await load('platesolve/an-sdss.jpg');
  const res = await solveImage({
    pixels, cards: d.headers, width: d.width!, height: d.height!, format: d.format, catalogPath, solveField: false,
    timeLimitMs: 5000, hints: { ra: 134.95, dec: 45.7, scaleArcsec: 1.573 },
  });
  if (res.solved) {
    // a solution is only acceptable if it is right (approximate field centre from SDSS)
    assert.ok(Math.abs(res.pixelScaleArcsec! / 1.573 - 1) < 0.05, `scale ${res.pixelScaleArcsec}`);
  } else {
    assert.ok(res.reason && res.reason.length > 0, 'reason given');
  }
});
