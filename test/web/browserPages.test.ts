// Every main page in a real headless Chromium (Debian's, through playwright-core)
// at phone width (390 px) and desktop width (1280 px): no page scrolls sideways
// on a phone, every page passes axe-core with no serious or critical
// violation, careful actions ask for confirmation (without JavaScript too),
// the gallery's "not solved" filter, and failed agents shown as failed.
// Screenshots of every page at both widths go to test-artifacts/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { launchChromium, watchPage, axeViolations } from './browserKit.ts';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN, BrowserSession, createUser, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages, type SeedSpec } from './seedImages.ts';
import { Stitcher } from '../../daemon/catalog/stitching/Stitcher.ts';
import { log } from '../../daemon/log.ts';

declare const document: any;
declare const window: any;

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = resolve(ROOT, 'test-artifacts/screenshots');

let w: WebDaemon;
let browser: Browser;
let phone: BrowserContext;
let desktop: BrowserContext;
let specs: SeedSpec[];
const problems: string[] = [];

const facts = (s: SeedSpec, agent: string) => s.results.find((r) => r.agent === agent && r.status === 'done')?.facts as any;

const watch = (p: Page) => watchPage(p, problems);

async function login(ctx: BrowserContext) {
  const p = await ctx.newPage();
  watch(p);
  await p.goto(`${w.url}/login`);
  await p.fill('#username', ADMIN.username);
  await p.fill('#password', ADMIN.password);
  await p.click('button[type=submit]');
  await p.waitForURL(`${w.url}/`);
  return p;
}

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  // web only: the seeded images have no files, so nothing must process them again
  w = await startWebDaemon({ roles: ['web'], builtinAgents: ['file', 'preview'] });
  specs = await seedImages(w.db.pool, { count: 60, seed: 23, derived: w.daemon.derived });
  browser = await launchChromium();
  phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await login(phone);
  await login(desktop);
});
after(async () => {
  await browser?.close();
  await w?.stop();
});

/** The pages a user walks through, with an example of each. */
async function mainPages(): Promise<[string, string][]> {
  const solved = specs.find((s) => facts(s, 'platesolve') && (facts(s, 'objects')?.objects ?? []).length > 1)!;
  const target = specs.find((s) => s.target)!.target!;
  const equipment = (await w.getJson('/api/v1/equipment?type=camera')).items[0];
  return [
    ['/', 'gallery'],
    ['/?solved=false', 'gallery-unsolved'],
    [`/images/${solved.id}`, 'image'],
    [`/images/${unsolvedSpec().id}`, 'image-unsolved'],
    ['/targets', 'targets'],
    [`/targets/${encodeURIComponent(target.id)}`, 'target'],
    ['/objects?q=NGC%2070', 'objects'],
    ['/equipment', 'equipment'],
    [`/equipment/${equipment.id}`, 'equipment-item'],
    ['/equipment/new', 'equipment-new'],
    ['/sky', 'sky-map'],
    ['/upload', 'upload'],
    ['/account', 'account'],
    ['/admin', 'admin-system'],
    ['/admin/agents', 'admin-agents'],
    ['/admin/queue', 'admin-queue'],
    ['/admin/users', 'admin-users'],
    ['/admin/tokens', 'admin-tokens'],
    ['/api/docs', 'api-docs'],
  ];
}

function unsolvedSpec(): SeedSpec {
  const s = specs.find((x) => x.target && x.results.some((r) => r.agent === 'platesolve' && r.status === 'failed'));
  assert.ok(s, 'the seeded library has an image whose plate solve failed');
  return s;
}

const axe = axeViolations;

test('every main page fits a 390 px phone (no sideways scrolling) and passes axe-core', async () => {
  const p = await phone.newPage();
  watch(p);
  const failures: string[] = [];
  for (const [path, name] of await mainPages()) {
    const res = await p.goto(w.url + path);
    assert.equal(res?.status(), 200, path);
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) {
      const wide = await p.evaluate(() =>
        [...document.querySelectorAll('body *')].filter((e: any) => e.getBoundingClientRect().right > 391).slice(0, 3).map((e: any) => `${e.tagName.toLowerCase()}.${e.className}`),
      );
      failures.push(`${path}: ${width} px wide (${wide.join(', ')})`);
    }
    for (const v of await axe(p)) failures.push(`${path}: ${v}`);
    await p.screenshot({ path: resolve(SHOTS, `phone-${name}.png`), fullPage: true });
  }
  await p.close();
  assert.deepEqual(failures, []);
});

test('desktop (1280 px): no sideways scrolling, axe-core passes, screenshots', async () => {
  const p = await desktop.newPage();
  watch(p);
  const failures: string[] = [];
  for (const [path, name] of await mainPages()) {
    await p.goto(w.url + path);
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    if (width > 1280) failures.push(`${path}: ${width} px wide`);
    for (const v of await axe(p)) failures.push(`${path}: ${v}`);
    await p.screenshot({ path: resolve(SHOTS, `desktop-${name}.png`), fullPage: name !== 'objects' && name !== 'api-docs' });
  }
  // the login page, logged out
  const out = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const lp = await out.newPage();
  await lp.goto(`${w.url}/login`);
  for (const v of await axe(lp)) failures.push(`/login: ${v}`);
  assert.ok((await lp.evaluate(() => document.documentElement.scrollWidth)) <= 390);
  await out.close();
  await p.close();
  assert.deepEqual(failures, []);
});

test('keyboard: the first Tab reaches a skip link that moves focus to the content', async () => {
  const p = await desktop.newPage();
  await p.goto(`${w.url}/targets`);
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.className), 'skip-link');
  assert.ok(await p.locator('.skip-link').isVisible(), 'visible when focused');
  await p.keyboard.press('Enter');
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'main');
  await p.close();
});

test('phone: the gallery filters fold away behind a button that works without JavaScript', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false, storageState: await phone.storageState() });
  const p = await ctx.newPage();
  await p.goto(`${w.url}/`);
  assert.equal(await p.locator('#filters').isVisible(), false, 'folded');
  await p.click('label.filters-toggle');
  assert.equal(await p.locator('#filters').isVisible(), true, 'unfolded');
  await p.screenshot({ path: resolve(SHOTS, 'phone-gallery-filters-open.png'), fullPage: false });
  await ctx.close();
  const d = await desktop.newPage();
  await d.goto(`${w.url}/`);
  assert.equal(await d.locator('#filters').isVisible(), true, 'always shown on a desktop');
  assert.equal(await d.locator('label.filters-toggle').isVisible(), false);
  await d.close();
});

test('the gallery filters solved / not solved; unsolved cards carry a badge', async () => {
  const p = await desktop.newPage();
  await p.goto(`${w.url}/?view=frames`); // one card per file
  await p.selectOption('#f-solved', 'false');
  await p.waitForURL(/solved=false/);
  const api = await w.getJson('/api/v1/images?solved=false&limit=200');
  await p.waitForFunction((n) => document.querySelectorAll('#results .card').length === n, Math.min(api.total, 50));
  assert.ok(api.total > 0);
  const cards = await p.locator('#results .card').count();
  // every card of a light, master or stack says "not solved"
  const badges = await p.locator('#results .card .badge.unsolved').count();
  const calib = await p.locator('#results .card .badge.frame').allTextContents();
  assert.equal(badges, cards - calib.filter((t) => !['master', 'processed'].includes(t)).length);
  await p.selectOption('#f-solved', 'true');
  await p.waitForURL(/solved=true/);
  await p.waitForFunction(() => document.querySelectorAll('#results .card .badge.unsolved').length === 0 && document.querySelectorAll('#results .card').length > 0);
  await p.close();
});

test('integration filters accept any minutes (0.1 h = 6 min)', async () => {
  const p = await desktop.newPage();
  await p.goto(`${w.url}/?view=frames`); // one card per file
  await p.fill('#f-imin', '0.1');
  assert.equal(await p.$eval('#f-imin', (i: any) => i.checkValidity()), true, 'no step mismatch');
  await p.click('#filters button[type=submit]');
  await p.waitForURL(/integrationMinH=0\.1/);
  const api = await w.getJson('/api/v1/images?integrationMin=360&limit=1');
  await p.waitForFunction((n) => (document.querySelector('.results-head')?.textContent ?? '').includes(`of ${n} image`), api.total);
  await p.close();
});

test('an unsolved image says so with its reason; a permanently failed agent shows as failed', async () => {
  const s = unsolvedSpec();
  const p = await desktop.newPage();
  await p.goto(`${w.url}/images/${s.id}`);
  const callout = p.locator('[data-solve]');
  assert.match((await callout.textContent()) ?? '', /Not plate-solved\. No solution: too few stars matched\./);
  assert.match((await p.locator('[data-solve-reason]').textContent()) ?? '', /Not solved: no solution: too few stars matched/);
  const row = p.locator('#agents-table tr[data-agent="platesolve"]');
  assert.equal(await row.getAttribute('data-status'), 'failed');
  assert.equal((await row.locator('.badge').textContent())?.trim(), 'failed');
  await p.close();
});

test('a preview agent that failed for good: "failed" on the image page and the card, not "No preview yet"', async () => {
  const s = specs.find((x) => x.target && !x.results.some((r) => r.agent === 'preview'))!;
  await w.db.pool.query(sql.unsafe`
    insert into image_results (image_id, agent, stage, agent_version, input_hash, status, facts, error, attempts, runs, started_at, finished_at, duration_ms)
    values (${s.id}, 'preview', 'render', '1', 'seed', 'failed', null, 'unsupported pixel format', 3, 3, now(), now(), 40)`);
  await new Stitcher({ db: w.db.pool, log }).stitch(s.id);
  await w.db.pool.query(sql.unsafe`delete from derived_files where image_id = ${s.id}`);
  await new Stitcher({ db: w.db.pool, log }).stitch(s.id);
  const p = await desktop.newPage();
  await p.goto(`${w.url}/images/${s.id}`);
  assert.match((await p.textContent('[data-agent-failed="preview"]')) ?? '', /The preview agent failed\. Unsupported pixel format\./);
  assert.equal(await p.getAttribute('#agents-table tr[data-agent="preview"]', 'data-status'), 'failed');
  assert.match((await p.textContent('.no-preview')) ?? '', /the preview agent failed/);
  await p.goto(`${w.url}/?frameType=all&limit=200&view=frames`);
  const card = p.locator(`#results .card a[href*="${s.id}"]`);
  assert.match((await card.textContent()) ?? '', /agent failed/);
  assert.match((await card.locator('.noimg').textContent()) ?? '', /no preview\s*unsupported pixel format/);
  await p.close();
});

test('merging equipment: the target is chosen, then confirmed on a page of its own (no JavaScript needed)', async () => {
  const a = await w.api('/api/v1/equipment', { method: 'POST', json: { type: 'filter', name: 'Baader Ha 7nm', aliases: ['Ha7'] } }).then((r) => r.json());
  const b = await w.api('/api/v1/equipment', { method: 'POST', json: { type: 'filter', name: 'Baader H-alpha 7 nm', aliases: [] } }).then((r) => r.json());
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false, storageState: await phone.storageState() });
  const p = await ctx.newPage();
  await p.goto(`${w.url}/equipment/${a.id}`);
  assert.equal(await p.inputValue('#m-into'), '', 'nothing chosen by default');
  await p.selectOption('#m-into', b.id);
  await p.click('form[action$="/merge"] button[type=submit]');
  await p.waitForSelector('#confirm-title');
  assert.match((await p.textContent('#confirm-title')) ?? '', /Merge “Baader Ha 7nm” into “Baader H-alpha 7 nm”\?/);
  assert.equal((await w.api(`/api/v1/equipment/${a.id}`)).status, 200, 'nothing merged before confirming');
  assert.ok((await p.evaluate(() => document.documentElement.scrollWidth)) <= 390);
  await p.screenshot({ path: resolve(SHOTS, 'phone-confirm-merge.png'), fullPage: true });
  // cancel goes back; confirming merges
  await p.click('a:text("Cancel")');
  await p.waitForURL(`${w.url}/equipment/${a.id}`);
  await p.selectOption('#m-into', b.id);
  await p.click('form[action$="/merge"] button[type=submit]');
  await p.click('#confirm-title >> xpath=.. >> button[type=submit]');
  await p.waitForURL(`${w.url}/equipment/${b.id}?notice=merged`);
  assert.equal((await w.api(`/api/v1/equipment/${a.id}`)).status, 404);
  const kept = await w.getJson(`/api/v1/equipment/${b.id}`);
  assert.ok(kept.aliases.includes('Ha7'));
  await ctx.close();
});

test('deleting equipment and users asks first; a plain POST without confirm deletes nothing', async () => {
  const item = await w.api('/api/v1/equipment', { method: 'POST', json: { type: 'accessory', name: 'Spare focuser' } }).then((r) => r.json());
  const b = new BrowserSession(w.url);
  await b.login(ADMIN.username, ADMIN.password);
  await b.get(`/equipment/${item.id}`);
  const ask = await b.post(`/equipment/${item.id}/delete`, {});
  assert.equal(ask.res.status, 200);
  assert.match(ask.text, /Delete “Spare focuser”\?/);
  assert.equal((await w.api(`/api/v1/equipment/${item.id}`)).status, 200, 'still there');
  const done = await b.post(`/equipment/${item.id}/delete`, { confirm: 'yes' });
  assert.equal(done.res.status, 303);
  assert.equal((await w.api(`/api/v1/equipment/${item.id}`)).status, 404);

  const m = await createUser(w, 'to-be-deleted', 'member');
  await b.get('/admin/users');
  const askUser = await b.post(`/admin/users/${m.id}`, { action: 'delete' });
  assert.match(askUser.text, /Delete the user “to-be-deleted”\?/);
  assert.equal((await w.api(`/api/v1/users/${m.id}`)).status, 200, 'not deleted before confirming');
  const me = await w.getJson('/api/v1/me').catch(() => null);
  if (me?.id) {
    const askSelf = await b.post(`/admin/users/${me.id}`, { action: 'delete' });
    assert.match(askSelf.text, /Delete your own account “admin”\?/);
  }
  const deleted = await b.post(`/admin/users/${m.id}`, { action: 'delete', confirm: 'yes' });
  assert.equal(deleted.res.status, 303);
  assert.equal((await w.api(`/api/v1/users/${m.id}`)).status, 404);
});

test('an equipment rename shows on the cards (the register name, not the header value)', async () => {
  const scope = await w.getJson('/api/v1/equipment?type=telescope');
  const fra = scope.items.find((e: any) => e.aliases.includes('FRA400'));
  assert.ok(fra, 'the seeded telescope FRA400 is in the register');
  const res = await w.api(`/api/v1/equipment/${fra.id}`, { method: 'PATCH', json: { name: 'Askar FRA400 quintuplet' } });
  assert.equal(res.status, 200);
  // the rename made its images due; stitch them as the processing loop would
  // (this daemon serves the web only: the seeded images have no files to read)
  const stitcher = new Stitcher({ db: w.db.pool, log });
  for (const s of specs) await stitcher.stitch(s.id);
  const p = await desktop.newPage();
  await p.goto(`${w.url}/?telescope=${fra.id}`);
  const gear = await p.locator('#results .card .meta.gear').allTextContents();
  assert.ok(gear.length > 0);
  for (const g of gear) assert.match(g, /Askar FRA400 quintuplet/);
  await p.close();
});

test('calibration links say what they are; a calibration frame lists the lights it calibrates', async () => {
  const Link = z.object({ light_id: z.string(), calib_id: z.string() });
  const link = await w.db.pool.maybeOne(sql.type(Link)`select light_id, calib_id from image_calibration limit 1`);
  assert.ok(link, 'the seeded library links a calibration frame to a light');
  const p = await desktop.newPage();
  await p.goto(`${w.url}/images/${link.light_id}`);
  const item = p.locator(`[data-calibration] a[href="/images/${link.calib_id}"]`);
  const text = (await item.textContent()) ?? '';
  assert.match(text, /dark|flat|bias/);
  assert.match(text, /s|°C/, `exposure or temperature: ${text}`);
  await p.goto(`${w.url}/images/${link.calib_id}`);
  assert.match((await p.locator('[data-calibrates]').textContent()) ?? '', /./);
  assert.equal(await p.locator(`[data-calibrates] a[href="/images/${link.light_id}"]`).count(), 1);
  await p.screenshot({ path: resolve(SHOTS, 'desktop-calibration-frame.png'), fullPage: true });
  await p.close();
});

test('agent settings have labels and help text, not camelCase keys', async () => {
  const p = await desktop.newPage();
  await p.goto(`${w.url}/admin/agents`);
  await p.click('#agent-preview summary');
  // the agent's own title and description (FieldSchema.title), not the key
  assert.equal((await p.textContent('label[for="s-preview-thumbnailSize"]'))?.trim(), 'Thumbnail size (pixels)');
  assert.match((await p.textContent('#s-preview-thumbnailSize-help')) ?? '', /^Long side of the gallery thumbnails\. From 64 to 1024\. Default: 400\./);
  assert.equal((await p.textContent('label[for="s-preview-debayer"]'))?.trim(), 'Debayering');
  assert.equal(await p.getAttribute('#s-preview-thumbnailSize', 'aria-describedby'), 's-preview-thumbnailSize-help');
  assert.equal(await p.getAttribute('#s-preview-thumbnailSize', 'min'), '64', 'attributes are written as attributes, not escaped text');
  assert.equal(await p.getAttribute('#s-preview-thumbnailSize', 'type'), 'number');
  assert.equal(await p.getAttribute('.subnav a[href="/admin/agents"]', 'class'), 'active');
  await p.locator('#agent-preview').screenshot({ path: resolve(SHOTS, 'desktop-agent-settings.png') });
  await p.close();
});

test('queue counts add up to the total', async () => {
  const p = await desktop.newPage();
  await p.goto(`${w.url}/admin/queue`);
  const n = async (k: string) => Number(((await p.locator(`[data-count="${k}"]`).first().textContent()) ?? '').replace(/\s/g, ''));
  const parts = await Promise.all(['due', 'in_progress', 'waiting', 'failed', 'done'].map(n));
  assert.equal(parts.reduce((a, b) => a + b, 0), await n('total'));
  await p.close();
});

test('no Content-Security-Policy violation or script error on any page', () => {
  assert.deepEqual(problems, []);
});
