/**
 * Solve once per session (agent side): the platesolve agent remembers a
 * solved sub in its cache under (night, target, optics), and the next sub of
 * that session is solved by verifying it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import fileAgent from '../file/index.ts';
import { decodeLimits, readPixels } from '../lib/formats/index.ts';
import { fitsHdu, tempDir } from '../lib/formats/test-writers.ts';
import type { FileFacts } from '../sdk/facts.ts';
import type { Facts } from '../sdk/index.ts';
import { createTestContext, memoryCache } from '../sdk/runtime.ts';
import { tanDeproject, wcsFromScaleRotation } from '../lib/wcs/index.ts';
import platesolve from './index.ts';
import { readSibling, siblingKey } from './siblingCache.ts';
import { renderStarField } from '../lib/stars/testing/renderStarField.ts';
import { testCatalog, testCatalogPath } from '../lib/stars/testing/testCatalog.ts';

const tmp = tempDir();
after(() => tmp.cleanup());
const W = 1600, H = 1100, PIXEL_UM = 3.76, FOCAL = 300, SCALE = (206.265 * PIXEL_UM) / FOCAL;
const cat = testCatalog();

function facts(o: { captured?: string | null; object?: string | null; focal?: number | null; width?: number }): Partial<FileFacts> {
  return {
    width: o.width ?? W, height: H,
    dates: { captured: o.captured === undefined ? '2026-10-14T21:00:00Z' : o.captured, created: null, modified: null },
    acquisition: { object: o.object === undefined ? 'M 101' : o.object, focalLengthMm: o.focal === undefined ? FOCAL : o.focal, pixelSizeUm: PIXEL_UM, binning: '1x1', camera: 'ASI2600MM', pointing: null } as unknown as FileFacts['acquisition'],
  };
}

test('the session key: one per night, target and optics; none when the frame does not say enough', () => {
  const k = siblingKey(facts({}));
  assert.ok(k);
  assert.equal(siblingKey(facts({ captured: '2026-10-15T03:30:00Z' })), k, 'the morning after is the same night');
  assert.equal(siblingKey(facts({ object: ' m  101 ' })), k, 'the target name is normalized');
  assert.notEqual(siblingKey(facts({ captured: '2026-10-15T21:00:00Z' })), k, 'the next night');
  assert.notEqual(siblingKey(facts({ object: 'M 51' })), k);
  assert.notEqual(siblingKey(facts({ focal: 600 })), k);
  assert.notEqual(siblingKey(facts({ width: 800 })), k);
  assert.equal(siblingKey(facts({ captured: null })), null);
  assert.equal(siblingKey(facts({ object: null })), null);
  assert.equal(siblingKey(facts({ focal: null })), null);
  assert.equal(readSibling({ ra: 1, dec: 95, scaleArcsec: 1, rotationDeg: 0, parity: 'normal' }), null);
  assert.equal(readSibling('x'), null);
});

function writeSub(name: string, ra: number, dec: number, seed: number, date: string): string {
  const wcs = wcsFromScaleRotation({ ra, dec, scaleArcsec: SCALE, rotationDeg: 41, parity: 'normal', width: W, height: H });
  const plane = renderStarField(cat, wcs, { seed, fwhm: 2.8, gradient: 200 }).image.planes[0]!;
  const data = new Int16Array(W * H);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(plane[i]! * 65535) - 32768;
  const path = tmp.path(name);
  writeFileSync(path, fitsHdu({
    bitpix: 16, axes: [W, H], data,
    cards: [['BZERO', 32768], ['IMAGETYP', 'LIGHT'], ['OBJECT', 'M 101'], ['DATE-OBS', date], ['EXPOSURE', 120], ['XPIXSZ', PIXEL_UM], ['YPIXSZ', PIXEL_UM], ['FOCALLEN', FOCAL], ['RA', ra + 0.2], ['DEC', dec - 0.1], ['INSTRUME', 'ZWO ASI2600MM Pro']],
  }));
  return path;
}

async function solve(path: string, cache: ReturnType<typeof memoryCache>) {
  const readers = { readPixels: (p: string, o?: { maxPixels?: number; limits?: { maxImagePixels?: number; maxDecodedBytes?: number } }) => readPixels(p, { maxPixels: o?.maxPixels, limits: decodeLimits(o?.limits) }) };
  const file = (await fileAgent.run(await createTestContext({ localPath: path, stage: 'read', ...readers }))).facts;
  const ctx = await createTestContext({ localPath: path, stage: 'solve', facts: { file }, cache, settings: { solveField: false, timeLimitSeconds: 60, starCatalog: testCatalogPath() }, ...readers });
  return { file: file as unknown as FileFacts, facts: (await platesolve.run(ctx)).facts as Facts & { solved: boolean; solver: string } };
}

test('the second sub of a session is solved by verifying the first one\'s solution', async () => {
  const cache = memoryCache();
  const first = await solve(writeSub('a.fits', 210.8, 54.3, 1, '2026-10-14T21:00:00'), cache);
  assert.ok(first.facts.solved);
  assert.notEqual(first.facts.solver, 'sidereal-sibling');
  const key = siblingKey(first.file);
  assert.ok(key, 'the file agent\'s facts name the session');
  assert.ok(readSibling(await cache.get(key)), 'the solution is remembered');
  const [ra2, dec2] = tanDeproject(210.8, 54.3, (10 * SCALE) / 3600, (-7 * SCALE) / 3600);
  const second = await solve(writeSub('b.fits', ra2, dec2, 2, '2026-10-14T21:03:05'), cache);
  assert.ok(second.facts.solved);
  assert.equal(second.facts.solver, 'sidereal-sibling');
  // another night: no sibling
  const other = await solve(writeSub('c.fits', ra2, dec2, 3, '2026-10-16T21:00:00'), cache);
  assert.notEqual(other.facts.solver, 'sidereal-sibling');
});
