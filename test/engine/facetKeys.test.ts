// A search by target or filter matches the `facet_keys` stitching writes
// (daemon/db/images.ts, facetKeys), end to end on the real engine: an image
// matches a target that is its own (here the user's correction) or an object
// in its field, a filter in any case, and both together; and the backfill of
// migration 0200 (for images stitched before the column existed) gives exactly
// the keys stitching writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { paths } from '../../daemon/paths.ts';
import { waitFor } from '../helpers/daemon.ts';
import type { WebDaemon } from '../web/helpers.ts';
import { frameCards, libraryDaemon, smallFrame } from './libraryKit.ts';

let w: WebDaemon;
const { call } = libraryDaemon((started) => (w = started));

const Keys = z.object({ path: z.string(), facet_keys: z.array(z.string()) });
const keysByPath = async () =>
  new Map((await w.db.pool.any(sql.type(Keys)`select path, facet_keys from images order by path`)).map((r) => [r.path, [...r.facet_keys].sort()]));
const paths_ = async (query: string) => ((await call(`/api/v1/images?${query}`)).body.items as { path: string }[]).map((i) => i.path).sort();

test('target and filter searches match the facet keys; the migration backfill gives the same keys', async () => {
  const lib = w.library;
  const pointing = (ra: number, dec: number): [string, number][] => [['RA', ra], ['DEC', dec], ['XPIXSZ', 3.76]];
  await smallFrame(join(lib, 'M31/L_0001.fits'), [...frameCards({ date: '2024-10-01T21:00:00', exposure: 300 }), ['FILTER', 'L'], ['OBJECT', 'M 31'], ...pointing(10.6847, 41.2690)]);
  await smallFrame(join(lib, 'M32/R_0001.fits'), [...frameCards({ date: '2024-10-01T22:00:00', exposure: 300 }), ['FILTER', 'R'], ['OBJECT', 'M 32'], ...pointing(10.6742, 40.8652)]);
  await smallFrame(join(lib, 'NGC7000/Ha_0001.fits'), [...frameCards({ date: '2024-10-01T23:00:00', exposure: 600 }), ['FILTER', 'Ha'], ['OBJECT', 'NGC 7000'], ...pointing(314.75, 44.33)]);
  await waitFor(async () => ((await call('/api/v1/images?limit=10')).body.total === 3 ? true : null), { what: 'three images', timeoutMs: 90_000 });
  // the user names M 110 the target of the M 31 frame: M 31 stays an object of its field
  const m31 = (await call('/api/v1/images?q=M31')).body.items.find((i: { path: string }) => i.path === 'M31/L_0001.fits');
  const edited = await w.api(`/api/v1/images/${m31.id}`, { method: 'PATCH', json: { target: 'M110' } });
  assert.equal(edited.status, 200, await edited.clone().text());
  await waitFor(async () => ((await call(`/api/v1/images/${m31.id}`)).body.target === 'M110' ? true : null), { what: 'the edit stitched', timeoutMs: 60_000 });
  assert.ok((await call(`/api/v1/images/${m31.id}`)).body.objects.some((o: { id: string }) => o.id === 'M31'));

  assert.deepEqual(await paths_('target=M110'), ['M31/L_0001.fits'], 'its target');
  assert.deepEqual(await paths_('target=M31'), ['M31/L_0001.fits'], 'an object in its field');
  assert.deepEqual(await paths_('target=Andromeda%20Galaxy'), ['M31/L_0001.fits']);
  assert.deepEqual(await paths_('target=M32'), ['M32/R_0001.fits']);
  assert.deepEqual(await paths_('filter=ha'), ['NGC7000/Ha_0001.fits'], 'a filter in any case');
  assert.deepEqual(await paths_('filter=HA&target=NGC%207000'), ['NGC7000/Ha_0001.fits']);
  assert.deepEqual(await paths_('target=M110&filter=l'), ['M31/L_0001.fits']);
  assert.deepEqual(await paths_('target=M31&filter=R'), []);
  assert.deepEqual(await paths_('filter=H%25'), [], 'a filter name is not a pattern');

  // the backfill statement of migration 0200 rebuilds what stitching wrote
  const stitched = await keysByPath();
  assert.deepEqual(stitched.get('M31/L_0001.fits'), ['filter:l', 'object:M110', 'object:M31']);
  const migration = await readFile(join(paths.migrations, '0200_facet_keys.sql'), 'utf8');
  const backfill = /^with o as[\s\S]*?;$/m.exec(migration)?.[0];
  assert.ok(backfill, 'the backfill statement of migration 0200');
  const c = new pg.Client({ connectionString: w.db.url });
  await c.connect();
  try {
    await c.query(`update images set facet_keys = '{}'`);
    await c.query(backfill);
  } finally {
    await c.end();
  }
  assert.deepEqual(await keysByPath(), stitched);
});
