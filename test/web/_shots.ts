import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { startWebDaemon } from './helpers.ts';
import { seedImages } from './seedImages.ts';
const w = await startWebDaemon();
const specs = await seedImages(w.db.pool, { count: 60, derived: w.daemon.derived });
const light = specs.find((s) => s.target && s.results.some((r) => r.agent === 'platesolve' && r.status === 'done'))!;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const errors: string[] = [];
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
await page.goto(w.url + '/');
await page.fill('#username', 'admin');
await page.fill('#password', 'admin-password-1');
await page.click('button[type=submit]');
await page.waitForURL(w.url + '/');
await mkdir('test-artifacts/screenshots', { recursive: true });
const pages = (process.env.PAGES ?? `/,/images/${light.id},/targets,/targets/${encodeURIComponent(light.target!.id)},/objects,/equipment,/sky,/upload,/account,/admin,/admin/agents,/admin/queue,/admin/users,/api/docs`).split(',');
for (const [i, p] of pages.entries()) {
  await page.goto(w.url + p);
  await page.waitForTimeout(300);
  await page.screenshot({ path: `test-artifacts/screenshots/dev-${String(i).padStart(2, '0')}.png`, fullPage: !!process.env.FULL });
  console.log(i, p);
}
console.log('console errors:', errors);
await browser.close();
await w.stop();
