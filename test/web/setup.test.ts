// First run: with no user, the first visit leads to a one-time page that
// creates the administrator. From the machine itself (loopback) it needs
// nothing more; from another address (here: behind a trusted proxy, or with
// forwarding headers from an untrusted peer) it needs the code printed at
// start-up. Two concurrent submissions create one administrator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { BrowserSession } from './helpers.ts';
import { setupCodeOf } from '../../daemon/web/server.ts';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { launchChromium } from './browserKit.ts';
import { chromium } from 'playwright-core';

declare const document: any;
const SHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');

const form = (b: BrowserSession, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  b.request('/setup', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams({ _csrf: b.csrf, ...fields }) });

async function users(t: TestDaemon): Promise<number> {
  return t.daemon.services.users.count();
}

test('from another address the set-up needs the code printed at start-up; then the page is gone', async () => {
  const t = await startTestDaemon({ roles: ['web'], builtinAgents: [], env: { SIDEREAL_TRUST_PROXY: '1' } });
  try {
    const code = setupCodeOf(t.daemon.server);
    assert.match(code ?? '', /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    const remote = { 'x-forwarded-for': '203.0.113.9' };
    const b = new BrowserSession(t.url);
    const first = await b.get('/', remote);
    assert.equal(first.res.status, 302);
    assert.equal(first.res.headers.get('location'), '/setup');
    const page = await b.get('/setup', remote);
    assert.equal(page.res.status, 200);
    assert.match(page.text, /name="code"/, 'the code field is shown to a remote visitor');
    const admin = { username: 'owner', password: 'owner-password-1', confirm: 'owner-password-1' };
    const without = await form(b, admin, remote);
    assert.equal(without.res.status, 403);
    const wrong = await form(b, { ...admin, code: 'aaaa-bbbb-cccc' }, remote);
    assert.equal(wrong.res.status, 403);
    assert.equal(await users(t), 0);
    const ok = await form(b, { ...admin, code: code! }, remote);
    assert.equal(ok.res.status, 303);
    assert.equal(ok.res.headers.get('location'), '/?notice=welcome');
    const home = await b.get('/?notice=welcome', remote);
    assert.equal(home.res.status, 200, 'logged in as the new administrator');
    assert.match(home.text, /you are the administrator/);
    assert.equal((await t.daemon.services.users.list({ id: 'x', username: 'x', role: 'admin' }))[0]!.role, 'admin');
    // one-time: the page and the code are gone
    const again = new BrowserSession(t.url);
    assert.equal((await again.get('/setup')).res.status, 302);
    assert.equal((await again.get('/')).res.headers.get('location'), '/login');
    assert.equal((await again.get('/login')).res.status, 200);
    const late = await form(again, { username: 'intruder', password: 'intruder-pass-1', confirm: 'intruder-pass-1', code: code! }, remote);
    assert.equal(late.res.status, 404);
    assert.equal(await users(t), 1);
  } finally {
    await t.stop();
  }
});

test('from loopback the set-up needs no code; forwarded requests from an untrusted peer do; concurrent submissions make one admin', async () => {
  const t = await startTestDaemon({ roles: ['web'], builtinAgents: [] });
  try {
    const b = new BrowserSession(t.url);
    // a local reverse proxy that Sidereal was not told to trust: not "this machine"
    const proxied = await b.get('/setup', { 'x-forwarded-for': '198.51.100.4' });
    assert.match(proxied.text, /name="code"/);
    const admin = { username: 'local-admin', password: 'local-password-1', confirm: 'local-password-1' };
    assert.equal((await form(b, admin, { 'x-forwarded-for': '198.51.100.4' })).res.status, 403);
    const page = await b.get('/setup');
    assert.doesNotMatch(page.text, /name="code"/, 'no code field on the machine itself');
    const b2 = new BrowserSession(t.url);
    await b2.get('/setup');
    const [r1, r2] = await Promise.all([form(b, admin), form(b2, { ...admin, username: 'second-admin' })]);
    assert.deepEqual([r1.res.status, r2.res.status], [303, 303]);
    assert.equal(await users(t), 1, 'one administrator from two concurrent submissions');
    const locations = [r1.res.headers.get('location'), r2.res.headers.get('location')].sort();
    assert.deepEqual(locations, ['/?notice=welcome', '/login']);
  } finally {
    await t.stop();
  }
});

test('SIDEREAL_ADMIN_USER/PASSWORD still create the first administrator: no set-up page', async () => {
  const t = await startTestDaemon({ roles: ['web'], builtinAgents: [], env: { SIDEREAL_ADMIN_USER: 'scripted', SIDEREAL_ADMIN_PASSWORD: 'scripted-password-1' } });
  try {
    assert.equal(setupCodeOf(t.daemon.server), null);
    const res = await fetch(`${t.url}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    assert.equal(res.headers.get('location'), '/login');
    assert.equal((await fetch(`${t.url}/setup`, { redirect: 'manual' })).status, 302);
  } finally {
    await t.stop();
  }
});

test('in a browser: the first visit shows the set-up page, which logs the new administrator in', async () => {
  const t = await startTestDaemon({ roles: ['web'], builtinAgents: [] });
  const browser = await launchChromium();
  try {
    await mkdir(SHOTS, { recursive: true });
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(t.url);
    assert.equal(new URL(page.url()).pathname, '/setup');
    assert.equal(await page.locator('#code').count(), 0, 'no code field on the machine itself');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling on a phone');
    await page.screenshot({ path: resolve(SHOTS, 'setup-first-run.png'), fullPage: true });
    await page.fill('#username', 'astro');
    await page.fill('#password', 'astro-password-1');
    await page.fill('#confirm', 'astro-password-1');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname === '/');
    assert.match(await page.locator('.notice').innerText(), /you are the administrator/);
    await page.screenshot({ path: resolve(SHOTS, 'setup-welcome.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.equal(await users(t), 1);
  } finally {
    await browser.close();
    await t.stop();
  }
});
