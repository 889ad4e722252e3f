// The HTML side without a browser: forms that fail validation come back with
// their message and values; bad query parameters give a 400 page, never a
// 500; htmx gets fragments (Vary: HX-Request) and clean pushed URLs; the CSP
// holds on every page (no inline script or style).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, BrowserSession, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages, type SeedSpec } from './seedImages.ts';

let w: WebDaemon;
let b: BrowserSession;
let specs: SeedSpec[];

before(async () => {
  w = await startWebDaemon({ roles: ['web'] });
  specs = await seedImages(w.db.pool, { count: 30, seed: 3 });
  b = new BrowserSession(w.url);
  assert.equal((await b.login(ADMIN.username, ADMIN.password)).status, 303);
});
after(async () => {
  await w?.stop();
});

const alertText = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1] ?? '';

test('a form that fails validation is rendered again with its message and the values typed', async () => {
  await b.get('/equipment/new');
  const empty = await b.post('/equipment', { type: 'camera', name: '', aliases: 'My Cam\nMC', notes: 'kept' });
  assert.equal(empty.res.status, 422);
  assert.match(alertText(empty.text), /name/);
  assert.match(empty.text, />My Cam\nMC</, 'the aliases typed are still there');
  assert.match(empty.text, />kept</);
  const badType = await b.post('/equipment', { type: 'spaceship', name: 'X' });
  assert.equal(badType.res.status, 422);
  assert.match(alertText(badType.text), /type must be one of/);
  const ok = await b.post('/equipment', { type: 'camera', name: 'Form Camera' });
  assert.equal(ok.res.status, 303);
  const dup = await b.post('/equipment', { type: 'camera', name: 'form camera' });
  assert.equal(dup.res.status, 409);
  assert.match(alertText(dup.text), /exists already/);

  await b.get('/admin/users');
  const weak = await b.post('/admin/users', { username: 'newbie', password: 'short', role: 'member' });
  assert.equal(weak.res.status, 422);
  assert.match(alertText(weak.text), /at least 8 characters/);
  assert.match(weak.text, /value="newbie"/);

  await b.get('/account');
  const mismatch = await b.post('/account/password', { current: ADMIN.password, password: 'new-password-1', confirm: 'new-password-2' });
  assert.equal(mismatch.res.status, 422);
  assert.match(mismatch.text, /the two new passwords differ/);

  const image = specs.find((s) => s.target)!;
  await b.get(`/images/${image.id}`);
  const edit = await b.post(`/images/${image.id}/edit`, { target: 'x'.repeat(101), frameType: 'light', notes: 'my notes' });
  assert.equal(edit.res.status, 422);
  assert.match(alertText(edit.text), /at most 100 characters/);
  assert.match(edit.text, />my notes</);
  // a target outside the catalog (a comet) is kept as written
  const comet = await w.api(`/api/v1/images/${image.id}`, { method: 'PATCH', json: { target: ' C/2023 A3  (Tsuchinshan–ATLAS) ' } });
  assert.equal(comet.status, 200);
  assert.equal((await comet.json()).target, 'C/2023 A3 (Tsuchinshan–ATLAS)');
  const pleiades = await w.api(`/api/v1/images/${image.id}`, { method: 'PATCH', json: { target: 'Pleiades' } });
  assert.equal((await pleiades.json()).target, 'M45', 'a catalog name becomes its id');

  await b.get('/admin/agents');
  const settings = await b.post('/admin/agents/preview', { 'settings.previewSize': '5' });
  assert.equal(settings.res.status, 422);
  assert.match(settings.text, /previewSize: at least 256/);
});

test('a bad query parameter gives a 400 page, never a 500', async () => {
  for (const q of ['/?hemisphere=east', '/?integrationMinH=lots', '/?cursor=%%%', '/?constellation=Atlantis', '/?sort=random', '/objects?constellation=Atlantis', '/objects?cursor=zzz', '/equipment?type=boat', '/targets?cursor=zz', '/images/not-an-id', '/targets/No%20Such%20Thing%2099']) {
    const { res, text } = await b.get(q);
    assert.ok(res.status === 400 || res.status === 404, `${q}: ${res.status}`);
    assert.match(text, /<h1>(400|404) ·/, q);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  }
});

test('htmx requests get fragments, a clean pushed URL and Vary: HX-Request; a history restore gets the page', async () => {
  const full = await b.get('/?q=&target=&hemisphere=north&camera=');
  assert.match(full.text, /<!doctype html>/i);
  assert.equal(full.res.headers.get('vary'), 'HX-Request');
  const part = await b.get('/?q=&target=&hemisphere=north&camera=', { 'HX-Request': 'true' });
  assert.doesNotMatch(part.text, /<html/);
  assert.match(part.text, /class="results-head"/);
  assert.equal(part.res.headers.get('hx-push-url'), '/?hemisphere=north');
  const restore = await b.get('/?hemisphere=north', { 'HX-Request': 'true', 'HX-History-Restore-Request': 'true' });
  assert.match(restore.text, /<!doctype html>/i);
  const suggestions = await b.get('/suggest/targets?target=M4', { 'HX-Request': 'true' });
  assert.match(suggestions.text, /<option value="M42">M42 · /);
  // an htmx request that fails gets a small fragment, not a whole page
  const failed = await b.get('/?hemisphere=east', { 'HX-Request': 'true' });
  assert.equal(failed.res.status, 400);
  assert.doesNotMatch(failed.text, /<html/);
  assert.match(failed.text, /class="error"/);
});

test('security headers on every page, and no inline script or style anywhere', async () => {
  const image = specs.find((s) => s.target)!;
  for (const path of ['/', `/images/${image.id}`, '/targets', '/objects', '/equipment', '/sky', '/upload', '/account', '/admin', '/admin/agents', '/admin/queue', '/admin/keywords', '/admin/users', '/admin/tokens', '/api/docs', '/login']) {
    const { res, text } = await b.get(path);
    assert.ok(res.status === 200 || (path === '/login' && res.status === 302), `${path}: ${res.status}`);
    if (res.status !== 200) continue;
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(text, /<script(?![^>]*\ssrc=)[^>]*>/, `${path}: inline script`);
    assert.doesNotMatch(text, /\sstyle="/, `${path}: inline style attribute`);
    assert.doesNotMatch(text, /<style/, `${path}: style element`);
    assert.doesNotMatch(text, /\son[a-z]+="/, `${path}: inline event handler`);
  }
});
