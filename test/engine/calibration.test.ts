// Frame types, calibration links, equipment from headers and integration by
// filter, end to end through the engine (record as the API returns it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { sql } from 'slonik';
import { z } from 'zod';
import { startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import { writeTinyFits } from '../helpers/library.ts';

let t: TestDaemon;
before(async () => {
  t = await startTestDaemon({ builtinAgents: ['file', 'integration'] });
});
after(async () => {
  await t?.stop();
});

const stitched = () => t.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from images`);
async function recordOf(path: string): Promise<any> {
  const id = await t.db.pool.oneFirst(sql.type(z.object({ id: z.string() }))`select id from images where path = ${path}`);
  return t.daemon.services.images.get(id);
}

test('lights are linked to matching darks, flats and biases; equipment comes from the headers', async () => {
  const lib = t.library;
  await writeTinyFits(join(lib, 'M31/Light_M31_300s_Ha_0001.fits'), 1, { exposure: 300, filter: 'Ha', imagetyp: 'Light Frame' });
  await writeTinyFits(join(lib, 'M31/Light_M31_300s_OIII_0001.fits'), 2, { exposure: 300, filter: 'OIII', imagetyp: 'Light Frame' });
  await writeTinyFits(join(lib, 'calib/Dark_300s_0001.fits'), 3, { exposure: 300, filter: 'Ha', imagetyp: 'Dark Frame' });
  await writeTinyFits(join(lib, 'calib/Dark_60s_0001.fits'), 4, { exposure: 60, filter: 'Ha', imagetyp: 'Dark Frame' });
  await writeTinyFits(join(lib, 'calib/Flat_Ha_0001.fits'), 5, { exposure: 2, filter: 'Ha', imagetyp: 'Flat Field' });
  await writeTinyFits(join(lib, 'calib/Bias_0001.fits'), 6, { exposure: 0.001, filter: 'Ha', imagetyp: 'Bias Frame' });
  await waitFor(async () => (await stitched()) === 6, { what: 'six images stitched', timeoutMs: 60_000 });
  // calibration frames arriving after a light make it due again: wait for the links to settle
  const ha = await waitFor(async () => {
    const r = await recordOf('M31/Light_M31_300s_Ha_0001.fits');
    return r.calibration.length === 3 ? r : null;
  }, { what: 'Ha light linked to dark, flat, bias', timeoutMs: 30_000 });
  const kinds = ha.calibration.map((c: { kind: string }) => c.kind).sort();
  assert.deepEqual(kinds, ['bias', 'dark', 'flat']);
  assert.equal(ha.frameType, 'light');
  assert.equal(ha.acquisition.exposureSeconds, 300);
  assert.equal(ha.acquisition.filter, 'Ha');
  assert.deepEqual(ha.integration.byFilter, [{ filter: 'Ha', seconds: 300, frames: 1 }]);
  assert.equal(ha.integration.totalSeconds, 300);
  const camera = ha.equipment.find((e: { type: string }) => e.type === 'camera');
  assert.equal(camera?.name, 'ZWO ASI2600MM Pro');

  const oiii = await waitFor(async () => {
    const r = await recordOf('M31/Light_M31_300s_OIII_0001.fits');
    return r.calibration.length >= 2 ? r : null;
  }, { what: 'OIII light linked', timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 1000)); // a wrong extra link would show up by now
  const oKinds = (await recordOf('M31/Light_M31_300s_OIII_0001.fits')).calibration.map((c: { kind: string }) => c.kind).sort();
  assert.deepEqual(oKinds, ['bias', 'dark'], 'the Ha flat does not calibrate the OIII light');
  assert.equal(oiii.equipment.find((e: { type: string }) => e.type === 'camera')?.id, camera.id, 'one camera entry, matched by alias');

  // calibration frames are hidden from the default listing but searchable
  const gallery = await t.daemon.services.images.list({});
  assert.equal(gallery.total, 2);
  const calib = await t.daemon.services.images.list({ frameType: 'dark,flat,bias' });
  assert.equal(calib.total, 4);
  const dark = await recordOf('calib/Dark_300s_0001.fits');
  assert.equal(dark.frameType, 'dark');
  assert.equal(dark.integration.totalSeconds, null, 'integration is about lights');

  // a calibration frame that goes away is unlinked from the lights
  await rm(join(lib, 'calib/Flat_Ha_0001.fits'));
  await waitFor(async () => (await recordOf('M31/Light_M31_300s_Ha_0001.fits')).calibration.length === 2, { what: 'flat unlinked', timeoutMs: 90_000 });
});
