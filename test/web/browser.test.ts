// The web UI in a real headless Chromium (Debian's, driven by playwright-core):
// log in, filter the gallery by three criteria, open an image and toggle the
// objects overlay, edit equipment (and see a validation message), upload a
// FITS file and watch it appear enriched, and check that a member cannot
// reach admin pages or admin API calls. Screenshots of the main pages go to
// test-artifacts/screenshots/. Any Content-Security-Policy violation fails.
// test-needs: chromium
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { launchChromium } from './browserKit.ts';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN, createUser, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages, type SeedSpec } from './seedImages.ts';
import { fitsFixture } from '../helpers/fixtures.ts';

// browser globals inside page.evaluate callbacks (this file is compiled without the DOM lib)
declare const document: any;
declare const window: any;
type HTMLSelectElement = any;
type HTMLImageElement = any;

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = resolve(ROOT, 'test-artifacts/screenshots');

let w: WebDaemon;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let specs: SeedSpec[];
const problems: string[] = [];

async function shot(p: Page, name: string) {
  await p.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
}

function watch(p: Page) {
  p.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(m.text());
  });
  p.on('pageerror', (e) => problems.push(e.message));
}

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  w = await startWebDaemon({ builtinAgents: ['file', 'preview'] });
  specs = await seedImages(w.db.pool, { count: 80, seed: 11, derived: w.daemon.derived });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  watch(page);
});
after(async () => {
  await browser?.close();
  await w?.stop();
});

const facts = (s: SeedSpec, agent: string) => s.results.find((r) => r.agent === agent && r.status === 'done')?.facts as any;

test('log in through the form', async () => {
  await page.goto(`${w.url}/`);
  assert.match(page.url(), /\/login$/);
  await shot(page, '01-login');
  await page.fill('#username', ADMIN.username);
  await page.fill('#password', 'not the password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.form-error');
  assert.match(await page.textContent('.form-error') ?? '', /wrong user name or password/);
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${w.url}/`);
  await page.waitForSelector('.grid .card');
  await shot(page, '02-gallery');
});

test('filter the gallery by three criteria: htmx swaps the grid and pushes the URL', async () => {
  // a target shot from the north with a given camera, as in the seeded library
  const light = specs.find((s) => s.target && facts(s, 'objects')?.hemisphere === 'north' && facts(s, 'platesolve'))!;
  const camera = light.results[0]!.facts as any;
  const cameraName = camera.acquisition.camera as string;
  const expected = specs.filter((s) => s.target?.id === light.target!.id && facts(s, 'objects')?.hemisphere === 'north' && facts(s, 'file').acquisition.camera === cameraName);
  const before = await page.evaluate(() => (window as any).__marker = 'same page');
  assert.equal(before, 'same page');
  await page.fill('#f-target', light.target!.id);
  // suggestions come from the object catalog as you type
  await page.waitForFunction(() => document.querySelectorAll('#target-options option').length > 0);
  await page.dispatchEvent('#f-target', 'change');
  await page.waitForURL(/target=/);
  await page.selectOption('#f-hemi', 'north');
  await page.waitForURL(/hemisphere=north/);
  const cameraId = await page.$eval('#f-camera', (sel, name) => [...(sel as HTMLSelectElement).options].find((o) => o.textContent === name)!.value, cameraName);
  await page.selectOption('#f-camera', cameraId);
  await page.waitForURL(/camera=/);
  await page.waitForFunction((n) => document.querySelectorAll('#results .card').length === n, expected.length);
  assert.equal(await page.evaluate(() => (window as any).__marker), 'same page', 'no full page load: htmx swapped the results');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('target'), light.target!.id);
  assert.equal(url.searchParams.get('hemisphere'), 'north');
  assert.equal(url.searchParams.get('camera'), cameraId);
  assert.equal(url.searchParams.get('q'), null, 'empty fields are left out of the pushed URL');
  await shot(page, '03-gallery-filtered');
  // the URL is a bookmark: loading it gives the same grid without JavaScript
  const plain = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
  const p2 = await plain.newPage();
  await p2.goto(url.href);
  assert.equal(await p2.locator('#results .card').count(), expected.length);
  assert.equal(await p2.inputValue('#f-target'), light.target!.id);
  await plain.close();
});

test('open an image; the objects overlay toggles; zoom enlarges the preview', async () => {
  const withObjects = specs.find((s) => (facts(s, 'objects')?.objects ?? []).length > 1)!;
  await page.goto(`${w.url}/images/${withObjects.id}`);
  await page.waitForSelector('.stage img');
  await page.waitForFunction(() => (document.querySelector('.stage img') as HTMLImageElement).complete);
  const overlay = page.locator('svg.overlay');
  assert.ok(await overlay.isVisible());
  const labels = await page.locator('svg.overlay text').allTextContents();
  assert.ok(labels.some((l) => l.startsWith(withObjects.target!.id)), `the target is labelled: ${labels.join(', ')}`);
  // the overlay covers the preview exactly (it scales with it)
  const [img, svg] = await Promise.all([page.locator('.stage img').boundingBox(), overlay.boundingBox()]);
  assert.ok(img && svg && Math.abs(img.width - svg.width) < 1 && Math.abs(img.height - svg.height) < 1);
  await shot(page, '04-image');
  await page.uncheck('#overlay-toggle');
  assert.equal(await overlay.isVisible(), false, 'unchecked: hidden');
  await page.check('#overlay-toggle');
  assert.equal(await overlay.isVisible(), true);
  const width = img!.width;
  await page.check('#zoom-toggle');
  const zoomed = await page.locator('.stage img').boundingBox();
  assert.ok(zoomed!.width > width * 2, 'zoomed in');
  await page.uncheck('#zoom-toggle');
  // file facts and the full header are on the page
  assert.match(await page.textContent('body') ?? '', /INSTRUME/);
});

test('edit equipment: a bad form comes back with its message, a good one is saved', async () => {
  await page.goto(`${w.url}/equipment?type=telescope`);
  await shot(page, '05-equipment');
  await page.click('#equipment-list a:text-is("FRA400")');
  await page.waitForSelector('#e-name');
  const id = page.url().split('/').pop()!;
  await page.fill('#e-name', '   ');
  await page.click('form[action$="' + id + '"] button[type=submit]');
  await page.waitForSelector('.form-error');
  assert.match(await page.textContent('.form-error') ?? '', /name/);
  await page.fill('#e-name', 'Askar FRA400 f/5.6');
  await page.fill('#e-aliases', 'FRA400\nAskar 400');
  await page.click('form[action$="' + id + '"] button[type=submit]');
  await page.waitForSelector('.notice');
  assert.equal(await page.textContent('h1 >> nth=0').then((t) => t?.split('\n')[0]?.trim().startsWith('Askar FRA400 f/5.6')), true);
  const item = await (await w.api(`/api/v1/equipment/${id}`)).json();
  assert.equal(item.name, 'Askar FRA400 f/5.6');
  assert.ok(item.aliases.includes('Askar 400'));
  await shot(page, '06-equipment-item');
});

test('upload a FITS file: progress, then the image appears enriched', async () => {
  await page.goto(`${w.url}/upload`);
  await page.setInputFiles('#files', { name: 'M13_blue_0001.fits', mimeType: 'application/fits', buffer: Buffer.from(fitsFixture({ width: 640, height: 480 })) });
  await page.click('#upload-form button[type=submit]');
  await page.waitForSelector('#upload-progress li');
  const row = page.locator('.upload-status tr[data-state="done"]');
  await row.waitFor({ timeout: 60_000 });
  await page.waitForSelector('.upload-status tr[data-state="done"] img');
  await shot(page, '07-upload');
  await row.locator('a').click();
  await page.waitForSelector('.stage img');
  const text = (await page.textContent('body')) ?? '';
  assert.match(text, /M13_blue_0001\.fits/);
  assert.match(text, /fits/);
  assert.match(text, /NAXIS1/, 'the full header is shown');
  assert.ok(await page.locator('.stage img').evaluate((i) => (i as HTMLImageElement).naturalWidth > 0), 'the stretched preview loads');
});

test('uploading a file that is in the library already says so and stores nothing', async () => {
  const before = (await (await w.api('/api/v1/images?frameType=all&limit=1')).json()).total;
  await page.goto(`${w.url}/upload`);
  await page.setInputFiles('#files', { name: 'M13_blue_0001 (copy).fits', mimeType: 'application/fits', buffer: Buffer.from(fitsFixture({ width: 640, height: 480 })) });
  await page.click('#upload-form button[type=submit]');
  await page.waitForSelector('#upload-progress li');
  await page.waitForFunction(() => /already in the library/.test(document.querySelector('#upload-progress li')?.textContent ?? ''));
  const row = page.locator('.upload-status tr[data-state="done"]');
  await row.waitFor({ timeout: 60_000 });
  assert.match((await row.textContent()) ?? '', /already in the library/);
  assert.match((await page.textContent('.upload-status')) ?? '', /One file was already in the library/);
  assert.match((await row.locator('a').textContent()) ?? '', /M13_blue_0001\.fits/, 'the existing image is shown');
  const after = (await (await w.api('/api/v1/images?frameType=all&limit=1')).json()).total;
  assert.equal(after, before, 'nothing was stored again');
});

test('the other main pages render (screenshots)', async () => {
  const t = specs.find((s) => s.target)!.target!;
  for (const [path, name] of [
    [`/targets`, '08-targets'],
    [`/targets/${encodeURIComponent(t.id)}`, '09-target'],
    ['/objects?q=NGC%2070', '10-objects'],
    ['/sky', '11-sky-map'],
    ['/admin', '12-admin-system'],
    ['/admin/agents', '13-admin-agents'],
    ['/admin/queue', '14-admin-queue'],
    ['/admin/keywords', '14b-admin-keywords'],
    ['/admin/users', '15-admin-users'],
    ['/account', '16-account'],
    ['/api/docs', '17-api-docs'],
  ] as const) {
    const res = await page.goto(w.url + path);
    assert.equal(res?.status(), 200, path);
    await shot(page, name);
  }
  assert.ok((await page.locator('svg.skymap').count()) === 0 || true);
  await page.goto(`${w.url}/sky`);
  const footprints = await page.locator('svg.skymap a').count();
  assert.equal(footprints, specs.filter((s) => facts(s, 'platesolve')?.solved).length);
});

test('a member cannot reach admin pages or admin API calls', async () => {
  const m = await createUser(w, 'member', 'member', 'member-password-1');
  assert.ok(m.id);
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const p = await ctx.newPage();
  watch(p);
  await p.goto(`${w.url}/login`);
  await p.fill('#username', 'member');
  await p.fill('#password', 'member-password-1');
  await p.click('button[type=submit]');
  await p.waitForURL(`${w.url}/`);
  assert.equal(await p.locator('header nav a[href="/admin"]').count(), 0, 'no admin link');
  for (const path of ['/admin', '/admin/agents', '/admin/users']) {
    const res = await p.goto(w.url + path);
    assert.equal(res?.status(), 403, path);
  }
  await shot(p, '18-member-forbidden');
  // the API with the member's session (and its CSRF token, as htmx would send it)
  const status = await p.evaluate(async () => {
    const csrf = JSON.parse(document.body.getAttribute('hx-headers:inherited') ?? '{}')['X-CSRF-Token'];
    const get = await fetch('/api/v1/agents');
    const post = await fetch('/api/v1/agents/file/run', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: '{"scope":"all"}' });
    const users = await fetch('/api/v1/users');
    return [get.status, post.status, users.status];
  });
  assert.deepEqual(status, [403, 403, 403]);
  await ctx.close();
});

test('no Content-Security-Policy violation or script error on any page', () => {
  assert.deepEqual(problems, []);
});
