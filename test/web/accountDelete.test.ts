// A member deletes their own account on /account: a confirmation page first
// (without JavaScript too), then the account, its sessions and its API tokens
// are gone and the browser is logged out. The last administrator cannot.
// Screenshots go to test-artifacts/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { launchChromium } from './browserKit.ts';
import { type Browser } from 'playwright-core';
import { ADMIN, BrowserSession, createUser, startWebDaemon, type WebDaemon } from './helpers.ts';

const SHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');
let w: WebDaemon;
let browser: Browser;

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  w = await startWebDaemon({ roles: ['web'], builtinAgents: [] });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await w?.stop();
});

const count = (table: 'users' | 'sessions' | 'api_tokens', userId: string) =>
  w.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from ${sql.identifier([table])} where ${sql.identifier([table === 'users' ? 'id' : 'user_id'])} = ${userId}`);

test('a member deletes their own account after a confirmation page (no JavaScript); sessions and tokens end', async () => {
  const bob = await createUser(w, 'bob');
  // a second browser session of bob's that must end too
  const other = new BrowserSession(w.url);
  assert.equal((await other.login("bob", bob.password)).status, 303);
  assert.equal((await other.get('/account')).res.status, 200);

  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  try {
    const page = await ctx.newPage();
    await page.goto(`${w.url}/login`);
    await page.fill('#username', 'bob');
    await page.fill('#password', bob.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${w.url}/`);
    await page.goto(`${w.url}/account`);
    assert.ok(await page.evaluate('document.documentElement.scrollWidth <= 390'), 'no sideways scrolling');
    await page.click('button:has-text("Delete my account…")');
    // the confirmation page: nothing is deleted yet
    await page.waitForSelector('h1:has-text("Delete your account “bob”?")');
    await page.screenshot({ path: resolve(SHOTS, 'phone-account-delete-confirm.png'), fullPage: true });
    assert.equal(await count('users', bob.id), 1, 'asked first, nothing deleted');
    // Cancel goes back
    await page.click('a:has-text("Cancel")');
    await page.waitForURL(`${w.url}/account`);
    await page.click('button:has-text("Delete my account…")');
    await page.click('button[type=submit]:has-text("Delete my account")');
    await page.waitForURL((u) => u.pathname === '/login');
    assert.match(await page.locator('.notice').innerText(), /Your account is deleted/);
    await page.screenshot({ path: resolve(SHOTS, 'phone-account-deleted.png'), fullPage: true });
  } finally {
    await ctx.close();
  }
  assert.equal(await count('users', bob.id), 0);
  assert.equal(await count('sessions', bob.id), 0);
  assert.equal(await count('api_tokens', bob.id), 0);
  // the other session and the token no longer work
  const again = await other.get('/account');
  assert.ok([302, 303].includes(again.res.status), String(again.res.status));
  assert.match(again.res.headers.get('location') ?? '', /^\/login/);
  assert.equal((await w.api('/api/v1/images', { token: bob.token })).status, 401);
  // and bob cannot log in
  const relogin = new BrowserSession(w.url);
  assert.notEqual((await relogin.login('bob', bob.password)).headers.get('location'), '/');
});

test('a post without confirm=yes only asks; the last administrator cannot delete their account', async () => {
  const b = new BrowserSession(w.url);
  await b.login(ADMIN.username, ADMIN.password);
  await b.get('/account');
  const ask = await b.post('/account/delete', {});
  assert.equal(ask.res.status, 200);
  assert.match(ask.text, /Delete your account “admin”\?/);
  assert.match(ask.text, /name="confirm" value="yes"/);
  const refused = await b.post('/account/delete', { confirm: 'yes' });
  assert.equal(refused.res.status, 409);
  assert.match(refused.text, /you are the last administrator: make another user admin before deleting your account/);
  const admins = await w.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from users where role = 'admin'`);
  assert.equal(admins, 1);
  // without the CSRF token: refused, nothing deleted
  const forged = await b.post('/account/delete', { confirm: 'yes' }, { csrf: false });
  assert.equal(forged.res.status, 403);
});
