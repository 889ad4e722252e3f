// The JSON API on a real daemon: every response is validated against the
// OpenAPI document the server publishes; searches on realistic seeded images
// (stitched by the real Stitcher); bad parameters are 400 problems, never
// 500; equipment, objects, targets, sky map, agents; every admin operation
// answers 401/403 without the right role; a FITS upload is processed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../helpers/daemon.ts';
import { createUser, startWebDaemon, type WebDaemon } from './helpers.ts';
import { OpenApiValidator } from './openapiValidator.ts';
import { seedImages, type SeedSpec } from './seedImages.ts';
import { fitsFixture } from '../helpers/fixtures.ts';

let w: WebDaemon;
let v: OpenApiValidator;
let specs: SeedSpec[];
let member: { id: string; token: string };

/** Calls the API and validates the answer against the OpenAPI document. */
async function call(method: string, path: string, options: { json?: unknown; token?: string | null; body?: RequestInit['body']; headers?: Record<string, string> } = {}) {
  const res = await w.api(path, { method, json: options.json, token: options.token, body: options.body, headers: options.headers });
  const type = res.headers.get('content-type');
  const body = type?.includes('json') ? await res.json() : await res.arrayBuffer();
  v.check(method, path, res.status, type, body);
  return { status: res.status, body: body as any, headers: res.headers };
}

before(async () => {
  w = await startWebDaemon({ builtinAgents: ['file', 'preview'] });
  const doc = await (await w.api('/api/openapi.json')).json();
  v = new OpenApiValidator(doc);
  specs = await seedImages(w.db.pool, { count: 120, seed: 7 });
  member = await createUser(w, 'member');
});
after(async () => {
  await w?.stop();
});

const facts = (s: SeedSpec, agent: string) => s.results.find((r) => r.agent === agent && r.status === 'done')?.facts as any;
const isCalibration = (s: SeedSpec) => ['dark', 'flat', 'bias', 'darkflat'].includes(facts(s, 'file').frameType);

test('the OpenAPI 3.1 document describes every operation, with schemas and problems', async () => {
  const doc = await (await w.api('/api/openapi.json')).json();
  assert.equal(doc.openapi, '3.1.0');
  for (const p of ['/api/v1/images', '/api/v1/images/{id}', '/api/v1/images/{id}/thumbnail', '/api/v1/images/{id}/agents/{agent}/run', '/api/v1/equipment/{id}', '/api/v1/objects', '/api/v1/agents', '/api/v1/auth/login', '/health', '/status']) {
    assert.ok(doc.paths[p], `${p} documented`);
  }
  const list = doc.paths['/api/v1/images'].get;
  const names = list.parameters.map((p: { name: string }) => p.name);
  for (const n of ['target', 'constellation', 'hemisphere', 'camera', 'telescope', 'filter', 'equipment', 'integrationMin', 'integrationMax', 'capturedFrom', 'capturedTo', 'frameType', 'q', 'limit', 'cursor', 'sort']) assert.ok(names.includes(n), n);
  // the agents' fact filters, as documented name patterns
  for (const n of ['facts.{agent}.{path}', 'facts.{agent}.{path}.min', 'facts.{agent}.{path}.max']) {
    const p = list.parameters.find((x: { name: string }) => x.name === n);
    assert.ok(p && p.in === 'query' && !p.required && /Pattern/.test(p.description), n);
  }
  assert.equal(list.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/ImagePage');
  assert.ok(list.responses['400'].content['application/problem+json']);
  assert.equal(doc.paths['/api/v1/agents'].get['x-sidereal-access'], 'admin');
  const page = await w.api('/api/docs');
  const html = await page.text();
  assert.equal(page.status, 200);
  assert.match(html, /listImages|Search images/);
  assert.doesNotMatch(html, /<script(?![^>]*src="\/static\/)/, 'no inline or external scripts on the docs page');
});

test('the gallery search: default hides calibration frames; three criteria combine; pages and sorts', async () => {
  const all = await call('GET', '/api/v1/images?limit=200&frameType=all');
  assert.equal(all.body.total, specs.length);
  const def = await call('GET', '/api/v1/images?limit=200');
  assert.equal(def.body.total, specs.filter((s) => !isCalibration(s)).length);
  assert.ok(def.body.items.every((i: any) => !['dark', 'flat', 'bias', 'darkflat'].includes(i.frameType)));

  // three criteria: a target, its hemisphere and a camera it was shot with
  const light = specs.find((s) => s.target && facts(s, 'objects')?.hemisphere && facts(s, 'platesolve'))!;
  const camera = facts(light, 'file').acquisition.camera;
  const hemi = facts(light, 'objects').hemisphere;
  const expected = specs.filter((s) => s.target?.id === light.target!.id && facts(s, 'objects')?.hemisphere === hemi && facts(s, 'file').acquisition.camera === camera).map((s) => s.id).sort();
  const q = `/api/v1/images?target=${encodeURIComponent(light.target!.id)}&hemisphere=${hemi}&camera=${encodeURIComponent(camera)}&limit=200`;
  const found = await call('GET', q);
  assert.deepEqual(found.body.items.map((i: any) => i.id).sort(), expected);
  assert.ok(expected.length >= 1);
  // the target by its common name resolves to the same object
  if (light.target!.name) {
    const byName = await call('GET', `/api/v1/images?target=${encodeURIComponent(light.target!.name)}&limit=200`);
    assert.ok(byName.body.items.some((i: any) => i.id === light.id));
  }
  // integration range, dates, constellation, filter
  const long = await call('GET', '/api/v1/images?integrationMin=3600&limit=200');
  assert.ok(long.body.items.length > 0 && long.body.items.every((i: any) => i.integration.totalSeconds >= 3600));
  const y2023 = await call('GET', '/api/v1/images?capturedFrom=2023-01-01&capturedTo=2023-12-31&limit=200&frameType=all');
  assert.equal(y2023.body.total, specs.filter((s) => facts(s, 'file').dates.captured.startsWith('2023')).length);
  const con = light.target!.constellation!;
  const inCon = await call('GET', `/api/v1/images?constellation=${con}&limit=200`);
  assert.ok(inCon.body.items.length > 0 && inCon.body.items.every((i: any) => i.location.constellation === con));
  const ha = await call('GET', '/api/v1/images?filter=Ha&limit=200');
  assert.ok(ha.body.items.every((i: any) => i.acquisition.filter === 'Ha' || i.integration.byFilter.some((f: any) => f.filter === 'Ha')));
  // pages: cursor walks the whole result without overlap
  const seen = new Set<string>();
  let cursor: string | null = null;
  do {
    const p = await call('GET', `/api/v1/images?limit=25${cursor ? `&cursor=${cursor}` : ''}&sort=integration`);
    for (const i of p.body.items) seen.add(i.id);
    cursor = p.body.next;
  } while (cursor);
  assert.equal(seen.size, def.body.total);
  const sorted = await call('GET', '/api/v1/images?sort=integration&limit=20');
  const secs = sorted.body.items.map((i: any) => i.integration.totalSeconds ?? -1);
  assert.deepEqual(secs, [...secs].sort((a: number, b: number) => b - a));
});

test('a bad query parameter is a 400 problem, never a 500', async () => {
  for (const q of ['integrationMin=abc', 'limit=1000', 'limit=0', 'hemisphere=east', 'cursor=zzzz', 'constellation=Nowhere', 'capturedFrom=yesterday', 'sort=random', 'frameType=selfie', 'equipment=not-a-uuid', 'integrationMin=10&integrationMax=5', 'ra=10&dec=20']) {
    const r = await call('GET', `/api/v1/images?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.ok(r.body.detail.length > 3, q);
  }
  assert.equal((await call('GET', '/api/v1/objects?limit=abc')).status, 400);
  assert.equal((await call('GET', '/api/v1/equipment?type=spaceship')).status, 400);
  assert.equal((await call('GET', '/api/v1/images/not-a-uuid')).status, 400);
  assert.equal((await call('GET', '/api/v1/images/00000000-0000-4000-8000-000000000000')).status, 404);
  assert.equal((await call('POST', '/api/v1/equipment', { json: { type: 'camera' } })).status, 400);
  const malformed = await w.api('/api/v1/equipment', { method: 'POST', body: '{"type": "camera",', headers: { 'content-type': 'application/json' } });
  assert.equal(malformed.status, 400);
});

test('one image with its file facts and every header card', async () => {
  const s = specs.find((x) => x.target && facts(x, 'platesolve'))!;
  const img = await call('GET', `/api/v1/images/${s.id}`);
  assert.equal(img.body.astrometry.ra.toFixed(4), facts(s, 'platesolve').ra.toFixed(4));
  assert.ok(img.body.equipment.some((e: any) => e.type === 'camera'));
  const file = await call('GET', `/api/v1/images/${s.id}/file`);
  assert.equal(file.body.status, 'done');
  assert.ok(file.body.headers.some((h: any) => h.key === 'INSTRUME'));
  assert.equal(file.body.facts.headers, undefined, 'headers are listed once');
});

test('equipment: create, conflict, aliases re-link images, merge, delete', async () => {
  const created = await call('POST', '/api/v1/equipment', { json: { type: 'camera', name: 'My Main Camera', aliases: ['Main Cam'] } });
  assert.equal(created.status, 201);
  assert.equal((await call('POST', '/api/v1/equipment', { json: { type: 'camera', name: 'my main camera' } })).status, 409);
  const list = await call('GET', '/api/v1/equipment?type=camera');
  const asi = list.body.items.find((e: any) => e.name === 'ZWO ASI2600MM Pro');
  assert.ok(asi.imageCount > 0);
  // the alias belongs to the auto item: taking it is a conflict; merging is the way
  assert.equal((await call('PATCH', `/api/v1/equipment/${created.body.id}`, { json: { aliases: ['Main Cam', 'ZWO ASI2600MM Pro'] } })).status, 409);
  const merged = await call('POST', `/api/v1/equipment/${asi.id}/merge`, { json: { into: created.body.id } });
  assert.equal(merged.status, 200);
  assert.deepEqual(merged.body.aliases.sort(), ['Main Cam', 'ZWO ASI2600MM Pro'].sort());
  assert.equal(merged.body.imageCount, asi.imageCount);
  assert.equal((await call('GET', `/api/v1/equipment/${asi.id}`)).status, 404);
  const detail = await call('GET', `/api/v1/equipment/${created.body.id}?limit=5`);
  assert.equal(detail.body.images.total, asi.imageCount);
  // in use: delete is refused; rename works
  assert.equal((await call('DELETE', `/api/v1/equipment/${created.body.id}`)).status, 409);
  assert.equal((await call('PATCH', `/api/v1/equipment/${created.body.id}`, { json: { name: 'Main camera (2600MM)' } })).body.name, 'Main camera (2600MM)');
  const spare = await call('POST', '/api/v1/equipment', { json: { type: 'filter', name: 'Spare Ha 3nm' }, token: member.token });
  assert.equal(spare.status, 201, 'members manage equipment too');
  assert.equal((await call('DELETE', `/api/v1/equipment/${spare.body.id}`, { token: member.token })).status, 204);
  assert.equal((await call('POST', `/api/v1/equipment/${created.body.id}/merge`, { json: { into: created.body.id } })).status, 400);
});

test('objects, targets (integration by filter across the library) and the sky map', async () => {
  const m31 = await call('GET', '/api/v1/objects?q=M31');
  assert.equal(m31.body.items[0].id, 'M31', 'an exact designation ranks first');
  const andromeda = await call('GET', '/api/v1/objects?q=Andromeda%20Galaxy');
  assert.ok(andromeda.body.items.some((o: any) => o.id === 'M31'));
  const imaged = await call('GET', '/api/v1/objects?imaged=true&limit=200');
  assert.ok(imaged.body.items.length > 0 && imaged.body.items.every((o: any) => o.imageCount > 0));
  assert.equal((await call('GET', '/api/v1/objects/M42')).body.name !== undefined, true);
  assert.equal((await call('GET', '/api/v1/objects/NOPE%20123')).status, 404);

  const targets = await call('GET', '/api/v1/targets');
  assert.ok(targets.body.total > 0);
  const t = targets.body.items[0];
  const detail = await call('GET', `/api/v1/targets/${encodeURIComponent(t.id)}`);
  // the sum over the lights of that target, by filter
  const lights = specs.filter((s) => facts(s, 'objects')?.primary === t.id && facts(s, 'file').frameType === 'light');
  const byFilter = new Map<string, number>();
  for (const s of lights) for (const f of facts(s, 'integration').byFilter) byFilter.set(f.filter, (byFilter.get(f.filter) ?? 0) + f.seconds);
  if (lights.length) {
    assert.deepEqual(Object.fromEntries(detail.body.byFilter.map((f: any) => [f.filter, f.seconds])), Object.fromEntries(byFilter));
    assert.equal(detail.body.lights, lights.length);
  }
  assert.ok(detail.body.images.items.length > 0);

  const sky = await call('GET', '/api/v1/skymap');
  const solved = specs.filter((s) => facts(s, 'platesolve')?.solved);
  assert.equal(sky.body.total, solved.length);
  const svg = await w.api('/api/v1/skymap.svg');
  const text = await svg.text();
  assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
  assert.equal((text.match(/class="fp"/g) ?? []).length, solved.length, 'one footprint per solved image');
  v.check('GET', '/api/v1/skymap.svg', svg.status, svg.headers.get('content-type'), null);
});

test('every admin operation answers 401 without a login and 403 for a member', async () => {
  const doc = v.doc as any;
  const image = specs[0]!.id;
  let checked = 0;
  for (const [template, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const path = template.replace('{id}', image).replace('{agent}', 'file').replace('{name}', 'file');
      const json = ['post', 'patch', 'put', 'delete'].includes(method) ? {} : undefined;
      if (op['x-sidereal-access'] === 'admin') {
        const anon = await call(method.toUpperCase(), path, { token: null, json });
        assert.equal(anon.status, 401, `${method} ${path} without a login`);
        const asMember = await call(method.toUpperCase(), path, { token: member.token, json });
        assert.equal(asMember.status, 403, `${method} ${path} as a member`);
        checked++;
      } else if (op['x-sidereal-access'] === 'user') {
        const anon = await w.api(path, { method: method.toUpperCase(), token: null, json });
        assert.equal(anon.status, 401, `${method} ${path} without a login`);
      }
    }
  }
  assert.ok(checked >= 12, `${checked} admin operations checked`);
});

test('agents: list with counts, settings validated, re-run by scope; queue and system', async () => {
  const agents = await call('GET', '/api/v1/agents');
  const preview = agents.body.items.find((a: any) => a.name === 'preview');
  assert.ok(preview.settingsSchema.previewSize);
  assert.equal((await call('PATCH', '/api/v1/agents/preview', { json: { settings: { previewSize: 10 } } })).status, 400);
  assert.equal((await call('PATCH', '/api/v1/agents/preview', { json: { settings: { nope: 1 } } })).status, 400);
  const patched = await call('PATCH', '/api/v1/agents/preview', { json: { settings: { previewSize: 1024 } } });
  assert.equal(patched.body.settings.previewSize, 1024);
  assert.equal((await call('PATCH', '/api/v1/agents/file', { json: { enabled: false } })).status, 400);
  const rerun = await call('POST', '/api/v1/agents/preview/run', { json: { scope: 'failed' } });
  assert.equal(rerun.status, 202);
  assert.equal((await call('POST', '/api/v1/agents/nope/run', { json: { scope: 'all' } })).status, 404);
  await call('GET', '/api/v1/queue');
  await call('GET', '/api/v1/system');
  await call('GET', '/status');
  await call('GET', '/health', { token: null });
});

test('an uploaded FITS file is stored, processed and appears enriched; an edit wins over the agents', async () => {
  const bytes = fitsFixture({ width: 640, height: 480 });
  const form = new FormData();
  form.append('files', new Blob([bytes]), 'M13_blue_0001.fits');
  const up = await call('POST', '/api/v1/images', { body: form, token: member.token });
  assert.equal(up.status, 202);
  const id = up.body.ids[0];
  const img = await waitFor(async () => {
    const r = await w.api(`/api/v1/images/${id}`);
    if (r.status !== 200) return null;
    const b = await r.json();
    return b.thumbnailUrl && b.agents.every((a: any) => a.status === 'done') ? b : null;
  }, { timeoutMs: 60_000, what: 'the upload to be processed' });
  v.check('GET', `/api/v1/images/${id}`, 200, 'application/json', img);
  assert.equal(img.source, 'upload');
  assert.equal(img.format, 'fits');
  assert.equal(img.sizeBytes, bytes.length);
  const thumb = await call('GET', img.thumbnailUrl);
  assert.equal(thumb.status, 200);
  const etag = thumb.headers.get('etag')!;
  assert.equal((await w.api(img.thumbnailUrl, { headers: { 'if-none-match': etag } })).status, 304);
  // an edit by a member: the image is stitched again with it
  const edit = await call('PATCH', `/api/v1/images/${id}`, { json: { notes: 'globular cluster test', target: 'M13' }, token: member.token });
  assert.equal(edit.status, 200);
  const edited = await waitFor(async () => {
    const b = await (await w.api(`/api/v1/images/${id}`)).json();
    return b.notes === 'globular cluster test' && b.target === 'M13' ? b : null;
  }, { timeoutMs: 30_000, what: 'the edit to be stitched' });
  assert.equal(edited.target, 'M13');
  // a target outside the catalog is kept as written (a comet, a planet); only an over-long one is refused
  assert.equal((await call('PATCH', `/api/v1/images/${id}`, { json: { target: 'x'.repeat(101) } })).status, 400);
  assert.equal((await call('PATCH', `/api/v1/images/${id}`, { json: { colour: 'blue' } })).status, 400);
  // admins re-run one agent on it
  assert.equal((await call('POST', `/api/v1/images/${id}/agents/preview/run`)).status, 202);
  const noFile = await call('POST', '/api/v1/images', { body: new FormData() });
  assert.equal(noFile.status, 400);
});

test('accounts through the API: users, tokens, password, second factor', async () => {
  const login = await call('POST', '/api/v1/auth/login', { json: { username: 'member', password: 'member-password-1' }, token: null });
  assert.equal(login.status, 200);
  assert.equal((await call('POST', '/api/v1/auth/login', { json: { username: 'member', password: 'wrong-wrong' }, token: null })).status, 401);
  assert.equal((await call('POST', '/api/v1/auth/login', { json: { username: 'member' }, token: null })).status, 400);
  const u = await call('POST', '/api/v1/users', { json: { username: 'apiuser', password: 'apiuser-password', role: 'member' } });
  assert.equal(u.status, 201);
  assert.equal((await call('POST', '/api/v1/users', { json: { username: 'ApiUser', password: 'apiuser-password' } })).status, 409);
  assert.equal((await call('POST', '/api/v1/users', { json: { username: 'short', password: 'x' } })).status, 400);
  assert.equal((await call('GET', `/api/v1/users/${u.body.id}`)).body.username, 'apiuser');
  assert.equal((await call('PATCH', `/api/v1/users/${u.body.id}`, { json: { role: 'admin' } })).body.role, 'admin');
  assert.ok((await call('GET', '/api/v1/users')).body.items.length >= 3);
  const token = login.body.token;
  const me = await call('GET', '/api/v1/me', { token });
  assert.equal(me.body.username, 'member');
  const created = await call('POST', '/api/v1/tokens', { json: { name: 'ci' }, token });
  assert.equal(created.status, 201);
  assert.ok((await call('GET', '/api/v1/tokens', { token })).body.items.some((t: any) => t.id === created.body.info.id));
  assert.ok((await call('GET', '/api/v1/admin/tokens')).body.items.some((t: any) => t.id === created.body.info.id));
  assert.equal((await call('DELETE', `/api/v1/tokens/${created.body.info.id}`, { token })).status, 204);
  const totp = await call('POST', '/api/v1/me/totp', { token });
  assert.equal(totp.status, 200);
  assert.equal((await call('POST', '/api/v1/me/totp/confirm', { json: { code: '123456' }, token })).status, 400);
  assert.equal((await call('DELETE', '/api/v1/me/totp', { json: { password: 'member-password-1' }, token })).status, 204);
  assert.equal((await call('POST', `/api/v1/users/${u.body.id}/totp/reset`)).status, 200);
  assert.equal((await call('POST', '/api/v1/me/password', { json: { current: 'wrong-wrong', password: 'new-password-1' }, token })).status, 400);
  const changed = await call('POST', '/api/v1/me/password', { json: { current: 'member-password-1', password: 'member-password-1' }, token });
  assert.equal(changed.status, 200);
  assert.equal(typeof changed.body.tokensRevoked, 'number');
  assert.equal((await call('DELETE', `/api/v1/users/${u.body.id}`)).status, 204);
});

test('sessions: list, one, CSV (content is tested on the real engine in test/engine/sessions.test.ts)', async () => {
  const list = await call('GET', '/api/v1/sessions?target=M31&limit=10');
  assert.equal(list.status, 200);
  assert.equal(list.body.total, list.body.items.length);
  assert.equal((await call('GET', '/api/v1/sessions?limit=500')).status, 400);
  assert.equal((await call('GET', '/api/v1/sessions?constellation=Nowhere')).status, 400);
  assert.equal((await call('GET', `/api/v1/sessions?cursor=${Buffer.from('s:2024-01-01||not-a-uuid').toString('base64url')}`)).status, 400);
  assert.equal((await call('GET', '/api/v1/sessions/00000000-0000-0000-0000-000000000000')).status, 404);
  assert.equal((await call('GET', '/api/v1/sessions/00000000-0000-0000-0000-000000000000/acquisition.csv')).status, 404);
  assert.equal((await call('GET', '/api/v1/sessions.csv?target=NoSuchThing')).status, 404);
  assert.equal((await call('GET', '/api/v1/sessions', { token: null })).status, 401);
});

test('coverage: the tests above called most documented operations', () => {
  const total = Object.values<any>((v.doc as any).paths).reduce((a, item) => a + Object.keys(item).length, 0);
  assert.ok(v.seen.size >= total * 0.9, `${v.seen.size} of ${total} operations validated`);
});
