// Security controls and hostile input on a real daemon behind a (simulated)
// trusted reverse proxy: client addresses from proxy hops, login limits per
// address and per account, bursts, revocation on a password change, NUL
// bytes, date ranges, request timeouts, and all-or-nothing uploads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { BrowserSession, createUser, loginToken, startWebDaemon, type WebDaemon } from './helpers.ts';
import { waitFor } from '../helpers/daemon.ts';
import { tinyFits } from '../helpers/library.ts';
import { passwordChecks } from '../../daemon/auth/passwords.ts';
import { runningUploads } from '../../daemon/web/api/upload.ts';

let w: WebDaemon;
before(async () => {
  w = await startWebDaemon({
    roles: ['web', 'work'],
    builtinAgents: ['file'],
    env: { SIDEREAL_TRUST_PROXY: 'true', SIDEREAL_REQUEST_TIMEOUT_MS: '1000', SIDEREAL_UPLOAD_MAX_MB: '1' },
  });
});
after(async () => {
  await w?.stop();
});

/** A login through the (simulated) proxy: `forwardedFor` is the X-Forwarded-For header it passes on. */
function login(username: string, password: string, forwardedFor: string) {
  return fetch(`${w.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify({ username, password }) });
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) if (e.isFile()) out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  return out;
}

test('behind a proxy, a client rotating its own X-Forwarded-For entries is still limited', async () => {
  await createUser(w, 'rotated');
  const statuses: number[] = [];
  // the client writes the first entries; the trusted proxy appends the address it saw
  for (let i = 0; i < 7; i++) statuses.push((await login('rotated', 'wrong-password', `10.${i}.${i}.1, 192.0.2.${i + 1}, 198.51.100.7`)).status);
  assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.equal(statuses[5], 429, 'the sixth wrong password from the same real address is refused');
  assert.equal(statuses[6], 429);
  // the limit is kept under the address the proxy saw, not under the client's claims
  const keys = await w.daemon.db.pool.anyFirst(sql.type(z.object({ key: z.string() }))`select key from login_attempts where key like ${'%rotated'}`);
  assert.ok(keys.includes('u:198.51.100.7|rotated'), JSON.stringify(keys));
});

test('40 parallel wrong logins get no more password checks than the limit', async () => {
  await createUser(w, 'burst');
  const before = passwordChecks.count;
  const res = await Promise.all(Array.from({ length: 40 }, () => login('burst', 'wrong-password', '198.51.100.20')));
  const checks = passwordChecks.count - before;
  assert.ok(checks <= 5, `${checks} password checks for 40 parallel attempts (limit 5)`);
  assert.equal(res.filter((r) => r.status === 401).length, checks);
  assert.equal(res.filter((r) => r.status === 429).length, 40 - checks);
});

test('failed logins of one account from many addresses slow it down, briefly', async () => {
  const u = await createUser(w, 'popular');
  for (let i = 0; i < 10; i++) assert.equal((await login('popular', 'wrong-password', `203.0.113.${i + 1}`)).status, 401);
  // an eleventh address, even with the right password, waits: the account is slowed down
  const slowed = await login('popular', u.password, '203.0.113.50');
  assert.equal(slowed.status, 429);
  const first = Number(slowed.headers.get('retry-after'));
  assert.ok(first > 0 && first <= 60, `a short wait, not a long lock-out (${first} s)`);
  // when the wait is over (simulated), another round of failures waits longer (doubling)
  await w.daemon.db.pool.query(sql.unsafe`update login_attempts set locked_until = now() where key = 'a:popular'`);
  for (let i = 0; i < 10; i++) assert.equal((await login('popular', 'wrong-password', `203.0.113.${i + 100}`)).status, 401);
  const second = Number((await login('popular', u.password, '203.0.113.51')).headers.get('retry-after'));
  assert.ok(second > first, `the second wait (${second} s) is longer than the first (${first} s)`);
  assert.ok(second <= 300, 'capped at a few minutes');
  // then the owner gets in, and the slate is clean
  await w.daemon.db.pool.query(sql.unsafe`update login_attempts set locked_until = now() where key = 'a:popular'`);
  assert.equal((await login('popular', u.password, '203.0.113.52')).status, 200);
});

test('a password change revokes API tokens and other sessions, keeping the one making it', async () => {
  const u = await createUser(w, 'changer');
  const other = await loginToken(w.url, 'changer', u.password);
  const b1 = new BrowserSession(w.url);
  const b2 = new BrowserSession(w.url);
  assert.equal((await b1.login('changer', u.password)).status, 303);
  assert.equal((await b2.login('changer', u.password)).status, 303);
  await b1.get('/account');
  const changed = await b1.post('/account/password', { current: u.password, password: 'changed-password-2', confirm: 'changed-password-2' });
  assert.equal(changed.res.status, 303);
  const page = await b1.get(changed.res.headers.get('location')!);
  assert.equal(page.res.status, 200, 'the session making the change stays');
  assert.match(page.text, /API tokens[^<]*revoked/);
  assert.equal((await b2.get('/account')).res.status, 302, 'the other browser session has ended');
  assert.equal((await w.api('/api/v1/me', { token: u.token })).status, 401, 'the 30-day login token is revoked');
  assert.equal((await w.api('/api/v1/me', { token: other })).status, 401);
  // through the API: the token making the change is kept, the others go
  const t1 = await loginToken(w.url, 'changer', 'changed-password-2');
  const t2 = await loginToken(w.url, 'changer', 'changed-password-2');
  const res = await w.api('/api/v1/me/password', { method: 'POST', token: t1, json: { current: 'changed-password-2', password: 'changed-password-3' } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { sessionsEnded: 1, tokensRevoked: 1 });
  assert.equal((await w.api('/api/v1/me', { token: t1 })).status, 200);
  assert.equal((await w.api('/api/v1/me', { token: t2 })).status, 401);
  // an admin's password reset revokes them too
  const t3 = await loginToken(w.url, 'changer', 'changed-password-3');
  assert.equal((await w.api(`/api/v1/users/${u.id}`, { method: 'PATCH', json: { password: 'reset-password-4' } })).status, 200);
  assert.equal((await w.api('/api/v1/me', { token: t3 })).status, 401);
});

test('a NUL byte anywhere in the input is a 400 problem, not a 500', async () => {
  const problem = async (res: Response, what: string) => {
    assert.equal(res.status, 400, what);
    if (res.headers.get('content-type')?.includes('json')) assert.equal(((await res.json()) as { status: number }).status, 400);
  };
  await problem(await w.api('/api/v1/images?q=M%0031'), 'query');
  await problem(await w.api('/api/v1/images?target%00=M31'), 'query key');
  await problem(await w.api('/api/v1/objects/M%0031'), 'path');
  await problem(await w.api('/api/v1/auth/login', { method: 'POST', token: null, json: { username: 'adm\u0000in', password: 'x' } }), 'JSON login');
  await problem(await w.api('/api/v1/equipment', { method: 'POST', json: { type: 'camera', name: 'ASI\u0000294' } }), 'JSON body');
  const b = new BrowserSession(w.url);
  await b.get('/login');
  await problem((await b.post('/login', { username: 'admin\u0000', password: 'x' })).res, 'login form');
  await problem(await fetch(`${w.url}/?q=%00`, { headers: { accept: 'text/html' }, redirect: 'manual' }), 'page query');
});

test('dates out of range or not on the calendar are a 400 in filters and edits', async () => {
  for (const d of ['2021-02-30', '1700-01-01', '99999-01-01', '-000001-01-01', '2024-13-01', 'yesterday']) {
    const res = await w.api(`/api/v1/images?capturedFrom=${encodeURIComponent(d)}`);
    assert.equal(res.status, 400, d);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
  }
  assert.equal((await w.api('/api/v1/images?capturedFrom=1890-05-01&capturedTo=2024-02-29')).status, 200);
  // an edit of the capture date (after an upload is catalogued)
  const form = new FormData();
  form.append('files', new Blob([tinyFits(7)]), 'dated.fits');
  const up = await w.api('/api/v1/images', { method: 'POST', body: form });
  assert.equal(up.status, 202);
  const id = (await up.json()).ids[0];
  await waitFor(async () => (await w.api(`/api/v1/images/${id}`)).status === 200, { timeoutMs: 60_000, what: 'the upload to be catalogued' });
  for (const captured of ['-000001-06-01T00:00:00Z', '1799-12-31', '2999-01-01T00:00:00Z']) {
    assert.equal((await w.api(`/api/v1/images/${id}`, { method: 'PATCH', json: { captured } })).status, 400, captured);
    await assert.rejects(w.daemon.services.images.edit({ id: 'x', username: 'admin', role: 'admin' }, id, { captured }), /captured/);
  }
  assert.equal((await w.api(`/api/v1/images/${id}`, { method: 'PATCH', json: { captured: '2024-03-01T21:30:00Z' } })).status, 200);
});

test('a request body that trickles in is cut after the timeout; an upload that keeps moving is not', async () => {
  const { port } = new URL(w.url);
  const closed = await new Promise<{ ms: number; answer: string }>((resolve, reject) => {
    const started = Date.now();
    const sock = connect(Number(port), '127.0.0.1');
    let answer = '';
    const drip = setInterval(() => sock.write('x'), 200);
    sock.on('data', (d) => (answer += d.toString()));
    sock.on('close', () => {
      clearInterval(drip);
      resolve({ ms: Date.now() - started, answer });
    });
    sock.on('error', () => undefined);
    sock.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{`);
    setTimeout(() => reject(new Error('the slow body was never cut')), 20_000).unref();
  });
  assert.match(closed.answer, /^HTTP\/1\.1 408/);
  // a multipart upload sending a chunk every 300 ms for longer than the body timeout goes through
  const boundary = 'sidereal-test-boundary';
  const fits = Buffer.from(tinyFits(11));
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="slow.fits"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, fits, tail]);
  const chunks = Array.from({ length: 8 }, (_, i) => body.subarray(Math.floor((i * body.length) / 8), Math.floor(((i + 1) * body.length) / 8)));
  const stream = new ReadableStream({
    async pull(ctrl) {
      const c = chunks.shift();
      if (!c) return ctrl.close();
      await new Promise((r) => setTimeout(r, 300));
      ctrl.enqueue(new Uint8Array(c));
    },
  });
  const res = await fetch(`${w.url}/api/v1/images`, { method: 'POST', body: stream, duplex: 'half', headers: { authorization: `Bearer ${w.adminToken}`, 'content-type': `multipart/form-data; boundary=${boundary}` } } as RequestInit);
  assert.equal(res.status, 202);
});

test('upload names are normalized and stored as UTF-8; an upload is all or nothing', async () => {
  const uploads = join(w.dataDir, 'uploads');
  const upload = async (...parts: [Uint8Array, string][]) => {
    const form = new FormData();
    for (const [bytes, name] of parts) form.append('files', new Blob([bytes]), name);
    return w.api('/api/v1/images', { method: 'POST', body: form });
  };
  const long = `${'M31-'.repeat(75)}.fits`;
  const res = await upload([tinyFits(21), '.fits'], [tinyFits(22), long], [tinyFits(23), 'Mâ31 Андромеда – 300s.fits'], [tinyFits(24), 'a:b*c?.fits']);
  assert.equal(res.status, 202);
  const items: { id: string; path: string }[] = (await res.json()).items;
  const names = items.map((i) => i.path.split('/').pop()!.slice(9)); // without the unique prefix
  assert.match(names[0]!, /^upload-[0-9a-f]{8}\.fits$/);
  assert.ok(Buffer.byteLength(names[1]!) <= 180 && names[1]!.endsWith('.fits') && names[1]!.startsWith('M31-M31-'), names[1]);
  assert.equal(names[2], 'Mâ31 Андромеда – 300s.fits'.normalize('NFC'));
  assert.equal(names[3], 'a_b_c_.fits');
  // all three are catalogued (none dropped by the watcher as a non-image name), names intact
  for (const it of items) {
    const rec = await waitFor(async () => {
      const r = await w.api(`/api/v1/images/${it.id}`);
      return r.status === 200 ? ((await r.json()) as { path: string }) : null;
    }, { timeoutMs: 60_000, what: 'the upload to be catalogued' });
    assert.equal(rec.path, it.path);
  }
  const stored = await files(uploads);
  assert.ok(stored.some((f) => f.endsWith('Mâ31 Андромеда – 300s.fits')), 'the UTF-8 name is on disk as sent');
  // one file over the limit (1 MB here): 413, and none of the files is kept
  const before = (await files(uploads)).length;
  const count = () => w.daemon.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from images_unprocessed where provider = 'upload'`);
  const total = await count();
  const big = new Uint8Array(1.5 * 1024 * 1024);
  const refused = await upload([tinyFits(31), 'kept-not.fits'], [big, 'too-big.fits'], [tinyFits(32), 'after.fits']);
  assert.equal(refused.status, 413);
  assert.equal((await files(uploads)).length, before, 'no file of the refused upload stays on disk');
  assert.equal(await count(), total, 'nothing was catalogued');
});

test('a user runs at most SIDEREAL_UPLOAD_CONCURRENCY (4) uploads at once; more get 429', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const boundary = 'sidereal-concurrency';
  const part = (name: string) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const send = (name: string, held: boolean) => {
    const chunks = [part(name), Buffer.from(tinyFits(name.length + 40)), tail];
    const body = new ReadableStream({
      async pull(ctrl) {
        const c = chunks.shift();
        if (!c) return ctrl.close();
        if (held && chunks.length === 1) await gate; // the header part goes out, the file waits
        ctrl.enqueue(new Uint8Array(c));
      },
    });
    return fetch(`${w.url}/api/v1/images`, { method: 'POST', body, duplex: 'half', headers: { authorization: `Bearer ${w.adminToken}`, 'content-type': `multipart/form-data; boundary=${boundary}` } } as RequestInit);
  };
  const adminId = (await w.getJson('/api/v1/me')).id;
  const held = Array.from({ length: 4 }, (_, i) => send(`held-${i}.fits`, true));
  let early: string | null = null;
  for (const p of held) p.then((r) => (early ??= `an upload answered ${r.status} before its file was sent`), (err) => (early ??= String(err)));
  await waitFor(() => early !== null || runningUploads(adminId) === 4, { timeoutMs: 30_000, what: 'four uploads to be running' });
  assert.equal(early, null);
  const refused = await send('extra.fits', false);
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('content-type'), 'application/problem+json');
  release();
  for (const res of await Promise.all(held)) assert.equal(res.status, 202);
  assert.equal((await send('after.fits', false)).status, 202, 'a slot is free again');
});

test('re-authentication (password change, second factor off) is rate limited like a login', async () => {
  const u = await createUser(w, 'reauth');
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await w.api('/api/v1/me/password', { method: 'POST', token: u.token, json: { current: 'wrong-password', password: 'whatever-password-1' } })).status);
  assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429]);
  const off = await w.api('/api/v1/me/totp', { method: 'DELETE', token: u.token, json: { password: u.password } });
  assert.equal(off.status, 429, 'the right password waits too');
  assert.ok(Number(off.headers.get('retry-after')) > 0);
});
