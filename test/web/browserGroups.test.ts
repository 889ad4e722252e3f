// test-needs: chromium
// The session gallery in a real headless Chromium at desktop (1280 px) and
// phone (390 px) widths: the "Sessions & stacks" view with real sessions (made
// by the Stitcher from seeded subs), a session page with its subs and a target
// page with its timeline. No sideways scrolling on a phone, axe-core clean,
// no console errors; the switch and a filter work through htmx and without
// JavaScript. Screenshots go to test-artifacts/screenshots/ (groups-*.png).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Browser, type BrowserContext } from 'playwright-core';
import { SHOTS, axeViolations, launchChromium, watchPage } from './browserKit.ts';
import { ADMIN, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages } from './seedImages.ts';
import { arrangeSessions, type ArrangedSession } from './seedSessions.ts';

declare const document: any;

let w: WebDaemon;
let browser: Browser;
let planned: ArrangedSession[];
let stackId: string;
const problems: string[] = [];

async function loggedIn(viewport: { width: number; height: number }, mobile: boolean, javaScriptEnabled = true): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: mobile, hasTouch: mobile, javaScriptEnabled });
  const p = await ctx.newPage();
  await p.goto(`${w.url}/login`);
  await p.fill('#username', ADMIN.username);
  await p.fill('#password', ADMIN.password);
  await p.click('button[type=submit]');
  await p.waitForURL(`${w.url}/`);
  await p.close();
  return ctx;
}

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  w = await startWebDaemon({ roles: ['web'], builtinAgents: ['file', 'preview'] });
  await seedImages(w.db.pool, { count: 60, seed: 7, derived: w.daemon.derived, arrange: (s) => ({ sessions: planned, stackId } = arrangeSessions(s)) });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await w?.stop();
});

async function sessionOf(p: ArrangedSession): Promise<string> {
  const r = await w.getJson(`/api/v1/images/${p.imageIds[0]}`);
  return r.session.id;
}

for (const [label, viewport, mobile] of [
  ['desktop', { width: 1280, height: 900 }, false],
  ['phone', { width: 390, height: 844 }, true],
] as const) {
  test(`${label}: the session gallery, a session page and a target page fit, pass axe-core, and are photographed`, async () => {
    const ctx = await loggedIn(viewport, mobile);
    const p = await ctx.newPage();
    watchPage(p, problems);
    const session = await sessionOf(planned[0]!);
    const failures: string[] = [];
    for (const [path, name] of [
      ['/', 'gallery-sessions'],
      ['/?view=frames', 'gallery-frames'],
      [`/sessions/${session}`, 'session'],
      [`/targets/${encodeURIComponent(planned[0]!.targetId)}`, 'target-timeline'],
      ['/targets', 'targets'],
    ] as const) {
      const res = await p.goto(w.url + path);
      assert.equal(res?.status(), 200, path);
      const width = await p.evaluate(() => document.documentElement.scrollWidth);
      if (width > viewport.width) failures.push(`${path}: ${width} px wide`);
      for (const v of await axeViolations(p)) failures.push(`${path}: ${v}`);
      await p.screenshot({ path: resolve(SHOTS, `groups-${label}-${name}.png`), fullPage: true });
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(problems, []);
    await ctx.close();
  });
}

test('the switch and the filters work through htmx and keep the view', async () => {
  const ctx = await loggedIn({ width: 1280, height: 900 }, false);
  const p = await ctx.newPage();
  watchPage(p, problems);
  await p.goto(`${w.url}/`);
  const session = await sessionOf(planned[1]!);
  assert.ok(await p.locator(`#results a[href="/sessions/${session}"]`).count(), 'the session card');
  // a filter swaps the grid and stays in the session view
  await p.fill('#f-target', planned[1]!.targetId);
  await p.click('#filters button[type=submit]');
  await p.waitForURL(/target=/);
  await p.waitForFunction(() => document.querySelectorAll('#results .session-card').length > 0);
  assert.equal(await p.locator('.view-switch a[aria-current="page"]').textContent(), 'Sessions & stacks');
  // the switch keeps the filter; in the frames view the subs are cards
  await p.click('.view-switch a:has-text("Single frames")');
  await p.waitForURL(/view=frames/);
  assert.match(p.url(), /target=/);
  for (const id of planned[1]!.imageIds) assert.ok(await p.locator(`#results a[href^="/images/${id}"]`).count(), 'a sub as a card');
  assert.equal(await p.locator('#results .session-card').count(), 0);
  // a filter change in the frames view stays there
  await p.selectOption('#f-filter', 'OIII');
  await p.waitForURL(/filter=OIII/);
  assert.match(p.url(), /view=frames/);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('without JavaScript: the switch, the pager and the drill-down are plain links', async () => {
  const ctx = await loggedIn({ width: 390, height: 844 }, true, false);
  const p = await ctx.newPage();
  await p.goto(`${w.url}/?limit=5`);
  assert.equal(await p.locator('#results .card').count(), 5);
  await p.click('a[rel="next"]');
  await p.waitForURL(/cursor=/);
  assert.ok((await p.locator('#results .card').count()) > 0);
  await p.click('a[rel="prev"]');
  await p.waitForURL(/cursor=/);
  assert.equal(await p.locator('#results .card').count(), 5);
  const session = await sessionOf(planned[0]!);
  await p.goto(`${w.url}/sessions/${session}`);
  await p.click('a:has-text("All frames of this session")');
  await p.waitForURL(/session=.*view=frames/);
  assert.equal(await p.locator('#results .card').count(), planned[0]!.imageIds.length);
  await ctx.close();
});
