// Every real file of the shared test data through the engine (file, preview,
// integration agents): each becomes a record with its format, dimensions,
// frame type and normalized acquisition facts — or an error on that image
// only (the RAW files are metadata stubs without a real picture).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { waitFor } from '../helpers/daemon.ts';
import { startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { HAS_CORPUS, TESTDATA, corpus } from '../../agents/lib/formats/test-data.ts';

interface ManifestImage { file: string; format: string; width_px: number | null; height_px: number | null }
let t: WebDaemon;
let manifest: ManifestImage[];

before(async () => {
  if (!HAS_CORPUS) return;
  manifest = (JSON.parse(await readFile(join(TESTDATA, 'manifest.json'), 'utf8')) as { images: ManifestImage[] }).images;
  t = await startWebDaemon({ builtinAgents: ['file', 'preview', 'integration'] });
  for (const m of manifest) {
    const dest = join(t.library, m.file);
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(join(TESTDATA, m.file), dest);
  }
});
after(async () => {
  await t?.stop();
});

test('each real test file becomes a record with format, size and facts; a bad one fails alone', corpus, async () => {
  const all = await waitFor(async () => {
    const page = await t.getJson('/api/v1/images?frameType=all&limit=200');
    const settled = page.items.filter((i: any) => i.agents.some((a: any) => a.name === 'file') && i.agents.every((a: any) => a.status !== 'pending'));
    return settled.length === manifest.length ? page.items : null;
  }, { what: `${manifest.length} files processed`, timeoutMs: 120_000, intervalMs: 500 });
  const byPath = new Map(all.map((i: any) => [i.path, i]));
  const fileStatus = (i: any) => i.agents.find((a: any) => a.name === 'file');
  for (const m of manifest) {
    const rec: any = byPath.get(m.file);
    assert.ok(rec, `${m.file} has a record`);
    const file = fileStatus(rec);
    if (file.status !== 'done') {
      // only files without a real picture may fail, and then with a readable reason
      assert.ok(m.file.startsWith('raw/') || m.width_px === null, `${m.file} failed: ${file.error}`);
      assert.ok(file.error && file.error.length > 10, `${m.file}: a clear error`);
      continue;
    }
    const expected = ['cr2', 'cr3', 'nef', 'dng', 'raf', 'rw2'].includes(m.format) ? 'raw' : m.format;
    assert.equal(rec.format, expected, `${m.file} format`);
    if (m.width_px) {
      assert.equal(rec.width, m.width_px, `${m.file} width`);
      assert.equal(rec.height, m.height_px, `${m.file} height`);
    }
    assert.match(rec.sha256, /^[0-9a-f]{64}$/);
    assert.ok(['light', 'processed', 'master'].includes(rec.frameType), `${m.file}: ${rec.frameType}`);
  }
  // at least every FITS, XISF, TIFF and JPEG is read
  const failed = manifest.filter((m) => fileStatus(byPath.get(m.file)).status !== 'done').map((m) => basename(m.file));
  assert.ok(failed.every((f) => /\.(cr2|cr3|nef|dng|raf|rw2)$/i.test(f) || /exiftool-FITS|wcs\.fits/.test(f)), `failed: ${failed.join(', ')}`);

  // an INDI/Ekos frame: normalized acquisition facts, equipment and integration from its header
  const indi: any = byPath.get('fits-headers/stellarsolver-randomsky.fits');
  assert.equal(indi.frameType, 'light');
  assert.equal(indi.acquisition.exposureSeconds, 1);
  assert.equal(indi.acquisition.filter, 'R');
  assert.equal(indi.acquisition.gain, 50);
  assert.equal(indi.acquisition.camera, 'CCD Simulator');
  assert.equal(indi.acquisition.telescope, 'Telescope Simulator');
  assert.equal(indi.acquisition.focalLengthMm, 400);
  assert.equal(indi.acquisition.pixelSizeUm, 5.2);
  assert.equal(indi.acquisition.binning, '1x1');
  assert.ok(Math.abs(indi.acquisition.pointing.ra - 21.642) < 0.01 && Math.abs(indi.acquisition.pointing.dec - 69.2526) < 0.01);
  assert.deepEqual(indi.integration.byFilter, [{ filter: 'R', seconds: 1, frames: 1 }]);
  assert.deepEqual(indi.equipment.map((e: any) => `${e.type}:${e.name}`).sort().filter((s: string) => /^(camera|telescope|filter):/.test(s)), ['camera:CCD Simulator', 'filter:R', 'telescope:Telescope Simulator']);
  assert.ok(indi.thumbnailUrl, 'a preview of the linear frame');

  // a MaxIm DL CCD frame: the 5 s exposure and camera
  const m13: any = byPath.get('platesolve/astropy-M13_blue_0001.fits');
  assert.equal(m13.acquisition.exposureSeconds, 5);
  assert.equal(m13.acquisition.camera, 'Orion SSDSI');
  assert.equal(m13.integration.totalSeconds, 5);

  // XISF from PixInsight
  const xisf: any = byPath.get('xisf/wrenby-test.xisf');
  assert.equal(xisf.format, 'xisf');
  assert.equal(xisf.width, 8);
  assert.equal(xisf.height, 10);

  // a finished JPEG is "processed", with no integration invented
  const jpeg: any = byPath.get('platesolve/cedar-pleiades.jpg');
  assert.equal(jpeg.frameType, 'processed');
  assert.equal(jpeg.integration.totalSeconds, null);
});
