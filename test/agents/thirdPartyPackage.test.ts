// The owner's test of success: a user-contributed agent added without
// touching the core. The example package (examples/star-quality) and the SDK
// are packed with `npm pack` and installed with `npm install` into a folder
// outside the repository, as a user would; a running Sidereal is given that
// folder in SIDEREAL_AGENTS (configuration only). Its facts appear in the API
// record and on the image page, the gallery filters by its searchable fields,
// and an admin's settings change makes its results due again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '../helpers/daemon.ts';
import { ADMIN, BrowserSession, startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { fits16, starField } from '../../examples/star-quality/test/synthetic.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SIGMA_TO_FWHM = 2 * Math.sqrt(2 * Math.LN2);
const work = mkdtempSync(join(tmpdir(), 'sidereal-thirdparty-'));
let t: WebDaemon;
let agentFolder: string;

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
}

before(async () => {
  // 1. the author publishes: pack the SDK and the agent
  npm(['pack', '--pack-destination', work, './agents/sdk', './examples/star-quality'], ROOT);
  // 2. the user installs the agent into a folder of their own (offline: nothing comes from a registry)
  const plugins = join(work, 'plugins');
  mkdirSync(plugins);
  writeFileSync(join(plugins, 'package.json'), JSON.stringify({ name: 'my-sidereal-agents', private: true }));
  npm(['install', '--offline', '--ignore-scripts', '../sidereal-agent-sdk-1.0.0.tgz', '../sidereal-agent-star-quality-1.0.0.tgz'], plugins);
  agentFolder = join(plugins, 'node_modules/sidereal-agent-star-quality');
  // 3. and lists it in the configuration
  t = await startWebDaemon({ builtinAgents: ['file'], env: { SIDEREAL_AGENTS: agentFolder } });
});
after(async () => {
  await t?.stop();
  rmSync(work, { recursive: true, force: true });
});

const header = { IMAGETYP: 'Light Frame', EXPTIME: 120, XPIXSZ: 3.76, FOCALLEN: 400, INSTRUME: 'Test Camera' };
const SCALE = (206.265 * 3.76) / 400;

async function images(query = '') {
  const res = await t.api(`/api/v1/images?frameType=all&limit=200${query}`);
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.items as any[];
}
const byName = (items: any[], name: string) => items.find((i) => i.fileName === name);
const agentOf = (img: any) => img?.agents?.find((a: any) => a.name === 'star-quality');

test('an agent installed from npm by configuration only processes images; its facts are in the API, on the image page and searchable', async () => {
  const agents = await (await t.api('/api/v1/agents')).json();
  const listed = agents.items.find((a: any) => a.name === 'star-quality');
  assert.ok(listed, `star-quality is loaded: ${JSON.stringify(agents.failures)}`);
  assert.equal(listed.builtin, false);
  assert.equal(listed.version, '1.0.0');
  assert.equal(listed.source, agentFolder);
  assert.deepEqual(agents.failures, []);

  writeFileSync(join(t.library, 'Light_round_0001.fits'), fits16(starField({ width: 640, height: 480, stars: 120, sigmaX: 1.6, background: 0.06, noise: 0.003, seed: 21 }), header));
  writeFileSync(join(t.library, 'Light_trailed_0001.fits'), fits16(starField({ width: 640, height: 480, stars: 120, sigmaX: 2.6, sigmaY: 1.4, angleDeg: 70, background: 0.06, noise: 0.003, seed: 22 }), header));
  writeFileSync(join(t.library, 'Dark_0001.fits'), fits16(starField({ width: 640, height: 480, stars: 0, sigmaX: 1, background: 0.02, noise: 0.002, seed: 23 }), { ...header, IMAGETYP: 'Dark Frame' }));
  // stars of every brightness, from the noise up: a stricter threshold finds fewer of them (second test)
  writeFileSync(join(t.library, 'field.fits'), fits16(starField({ width: 640, height: 480, stars: 150, sigmaX: 1.8, peak: [0.006, 0.4], background: 0.06, noise: 0.003, seed: 25 }), header));

  const all = await waitFor(
    async () => {
      const items = await images();
      const names = ['Light_round_0001.fits', 'Light_trailed_0001.fits', 'Dark_0001.fits', 'field.fits'];
      return names.every((n) => ['done', 'skipped'].includes(agentOf(byName(items, n))?.status)) ? items : null;
    },
    { what: 'star-quality to process every image', timeoutMs: 45_000, intervalMs: 250 },
  );

  // the API record carries the agent's facts under its name
  const round = byName(all, 'Light_round_0001.fits');
  const rec = await (await t.api(`/api/v1/images/${round.id}`)).json();
  const sq = rec.facts['star-quality'];
  assert.ok(Math.abs(sq.medianFwhm - SIGMA_TO_FWHM * 1.6) < 0.04 * SIGMA_TO_FWHM * 1.6, `FWHM ${sq.medianFwhm}`);
  assert.equal(sq.starCount, 120);
  assert.equal(sq.shape, 'round');
  assert.equal(sq.scaleSource, 'header');
  assert.ok(Math.abs(sq.medianFwhmArcsec - sq.medianFwhm * SCALE) < 0.01);
  assert.equal(agentOf(rec).version, '1.0.0');
  assert.equal(agentOf(rec).status, 'done');
  const trailed = byName(all, 'Light_trailed_0001.fits');
  assert.equal(trailed.facts['star-quality'].shape, 'trailed');
  // it applies to light frames only: the dark is skipped, with the reason
  const dark = byName(all, 'Dark_0001.fits');
  assert.equal(agentOf(dark).status, 'skipped');
  assert.match(agentOf(dark).error, /frame type dark/);
  assert.equal(dark.facts['star-quality'], undefined);

  // the image page shows the agent's run
  const browser = new BrowserSession(t.url);
  await browser.login(ADMIN.username, ADMIN.password);
  const page = await browser.get(`/images/${round.id}`);
  assert.equal(page.res.status, 200);
  assert.match(page.text, /star-quality/);
  // and the service gives the page its facts, labelled as the agent declares them
  const sections = t.daemon.services.agents.factSections(rec);
  const section = sections.find((s) => s.agent === 'star-quality');
  assert.ok(section, 'a section for the agent');
  const fwhmRow = section.rows.find((r) => r.path === 'medianFwhmArcsec');
  assert.equal(fwhmRow?.label, 'FWHM');
  assert.equal(fwhmRow?.unit, 'arcsec');
  // the page renders that section: its label, and the star count the record holds
  assert.match(page.text, /data-agent="star-quality"/);
  assert.match(page.text, /<dt>FWHM<\/dt>/);
  assert.match(page.text, new RegExp(`<dt>Stars</dt><dd>(<a [^>]*>)?${rec.facts['star-quality'].starCount}`));
  assert.equal(fwhmRow?.value, String(sq.medianFwhmArcsec));
  assert.equal(section.rows.find((r) => r.path === 'shape')?.filter, 'facts.star-quality.shape=round');

  // the gallery filters by the agent's searchable fields: keyword and number ranges, in the API…
  const trailedOnly = await images('&facts.star-quality.shape=trailed');
  assert.deepEqual(trailedOnly.map((i) => i.fileName), ['Light_trailed_0001.fits']);
  const sharp = await images(`&facts.star-quality.medianEccentricity.max=0.5&facts.star-quality.starCount.min=100`);
  assert.ok(sharp.some((i) => i.fileName === 'Light_round_0001.fits'));
  assert.ok(!sharp.some((i) => i.fileName === 'Light_trailed_0001.fits' || i.fileName === 'Dark_0001.fits'));
  const wide = await images(`&facts.star-quality.medianFwhm.min=${((SIGMA_TO_FWHM * 1.6 + SIGMA_TO_FWHM * 2) / 2).toFixed(2)}`);
  assert.deepEqual(wide.map((i) => i.fileName), ['Light_trailed_0001.fits']);
  // …and in the HTML gallery, which reads the same parameters
  const gallery = await browser.get('/?facts.star-quality.shape=trailed');
  assert.equal(gallery.res.status, 200);
  assert.match(gallery.text, new RegExp(`/images/${trailed.id}`));
  assert.doesNotMatch(gallery.text, new RegExp(`/images/${round.id}`));
  // the shape is an enum in the agent's factsSchema: a select, not a free-text box; other values are refused
  assert.match(gallery.text, /<select id="ff-facts-star-quality-shape" name="facts\.star-quality\.shape"><option value="">any<\/option><option value="round">round<\/option><option value="elongated">elongated<\/option><option value="trailed" selected>trailed<\/option><\/select>/);
  const square = await t.api('/api/v1/images?facts.star-quality.shape=square');
  assert.equal(square.status, 400);
  assert.match((await square.json()).detail, /must be one of round, elongated, trailed/);
  // a malformed fact filter is a 400, not a server error
  const bad = await t.api('/api/v1/images?facts.star-quality.medianFwhm.max=wide');
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).detail, /must be a number/);
});

test('an admin changing the agent\'s settings makes its results due again; the new results replace the old', async () => {
  const before = (await images()).find((i) => i.fileName === 'field.fits');
  const loose = before.facts['star-quality'];
  const res = await t.api('/api/v1/agents/star-quality', { method: 'PATCH', json: { settings: { detectionSigma: 40 } } });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal((await res.json()).settings.detectionSigma, 40);
  const after = await waitFor(
    async () => {
      const i = (await images()).find((x) => x.fileName === 'field.fits');
      return i.facts['star-quality'].starCount !== loose.starCount ? i : null;
    },
    { what: 'the new settings to be applied', timeoutMs: 30_000, intervalMs: 250 },
  );
  assert.ok(after.facts['star-quality'].starCount < loose.starCount, `${after.facts['star-quality'].starCount} < ${loose.starCount} at a stricter threshold`);
  // disabling it: new images are not measured
  await t.api('/api/v1/agents/star-quality', { method: 'PATCH', json: { enabled: false } });
  writeFileSync(join(t.library, 'Light_late_0001.fits'), fits16(starField({ width: 320, height: 240, stars: 30, sigmaX: 1.6, background: 0.06, noise: 0.003, seed: 24 }), header));
  const late = await waitFor(async () => (await images()).find((i) => i.fileName === 'Light_late_0001.fits' && i.agents.some((a: any) => a.name === 'file' && a.status === 'done')), { what: 'the late file' });
  assert.equal(agentOf(late), undefined, 'a disabled agent does not run');
});
