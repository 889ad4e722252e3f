// The whole chain on one upload — file, preview, plate solve, objects,
// integration, description — through the real API, with a local server that
// answers in Wikipedia's page-summary format. The upload is a frame of the
// Horsehead rendered from the Tycho-2 stars with its WCS in the header.
// test-needs: tycho2
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { waitFor } from '../helpers/daemon.ts';
import { startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { skyFitsFixture } from '../helpers/fixtures.ts';

let t: WebDaemon;
let wiki: Server;
const requested: { path: string; ua: string }[] = [];

before(async () => {
  wiki = createServer((req, res) => {
    requested.push({ path: req.url ?? '', ua: String(req.headers['user-agent'] ?? '') });
    const title = decodeURIComponent((req.url ?? '').split('/').pop() ?? '').replace(/_/g, ' ');
    if (!/horse ?head|barnard 33/i.test(title)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'https://mediawiki.org/wiki/HyperSwitch/errors/not_found' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        type: 'standard',
        title: 'Horsehead Nebula',
        description: 'Dark nebula in the constellation Orion',
        extract: 'The Horsehead Nebula is a small dark nebula in the constellation Orion.',
        content_urls: { desktop: { page: 'https://en.wikipedia.org/wiki/Horsehead_Nebula' } },
      }),
    );
  });
  await new Promise<void>((r) => wiki.listen(0, '127.0.0.1', () => r()));
  const port = (wiki.address() as { port: number }).port;
  t = await startWebDaemon({
    builtinAgents: ['file', 'preview', 'platesolve', 'objects', 'integration', 'description'],
    env: { SIDEREAL_OFFLINE: 'false', SIDEREAL_WIKIPEDIA_URL: `http://127.0.0.1:${port}` },
  });
});
after(async () => {
  await t?.stop();
  wiki?.close();
});

test('an uploaded frame of the Horsehead is solved, identified, described and shown', async () => {
  // 15′ field at 1″/px around Barnard 33, like a DSS plate
  const bytes = skyFitsFixture({ ra: 85.27, dec: -2.46, scaleArcsec: 1.008, width: 891, height: 893 });
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'HorseHead.fits');
  const started = Date.now();
  const res = await t.api('/api/v1/images', { method: 'POST', body: form });
  assert.equal(res.status, 202, await res.clone().text());
  const { ids } = await res.json();
  assert.equal(ids.length, 1);

  const img = await waitFor(async () => {
    const r = await t.api(`/api/v1/images/${ids[0]}`);
    if (r.status !== 200) return null;
    const rec = await r.json();
    const names = ['file', 'preview', 'platesolve', 'objects', 'integration', 'description'];
    return names.every((n) => rec.agents.some((a: { name: string; status: string }) => a.name === n && a.status !== 'failed' && a.status !== 'pending')) ? rec : null;
  }, { what: 'all agents to finish', timeoutMs: 120_000, intervalMs: 250 });
  const seconds = (Date.now() - started) / 1000;
  assert.deepEqual(img.agents.filter((a: { status: string }) => a.status === 'failed'), []);
  // plate solve: the file's own WCS, checked against its stars
  assert.equal(img.astrometry.ra.toFixed(2), '85.27');
  assert.equal(img.astrometry.dec.toFixed(2), '-2.46');
  assert.ok(Math.abs(img.astrometry.pixelScaleArcsec - 1.008) < 0.02, `scale ${img.astrometry.pixelScaleArcsec}`);
  assert.equal(img.astrometry.solver, 'wcs-header', 'public solver name (API.md)');
  // objects, constellation, hemisphere
  assert.equal(img.location.constellation, 'Ori');
  assert.equal(img.location.hemisphere, 'south');
  const ids2 = img.objects.map((o: { id: string }) => o.id);
  assert.ok(ids2.includes('B 33'), `objects: ${ids2.join(', ')}`);
  assert.equal(img.target, 'B 33');
  // description with attribution, fetched with a proper User-Agent
  assert.equal(img.description.source, 'Wikipedia');
  assert.match(img.description.text, /Horsehead Nebula/);
  assert.equal(img.description.license, 'CC BY-SA 4.0');
  assert.ok(requested.length > 0 && requested.every((r) => /^Sidereal\//.test(r.ua)), JSON.stringify(requested));
  // preview and the facts behind the record
  assert.ok(img.thumbnailUrl && img.previewUrl);
  assert.equal((await t.api(img.previewUrl)).status, 200);
  assert.equal(img.format, 'fits');
  assert.equal(img.width, 891);
  // searchable by target, constellation and hemisphere together
  const found = await (await t.api('/api/v1/images?target=Horsehead%20Nebula&constellation=Orion&hemisphere=south')).json();
  assert.deepEqual(found.items.map((i: { id: string }) => i.id), [ids[0]]);
  const none = await (await t.api('/api/v1/images?target=M31')).json();
  assert.equal(none.total, 0);
  process.stdout.write(`# whole chain on one upload: ${seconds.toFixed(1)} s\n`);
});
