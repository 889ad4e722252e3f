// Bulk edit in a real headless Chromium (Debian's, through playwright-core),
// at desktop (1280 px) and phone (390 px) width: tick cards (shift-click
// selects a range), select the page, select every image of the query, edit,
// confirm with the count, and see the result. Each step fits a 390 px phone,
// passes axe-core (no serious or critical violation) and raises no CSP
// violation or script error. Screenshots: test-artifacts/screenshots/
// {desktop,phone}-bulk-{select,edit,confirm,result}.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { launchChromium, watchPage, axeViolations } from './browserKit.ts';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages } from './seedImages.ts';
import { Stitcher } from '../../daemon/catalog/stitching/Stitcher.ts';
import { log } from '../../daemon/log.ts';

declare const document: any;
declare const window: any;

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = resolve(ROOT, 'test-artifacts/screenshots');

let w: WebDaemon;
let browser: Browser;
const problems: string[] = [];

const watch = (p: Page) => watchPage(p, problems);

async function loggedIn(viewport: { width: number; height: number }, mobile: boolean): Promise<{ ctx: BrowserContext; p: Page }> {
  const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: mobile, hasTouch: mobile });
  const p = await ctx.newPage();
  watch(p);
  await p.goto(`${w.url}/login`);
  await p.fill('#username', ADMIN.username);
  await p.fill('#password', ADMIN.password);
  await p.click('button[type=submit]');
  await p.waitForURL(`${w.url}/`);
  return { ctx, p };
}

const axe = axeViolations;

/** Fits the viewport (no sideways scrolling), passes axe, and is photographed. */
async function check(p: Page, width: number, name: string, failures: string[]) {
  const scroll = await p.evaluate(() => document.documentElement.scrollWidth);
  if (scroll > width) failures.push(`${name}: ${scroll} px wide at ${width} px`);
  for (const v of await axe(p)) failures.push(`${name}: ${v}`);
  await p.screenshot({ path: resolve(SHOTS, `${width <= 390 ? 'phone' : 'desktop'}-${name}.png`), fullPage: true });
}

async function editsOf(id: string): Promise<Record<string, any> | null> {
  return w.db.pool.maybeOneFirst(sql.type(z.object({ edits: z.record(z.any()) }))`select edits from user_edits where image_id = ${id}`);
}

const checkedIds = (p: Page) => p.$$eval('form#bulk .pick input:checked', (xs: any[]) => xs.map((x) => x.value as string));

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  w = await startWebDaemon({ roles: ['web'], builtinAgents: ['file', 'preview'] });
  await seedImages(w.db.pool, { count: 60, seed: 31, derived: w.daemon.derived });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await w?.stop();
});

for (const [label, viewport, mobile, target] of [
  ['desktop', { width: 1280, height: 900 }, false, 'M 42'],
  ['phone', { width: 390, height: 844 }, true, 'Comet 12P/Pons-Brooks'],
] as const) {
  test(`${label}: select a range, edit, confirm with the count, see the result`, async () => {
    const { ctx, p } = await loggedIn(viewport, mobile);
    const failures: string[] = [];
    await p.goto(`${w.url}/?sort=name`);
    // the script is there: the page checkbox shows, nothing is selected, the button waits for a choice
    await p.waitForSelector('form#bulk .select-page:not([hidden])');
    assert.equal(await p.isDisabled('[data-edit-selected]'), true);
    const boxes = await p.$$('form#bulk .pick input');
    assert.ok(boxes.length >= 6);
    await boxes[1]!.click();
    await boxes[4]!.click({ modifiers: ['Shift'] });
    const ids = await checkedIds(p);
    assert.equal(ids.length, 4, 'shift-click ticks the range');
    assert.equal((await p.textContent('[data-bulk-count]'))?.trim(), '4 selected');
    assert.equal(await p.isDisabled('[data-edit-selected]'), false);
    await check(p, viewport.width, 'bulk-select', failures);

    await p.click('[data-edit-selected]');
    await p.waitForSelector('h1:has-text("Edit 4 images")');
    await p.fill('#b-target', target);
    await p.fill('#b-notes', `bulk ${label}`);
    await p.check('input[name=notesMode][value=append]');
    await check(p, viewport.width, 'bulk-edit', failures);

    await p.click('button:has-text("Review")');
    await p.waitForSelector('h1:has-text("Change 4 images?")');
    assert.match((await p.textContent('.confirm ul')) ?? '', new RegExp(`Target: ${target.replace(/[/.]/g, '\\$&')}`));
    await check(p, viewport.width, 'bulk-confirm', failures);
    for (const id of ids) assert.notEqual((await editsOf(id))?.notes, `bulk ${label}`, 'nothing changes before the confirmation');

    await p.click('button:has-text("Change 4 images")');
    await p.waitForURL(/\/\?sort=name&notice=saved$/);
    for (const id of ids) assert.equal((await editsOf(id))?.notes?.split('\n').at(-1), `bulk ${label}`);
    // this daemon does not process: stitch the edited images as the engine would
    const stitcher = new Stitcher({ db: w.db.pool, log });
    for (const id of ids) await stitcher.stitch(id);
    await p.reload();
    assert.match((await p.textContent('.notice')) ?? '', /Saved/);
    const names = await p.$$eval('.card', (cards: any[], chosen: string[]) => cards.filter((c) => chosen.includes(c.querySelector('.pick input')?.value)).map((c) => c.querySelector('.name').textContent.trim()), ids);
    assert.equal(names.length, 4);
    if (label === 'phone') assert.deepEqual(names, Array(4).fill(target), 'free text is kept as the target');
    await check(p, viewport.width, 'bulk-result', failures);
    await ctx.close();
    assert.deepEqual(failures, []);
  });
}

test('select all on the page, then every image of the query (the server applies the query)', async () => {
  const { ctx, p } = await loggedIn({ width: 1280, height: 900 }, false);
  const total = (await w.getJson('/api/v1/images?frameType=all&limit=1')).total as number;
  await p.goto(`${w.url}/?limit=20&view=frames`); // one card per file: the selection is of files
  await p.waitForSelector('form#bulk .select-page:not([hidden])');
  // a filter change swaps the grid (htmx): the new form gets the script's controls too
  await p.selectOption('#f-frame', 'all');
  await p.waitForURL(/frameType=all/);
  await p.waitForSelector('form#bulk .select-page:not([hidden])');
  const onPage = (await p.$$('form#bulk .pick input')).length;
  assert.ok(onPage > 0 && onPage < total, `a page (${onPage}) of the query (${total})`);
  assert.equal(await p.isHidden('[data-select-query]'), true);
  await p.check('[data-select-page]');
  assert.equal((await checkedIds(p)).length, onPage);
  assert.equal((await p.textContent('[data-bulk-count]'))?.trim(), `${onPage} selected`);
  // every card of the page is ticked: offer the whole query
  await p.click('[data-select-query]');
  assert.equal((await p.textContent('[data-bulk-count]'))?.trim(), `All ${total} matching selected`);
  // the form sends the query, not the ids of the whole library
  const sent = await p.evaluate(() => {
    const f = document.querySelector('form#bulk');
    const data = new (window as any).FormData(f, f.querySelector('[data-edit-selected]'));
    return { scope: data.get('scope'), query: data.get('query') };
  });
  assert.equal(sent.scope, 'query');
  assert.match(sent.query, /(^|&)frameType=all(&|$)/);
  await p.click('[data-edit-selected]');
  await p.waitForSelector(`h1:has-text("Edit ${total} images")`);
  // unticking one card goes back to a selection of ids
  await p.goto(`${w.url}/?frameType=all&limit=20&view=frames`);
  await p.waitForSelector('form#bulk .select-page:not([hidden])');
  await p.check('[data-select-page]');
  await p.click('[data-select-query]');
  const first = await p.$('form#bulk .pick input');
  await first!.click();
  assert.equal((await p.textContent('[data-bulk-count]'))?.trim(), '19 selected');
  assert.equal(await p.getAttribute('[data-edit-selected]', 'value'), 'ids');
  await ctx.close();
});

test('no Content-Security-Policy violation or script error', () => {
  assert.deepEqual(problems, []);
});
