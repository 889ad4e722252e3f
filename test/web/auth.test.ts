// Accounts end to end on a real daemon and PostgreSQL: the first admin from
// the environment, API and browser logins, rate limiting, CSRF, sessions,
// API tokens, roles enforced in the services, TOTP with recovery codes, and
// the `sidereal user add` command.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ADMIN, BrowserSession, createUser, loginToken, startWebDaemon, type WebDaemon } from './helpers.ts';
import { totpAt } from '../../daemon/auth/totp.ts';
import { SESSION_COOKIE } from '../../daemon/web/auth.ts';

let w: WebDaemon;
before(async () => {
  w = await startWebDaemon({ roles: ['web'] });
});
after(async () => {
  await w?.stop();
});

test('the first admin comes from SIDEREAL_ADMIN_USER/PASSWORD and logs in with a token', async () => {
  const me = await (await w.api('/api/v1/me')).json();
  assert.equal(me.username, ADMIN.username);
  assert.equal(me.role, 'admin');
  // a second start-up does not create another admin or change the password
  const again = await w.daemon.services.users.ensureFirstAdmin('someone-else', 'another-password');
  assert.equal(again, null);
  assert.equal((await w.api('/api/v1/users').then((r) => r.json())).items.length, 1);
});

test('everything but /login, /health and /static needs a login', async () => {
  assert.equal((await fetch(`${w.url}/health`)).status, 200);
  assert.equal((await fetch(`${w.url}/static/sidereal.css`)).status, 200);
  assert.equal((await fetch(`${w.url}/login`)).status, 200);
  for (const path of ['/api/v1/images', '/api/v1/objects', '/status', '/api/openapi.json']) {
    const res = await fetch(w.url + path);
    assert.equal(res.status, 401, path);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
  }
  const page = await fetch(`${w.url}/targets?q=M31`, { redirect: 'manual', headers: { accept: 'text/html' } });
  assert.equal(page.status, 302);
  assert.equal(page.headers.get('location'), '/login?next=%2Ftargets%3Fq%3DM31');
  const bad = await fetch(`${w.url}/api/v1/images`, { headers: { authorization: 'Bearer sdr_not-a-token' } });
  assert.equal(bad.status, 401);
});

test('wrong passwords are refused, then rate limited per address and user', async () => {
  const { id } = await createUser(w, 'victim');
  const attempt = (password: string) => fetch(`${w.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'victim', password }) });
  for (let i = 0; i < 5; i++) assert.equal((await attempt('wrong-password')).status, 401);
  const locked = await attempt('member-password-1');
  assert.equal(locked.status, 429, 'even the right password waits out the lock');
  assert.ok(Number(locked.headers.get('retry-after')) > 60);
  // other users from the same address are not locked out
  assert.ok(await loginToken(w.url, ADMIN.username, ADMIN.password));
  await w.api(`/api/v1/users/${id}`, { method: 'DELETE' });
});

test('browser login: session cookie flags, CSRF on every form, logout ends the session', async () => {
  const b = new BrowserSession(w.url);
  const { text } = await b.get('/login');
  assert.match(text, /name="_csrf"/);
  // the login form itself is CSRF-protected (double-submit cookie)
  const forged = await b.post('/login', { username: ADMIN.username, password: ADMIN.password }, { csrf: false });
  assert.equal(forged.res.status, 403);
  const wrong = await b.post('/login', { username: ADMIN.username, password: 'nope-nope-nope' });
  assert.equal(wrong.res.status, 401);
  assert.match(wrong.text, /wrong user name or password/);
  const ok = await b.post('/login', { username: ADMIN.username, password: ADMIN.password, next: '/account' });
  assert.equal(ok.res.status, 303);
  assert.equal(ok.res.headers.get('location'), '/account');
  const cookie = ok.res.headers.getSetCookie().find((c) => c.startsWith(SESSION_COOKIE));
  assert.ok(cookie);
  assert.match(cookie!, /httponly/i);
  assert.match(cookie!, /samesite=lax/i);
  assert.doesNotMatch(cookie!, /secure/i, 'no Secure flag on plain HTTP');
  const account = await b.get('/account');
  assert.equal(account.res.status, 200);
  assert.match(account.text, /hx-headers:inherited='\{"X-CSRF-Token": "[\w-]+"\}'/, 'htmx sends the CSRF token from <body>');
  // a state-changing request without the token is refused; with the header it passes
  const noToken = await b.post('/account/tokens', { name: 'x' }, { csrf: false });
  assert.equal(noToken.res.status, 403);
  const viaHeader = await b.post('/account/tokens', { name: 'from-htmx' }, { csrf: false, headers: { 'x-csrf-token': b.csrf } });
  assert.equal(viaHeader.res.status, 200);
  assert.match(viaHeader.text, /sdr_[\w-]{20,}/, 'the new token is shown once');
  // a JSON API call with the session cookie also needs the token
  const apiNoCsrf = await b.request('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ name: 'x' }) });
  assert.equal(apiNoCsrf.res.status, 403);
  const out = await b.post('/logout', {});
  assert.equal(out.res.status, 303);
  const after = await b.get('/account');
  assert.equal(after.res.status, 302, 'the session is gone');
});

test('secure cookies behind a TLS proxy (trusted X-Forwarded-Proto)', async () => {
  const w2 = await startWebDaemon({ roles: ['web'], env: { SIDEREAL_TRUST_PROXY: 'true' } });
  try {
    const b = new BrowserSession(w2.url);
    await b.request('/login', { headers: { 'x-forwarded-proto': 'https' } });
    const { res } = await b.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
      body: new URLSearchParams({ _csrf: b.csrf, username: ADMIN.username, password: ADMIN.password }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(SESSION_COOKIE));
    assert.match(cookie ?? '', /;\s*secure/i);
    assert.match(res.headers.get('strict-transport-security') ?? '', /max-age/);
  } finally {
    await w2.stop();
  }
});

test('API tokens: create (shown once), list without the secret, use, revoke', async () => {
  const created = await (await w.api('/api/v1/tokens', { method: 'POST', json: { name: 'backup script', expiresInDays: 30 } })).json();
  assert.match(created.token, /^sdr_/);
  const list = await (await w.api('/api/v1/tokens')).json();
  const item = list.items.find((t: { id: string }) => t.id === created.info.id);
  assert.equal(item.name, 'backup script');
  assert.ok(!JSON.stringify(list).includes(created.token), 'the secret is never listed');
  assert.equal((await w.api('/api/v1/me', { token: created.token })).status, 200);
  assert.equal((await w.api(`/api/v1/tokens/${created.info.id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await w.api('/api/v1/me', { token: created.token })).status, 401);
});

test('a member is refused admin work by the services, the API and the pages', async () => {
  const m = await createUser(w, 'member1');
  const actor = { id: m.id, username: 'member1', role: 'member' as const };
  await assert.rejects(() => w.daemon.services.users.list(actor), { status: 403 });
  await assert.rejects(() => w.daemon.services.agents.list(actor), { status: 403 });
  await assert.rejects(() => w.daemon.services.agents.rerun(actor, 'file', { scope: 'all' }), { status: 403 });
  await assert.rejects(() => w.daemon.services.status.queue(actor), { status: 403 });
  await assert.rejects(() => w.daemon.services.users.create(actor, { username: 'x', password: 'xxxxxxxxxx', role: 'admin' }), { status: 403 });
  for (const [method, path] of [['GET', '/api/v1/users'], ['GET', '/api/v1/agents'], ['POST', '/api/v1/agents/file/run'], ['GET', '/api/v1/queue'], ['GET', '/api/v1/system']]) {
    const res = await w.api(path, { method, token: m.token, json: method === 'POST' ? { scope: 'all' } : undefined });
    assert.equal(res.status, 403, `${method} ${path}`);
  }
  const b = new BrowserSession(w.url);
  assert.equal((await b.login('member1', m.password)).status, 303);
  for (const path of ['/admin', '/admin/agents', '/admin/users', '/admin/queue', '/admin/keywords', '/admin/tokens']) assert.equal((await b.get(path)).res.status, 403, path);
  const page = await b.get('/');
  assert.doesNotMatch(page.text, /href="\/admin"/, 'no admin link for members');
  const post = await b.post('/admin/users', { username: 'sneaky', password: 'sneaky-password', role: 'admin' });
  assert.equal(post.res.status, 403);
  // a member may not see or revoke someone else's token
  const adminTokens = await (await w.api('/api/v1/tokens')).json();
  assert.equal((await w.api(`/api/v1/tokens/${adminTokens.items[0].id}`, { method: 'DELETE', token: m.token })).status, 404);
});

test('the last admin cannot be demoted, disabled or deleted', async () => {
  const me = await (await w.api('/api/v1/me')).json();
  assert.equal((await w.api(`/api/v1/users/${me.id}`, { method: 'PATCH', json: { role: 'member' } })).status, 409);
  assert.equal((await w.api(`/api/v1/users/${me.id}`, { method: 'PATCH', json: { disabled: true } })).status, 409);
  assert.equal((await w.api(`/api/v1/users/${me.id}`, { method: 'DELETE' })).status, 409);
});

test('disabling a user ends their sessions and tokens at once', async () => {
  const u = await createUser(w, 'leaving');
  assert.equal((await w.api('/api/v1/me', { token: u.token })).status, 200);
  assert.equal((await w.api(`/api/v1/users/${u.id}`, { method: 'PATCH', json: { disabled: true } })).status, 200);
  assert.equal((await w.api('/api/v1/me', { token: u.token })).status, 401);
  const res = await fetch(`${w.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'leaving', password: u.password }) });
  assert.equal(res.status, 401);
});

test('TOTP: enrol with a QR code, then logins need a code; a recovery code works once', async () => {
  const u = await createUser(w, 'careful');
  const begin = await (await w.api('/api/v1/me/totp', { method: 'POST', token: u.token })).json();
  assert.match(begin.qrSvg, /^<svg[\s\S]*<\/svg>\s*$/);
  assert.match(begin.uri, /^otpauth:\/\/totp\/Sidereal:careful\?secret=[A-Z2-7]+/);
  assert.equal((await w.api('/api/v1/me/totp/confirm', { method: 'POST', token: u.token, json: { code: '000000' } })).status, 400);
  const enrolledAt = Date.now();
  const enrolCode = totpAt(begin.secret, enrolledAt);
  const confirm = await (await w.api('/api/v1/me/totp/confirm', { method: 'POST', token: u.token, json: { code: enrolCode } })).json();
  assert.equal(confirm.recoveryCodes.length, 10);
  // API login now needs the code
  const noCode = await fetch(`${w.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'careful', password: u.password }) });
  assert.equal(noCode.status, 401);
  // the code that confirmed the enrolment cannot be used again (replay): the next one works, once
  const replayed = await fetch(`${w.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'careful', password: u.password, code: enrolCode }) });
  assert.equal(replayed.status, 401, 'a TOTP code of an already used time step is refused');
  // a later step's code works (the step after the enrolment's, or the current one if time moved on)
  const next = totpAt(begin.secret, Math.max(Date.now(), enrolledAt + 30_000));
  assert.ok(await loginToken(w.url, 'careful', u.password, next));
  const again = await fetch(`${w.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'careful', password: u.password, code: next }) });
  assert.equal(again.status, 401, 'the same code twice is refused');
  // browser: password, then the code page; a recovery code works once
  const b = new BrowserSession(w.url);
  const first = await b.login('careful', u.password);
  assert.equal(first.status, 303);
  assert.match(first.headers.get('location')!, /^\/login\/code/);
  assert.equal((await b.get('/')).res.status, 302, 'not logged in before the second factor');
  await b.get('/login/code');
  const code = await b.post('/login/code', { code: confirm.recoveryCodes[0], next: '/' });
  assert.equal(code.res.status, 303);
  assert.equal((await b.get('/')).res.status, 200);
  const me = await (await w.api('/api/v1/me', { token: u.token })).json();
  assert.equal(me.recoveryCodesLeft, 9);
  const b2 = new BrowserSession(w.url);
  await b2.login('careful', u.password);
  await b2.get('/login/code');
  const reused = await b2.post('/login/code', { code: confirm.recoveryCodes[0] });
  assert.equal(reused.res.status, 401, 'a recovery code works only once');
});

test('`sidereal user add <name> --admin` creates a user from the command line', async () => {
  const root = resolve(import.meta.dirname, '../..');
  // spawn (not spawnSync): the daemon in this process keeps serving meanwhile
  const child = spawn(process.execPath, ['--import', 'tsx', 'daemon/cli.ts', 'user', 'add', 'cli-admin', '--admin'], {
    cwd: root,
    env: { ...process.env, ...w.env, SIDEREAL_ADMIN_USER: '', SIDEREAL_ADMIN_PASSWORD: '', LOG_LEVEL: 'error' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end('cli-password-123\n');
  const code = await new Promise<number | null>((res) => child.on('exit', res));
  assert.equal(code, 0, stderr);
  assert.match(stdout, /created admin cli-admin/);
  assert.ok(await loginToken(w.url, 'cli-admin', 'cli-password-123'));
});
