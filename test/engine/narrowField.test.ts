// A narrow-field sub (0.10° × 0.07°, optics and pointing in its header, no WCS)
// through the real engine and every built-in agent: the plate solver gives up
// before searching, with the reason (field too narrow for the installed
// catalogs), and the objects, constellation and hemisphere come from the
// header pointing, marked so. The time it takes is printed (docs/performance.md),
// not asserted.
// test-needs: tycho2
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'slonik';
import { z } from 'zod';
import { waitFor } from '../helpers/daemon.ts';
import { startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { fitsFixture } from '../helpers/fixtures.ts';

let t: WebDaemon;
const AGENTS = ['file', 'preview', 'platesolve', 'objects', 'integration', 'description'];

before(async () => {
  t = await startWebDaemon({ builtinAgents: AGENTS });
});
after(async () => {
  await t?.stop();
});

test('a 0.1° sub of M 13 with optics and pointing: unsolved with the reason, objects from the header pointing', async () => {
  // 1200 × 800 px of 3.76 µm at 2585 mm: 0.30″/px, a 0.10° × 0.067° field (a long SCT on a small sensor)
  const bytes = fitsFixture({
    width: 1200, height: 800, stars: 25, seed: 3,
    cards: [['FOCALLEN', 2585], ['RA', 250.4235], ['DEC', 36.4613], ['OBJCTRA', '16 41 41.6'], ['OBJCTDEC', '+36 27 41'], ['TELESCOP', 'C11 EdgeHD']],
  });
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'M13_narrow_0001.fits');
  const started = Date.now();
  const res = await t.api('/api/v1/images', { method: 'POST', body: form });
  assert.equal(res.status, 202, await res.clone().text());
  const { ids } = await res.json();
  const img = await waitFor(async () => {
    const r = await t.api(`/api/v1/images/${ids[0]}`);
    if (r.status !== 200) return null;
    const rec = await r.json();
    return AGENTS.every((n) => rec.agents.some((a: { name: string; status: string }) => a.name === n && a.status !== 'pending')) && rec.astrometryStatus?.state !== 'pending' ? rec : null;
  }, { what: 'every agent to finish', timeoutMs: 120_000, intervalMs: 100 });
  const seconds = (Date.now() - started) / 1000;
  assert.deepEqual(img.agents.filter((a: { status: string }) => a.status === 'failed'), []);

  // not solved, and why: the field is too narrow for the installed catalogs (no search was made)
  assert.equal(img.astrometry, null);
  assert.equal(img.astrometryStatus.state, 'unsolved');
  assert.match(img.astrometryStatus.reason, /field 0\.1\d+° × 0\.0\d+° holds about [\d.]+ stars of Tycho-2/);
  const facts = await t.db.pool.one(sql.type(z.object({ facts: z.any() }))`
    select facts from image_results where image_id = ${ids[0]} and agent = 'platesolve'`);
  assert.equal(facts.facts.unsolvedReason.code, 'field-too-narrow');
  assert.equal(facts.facts.timingsMs.hinted, null, 'given up before any search');
  assert.equal(facts.facts.timingsMs.blind, null);

  // objects, constellation and hemisphere from the header pointing, marked as such
  assert.equal(img.location.source, 'header');
  assert.equal(img.location.constellation, 'Her');
  assert.equal(img.location.hemisphere, 'north');
  const objects = img.objects.map((o: { id: string }) => o.id);
  assert.ok(objects.includes('M13'), `objects: ${objects.join(', ')}`);
  assert.ok(img.objects.every((o: { source: string }) => o.source === 'header'), JSON.stringify(img.objects));
  const steps = await t.db.pool.any(sql.type(z.object({ agent: z.string(), ms: z.number().nullable() }))`
    select agent, duration_ms as ms from image_results where image_id = ${ids[0]} order by agent`);
  process.stdout.write(`# narrow-field sub through the engine (upload to every agent done): ${seconds.toFixed(1)} s; agents (ms): ${steps.map((r) => `${r.agent} ${r.ms}`).join(', ')}\n`);
});
