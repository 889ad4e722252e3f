/**
 * What the browser tests share: Debian's Chromium (playwright-core), the
 * screenshot folder, a page watcher that collects console errors and CSP
 * violations, and the axe-core check (serious and critical violations).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

declare const document: any;
declare const window: any;

/** Screenshots are kept as test artifacts (git ignores the folder). */
export const SHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Collects the page's console errors (4xx answers aside) and uncaught exceptions into `problems`. */
export function watchPage(p: Page, problems: string[]): void {
  p.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`${p.url()}: ${m.text()}`);
  });
  p.on('pageerror', (e) => problems.push(`${p.url()}: ${e.message}`));
}

let axeSource: string | null = null;

/** axe-core's serious and critical violations on the page, one line each. */
export async function axeViolations(p: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays on
  const violations: any[] = await p.evaluate(async (src: string) => {
    if (!(window as any).axe) (0, eval)(src);
    const r = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')) }));
  }, axeSource);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.join(', ')}`);
}
