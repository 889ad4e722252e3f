// The image viewer in a real Chromium: two generated FITS frames larger than the
// preview are uploaded and processed by the real agents; from the gallery, the
// image page steps to the next and previous image of the same query with the
// arrow keys, and Z opens the full-resolution view, whose Deep Zoom pyramid the
// server renders on first use and serves tile by tile from its cache archive.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { launchChromium } from './browserKit.ts';
import { type Browser, type Page } from 'playwright-core';
import { fitsHdu, tempDir, writeFits } from '../../agents/lib/formats/test-writers.ts';
import { starField } from '../../agents/lib/imaging/synthetic.ts';
import { sql } from 'slonik';
import { ADMIN, startWebDaemon, type WebDaemon } from './helpers.ts';
import { Stitcher } from '../../daemon/catalog/stitching/Stitcher.ts';
import { log } from '../../daemon/log.ts';

declare const document: any;

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = resolve(ROOT, 'test-artifacts/screenshots');

let w: WebDaemon;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const tmp = tempDir();
const ids: string[] = [];

/** A linear 16-bit star field of 3000×2000 as FITS: larger than the 2048 px preview. */
function frame(name: string, seed: number): string {
  const { image } = starField({ width: 3000, height: 2000, background: [0.03], noise: 0.003, stars: 900, seed });
  const data = Array.from(image.planes[0]!, (v) => Math.round(v * 65535) - 32768);
  const path = tmp.path(name);
  writeFits(path, fitsHdu({ bitpix: 16, axes: [3000, 2000], data, cards: [['BZERO', 32768], ['BSCALE', 1], ['IMAGETYP', 'Light Frame'], ['EXPTIME', 120]] }));
  return path;
}

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  w = await startWebDaemon({ builtinAgents: ['file', 'preview'] });
  for (const [name, seed] of [['viewer-a.fits', 3], ['viewer-b.fits', 4]] as const) {
    const form = new FormData();
    form.append('files', new Blob([await readFile(frame(name, seed))]), name);
    const res = await w.api('/api/v1/images', { method: 'POST', body: form });
    assert.equal(res.status, 202, await res.text());
  }
  // both processed: previews exist
  for (let i = 0; i < 240; i++) {
    const list = await w.getJson('/api/v1/images?frameType=all&sort=name');
    const ready = list.items.filter((x: any) => x.previewUrl);
    if (ready.length === 2) {
      ids.push(...ready.map((x: any) => x.id));
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(ids.length, 2, 'both uploads were processed');
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${w.url}/login`);
  await page.fill('#username', ADMIN.username);
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${w.url}/`);
});

after(async () => {
  await browser?.close();
  await w?.stop();
  tmp.cleanup();
});

test('arrow keys step through the gallery query the image was opened from', async () => {
  await page.goto(`${w.url}/?sort=name&frameType=all`);
  await page.click('.grid .card >> nth=0');
  await page.waitForSelector('.image-nav');
  assert.match(await page.textContent('.image-nav') ?? '', /1 of 2/);
  assert.ok(page.url().includes(ids[0]!), 'the first card opens the first image');
  await page.keyboard.press('ArrowRight');
  await page.waitForURL((u) => u.pathname === `/images/${ids[1]}`);
  assert.match(await page.textContent('.image-nav') ?? '', /2 of 2/);
  assert.equal(await page.locator('.image-nav a[rel="next"]').count(), 0, 'no next image after the last');
  await page.keyboard.press('ArrowLeft');
  await page.waitForURL((u) => u.pathname === `/images/${ids[0]}`);
  // the way back to the gallery keeps the query
  assert.match((await page.getAttribute('.image-nav a >> nth=0', 'href')) ?? '', /sort=name/);
});

test('Z opens the full-resolution view: the pyramid is rendered on demand and served as tiles; Esc closes it', async () => {
  const tiles: number[] = [];
  page.on('response', (r) => {
    if (/\/zoom\/\d+\/\d+_\d+\.jpeg$/.test(r.url())) tiles.push(r.status());
  });
  await page.goto(`${w.url}/images/${ids[0]}`);
  await page.keyboard.press('z');
  await page.waitForSelector('#lightbox:not([hidden])');
  await page.waitForSelector('#zoom-stage[data-ready="true"]', { timeout: 90_000 });
  await page.waitForFunction(() => document.querySelectorAll('#zoom-stage canvas').length > 0);
  await page.click('#zoom-in');
  await page.click('#zoom-in');
  await page.waitForTimeout(800);
  await page.screenshot({ path: resolve(SHOTS, 'viewer-deep-zoom.png') });
  assert.ok(tiles.length > 0 && tiles.every((s) => s === 200 || s === 304), `tiles: ${tiles.join(',')}`);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#lightbox', { state: 'hidden' });
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
});

test('the pyramid holds the full resolution, and tiles come from the cached archive', async () => {
  const d = await (await w.api(`/images/${ids[0]}/zoom`)).json();
  assert.equal(d.status, 'ready');
  assert.equal(d.tileSource.Image.Size.Width, '3000');
  assert.equal(d.tileSource.Image.Size.Height, '2000');
  // the deepest level of a 3000 px image is level ceil(log2(3000)) = 12
  const res = await w.api(`/images/${ids[0]}/zoom/12/0_0.jpeg`);
  assert.equal(res.status, 200);
  const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
  assert.equal(meta.width, 513, 'a 512 px tile plus its 1 px overlap');
  assert.equal((await w.api(`/images/${ids[0]}/zoom/12/99_99.jpeg`)).status, 404);
  assert.equal((await w.api(`/images/${ids[0]}/zoom/12/..%2F..%2Fx`)).status, 404);
  const derived = await w.getJson(`/api/v1/images/${ids[0]}`);
  assert.ok(derived.id, 'the image record is unchanged by the zoom');
});

test('a crowded wide field in the browser: labels are drawn without overlapping, the primary target is labelled', async () => {
  // 150 catalogued objects spread over the 3000×2000 frame, one of them the primary target
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const objects = Array.from({ length: 150 }, (_, i) => ({
    id: `NGC ${2000 + i}`, designations: [`NGC ${2000 + i}`], name: i % 4 === 0 ? `Nebula ${i}` : null, type: 'nebula',
    ra: 83 + rand(), dec: -5 + rand(), magnitude: 6 + rand() * 8, sizeArcmin: 1 + rand() * 20,
    x: rand() * 3000, y: rand() * 2000, rx: 5 + rand() * 60, ry: 5 + rand() * 40, angleDeg: 0, primary: false,
  }));
  objects.push({ id: 'M42', designations: ['M 42', 'NGC 1976'], name: 'Orion Nebula', type: 'nebula', ra: 83.8, dec: -5.4, magnitude: 4, sizeArcmin: 60, x: 1500, y: 1000, rx: 200, ry: 150, angleDeg: 0, primary: true });
  await w.db.pool.query(sql.unsafe`
    insert into image_results (image_id, agent, stage, agent_version, input_hash, status, facts, attempts, runs, finished_at)
    values (${ids[0]!}, 'objects', 'identify', 'test', 'test', 'done',
      ${sql.jsonb({ objects, primary: 'M42', primarySource: 'center', constellation: 'Ori', constellationName: 'Orion', constellations: ['Ori'], hemisphere: 'south' } as never)}, 0, 1, now())
    on conflict (image_id, agent, stage) do update set facts = excluded.facts`);
  await new Stitcher({ db: w.db.pool, log: log.child({ component: 'test' }) }).stitch(ids[0]!);
  await page.goto(`${w.url}/images/${ids[0]}`);
  await page.waitForSelector('svg.overlay text');
  const boxes: { text: string; x: number; y: number; w: number; h: number }[] = await page.evaluate(() =>
    [...document.querySelectorAll('svg.overlay text')].map((t: any) => {
      const r = t.getBoundingClientRect();
      return { text: t.textContent, x: r.x, y: r.y, w: r.width, h: r.height };
    }),
  );
  assert.ok(boxes.length >= 5 && boxes.length <= 24, `${boxes.length} labels for 151 objects`);
  assert.ok(boxes.some((b) => b.text.startsWith('M42')), 'the primary target is labelled');
  for (let i = 0; i < boxes.length; i++)
    for (let j = 0; j < i; j++) {
      const a = boxes[i]!, b = boxes[j]!;
      const overlap = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
      assert.ok(overlap < 0.05 * Math.min(a.w * a.h, b.w * b.h), `"${a.text}" overlaps "${b.text}"`);
    }
  assert.ok((await page.locator('svg.overlay ellipse').count()) <= 60, 'outlines are capped on a crowded field');
  await page.screenshot({ path: resolve(SHOTS, 'viewer-overlay-wide.png') });
});
