// The image page's agents table at desktop width: status badges, times and
// Re-run buttons stay on one line ("DON E" and "Re- run" were broken by the
// table cells' break-anywhere rule). Screenshot in test-artifacts/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sql } from 'slonik';
import { launchChromium } from './browserKit.ts';
import { type Browser } from 'playwright-core';
import { Stitcher } from '../../daemon/catalog/stitching/Stitcher.ts';
import { log } from '../../daemon/log.ts';
import { ADMIN, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages, type SeedSpec } from './seedImages.ts';

declare const document: any;
const SHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');
let w: WebDaemon;
let browser: Browser;
let specs: SeedSpec[];

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  w = await startWebDaemon({ roles: ['web'], builtinAgents: ['file', 'preview'] });
  specs = await seedImages(w.db.pool, { count: 4, seed: 3, calibrationShare: 0, stackShare: 0 });
  // a long detail, as a real library shows ("Wikipedia could not be reached: …"): it squeezes the other columns
  const note = 'Wikipedia could not be reached: fetch failed; the description was written from the catalog. '.repeat(2);
  await w.db.pool.query(sql.unsafe`update image_results set warnings = ${sql.jsonb([note])} where image_id = ${specs[0]!.id}`);
  await new Stitcher({ db: w.db.pool, log: log.child({ component: 'test' }) }).stitch(specs[0]!.id);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await w?.stop();
});

test('agents table (1280 px): badges, times and Re-run buttons are not broken over lines', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${w.url}/login`);
  await page.fill('#username', ADMIN.username);
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${w.url}/`);
  await page.goto(`${w.url}/images/${specs[0]!.id}`);
  const lines: { text: string; lines: number }[] = await page.evaluate(() =>
    [...document.querySelectorAll('#agents-table .badge, #agents-table td.num, #agents-table td.row-action button')].map((el: any) => {
      const r = document.createRange();
      r.selectNodeContents(el);
      // one client rectangle per line the text occupies
      const tops = new Set([...r.getClientRects()].map((x: any) => Math.round(x.top)));
      return { text: el.textContent.trim(), lines: tops.size };
    }),
  );
  assert.ok(lines.length >= 6, `badges, times and buttons found: ${lines.length}`);
  assert.deepEqual(lines.filter((l) => l.lines > 1), []);
  await page.locator('#agents-table').screenshot({ path: resolve(SHOTS, 'desktop-image-agents-table.png') });
});
