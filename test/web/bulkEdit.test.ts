// Bulk edit on a real daemon (web role only: the test stitches itself) with
// realistic seeded images: POST /api/v1/images/bulk-edit by ids and by query
// (the whole query, not a page), validated against the OpenAPI document;
// permissions and 400 problems; the gallery's no-JavaScript form with its
// confirmation step; and files catalogued but not processed shown as work in
// progress instead of "Nothing matches".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'slonik';
import { z } from 'zod';
import { waitFor } from '../helpers/daemon.ts';
import { ADMIN, BrowserSession, createUser, startWebDaemon, type WebDaemon } from './helpers.ts';
import { OpenApiValidator } from './openapiValidator.ts';
import { seedImages, type SeedSpec } from './seedImages.ts';
import { Stitcher } from '../../daemon/catalog/stitching/Stitcher.ts';
import { log } from '../../daemon/log.ts';

let w: WebDaemon;
let v: OpenApiValidator;
let specs: SeedSpec[];
let member: { id: string; token: string; password: string };

async function call(method: string, path: string, options: { json?: unknown; token?: string | null } = {}) {
  const res = await w.api(path, { method, json: options.json, token: options.token });
  const type = res.headers.get('content-type');
  const body = type?.includes('json') ? await res.json() : await res.text();
  v.check(method, path, res.status, type, body);
  return { status: res.status, body: body as any };
}

const bulk = (json: unknown, token?: string | null) => call('POST', '/api/v1/images/bulk-edit', { json, token });

async function stitch(ids: string[]) {
  const s = new Stitcher({ db: w.db.pool, log });
  for (const id of ids) await s.stitch(id);
}

async function editsOf(id: string): Promise<Record<string, any> | null> {
  return w.db.pool.maybeOneFirst(sql.type(z.object({ edits: z.record(z.any()) }))`select edits from user_edits where image_id = ${id}`);
}

/** Processing state of images (the bulk edit makes them due like a single edit). */
async function dueCount(ids: string[]): Promise<number> {
  return w.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from images_unprocessed where id = any(${sql.array(ids, 'uuid')}) and next_update_at <= now() and processed_generation < generation`);
}

before(async () => {
  w = await startWebDaemon({ roles: ['web'] });
  v = new OpenApiValidator(await (await w.api('/api/openapi.json')).json());
  specs = await seedImages(w.db.pool, { count: 90, seed: 11 });
  member = await createUser(w, 'bulkmember');
});
after(async () => {
  await w?.stop();
});

const lights = () => specs.filter((s) => s.results.some((r) => r.agent === 'file' && (r.facts as any)?.frameType === 'light'));

test('bulk-edit is documented in the OpenAPI document', async () => {
  const doc = v.doc as any;
  const op = doc.paths['/api/v1/images/bulk-edit']?.post;
  assert.ok(op, 'documented');
  assert.equal(op.operationId, 'bulkEditImages');
  assert.ok(op.requestBody.content['application/json'].schema);
  assert.ok(op.responses['200'] && op.responses['400'] && op.responses['401']);
});

test('by ids: target, frame type and notes change on every image, through the rules of a single edit', async () => {
  const ids = lights().slice(0, 3).map((s) => s.id);
  const r = await bulk({ ids, patch: { target: 'm 31', frameType: 'master', notes: 'first night' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { changed: 3 });
  assert.equal(await dueCount(ids), 3, 'the images are due again, like after a single edit');
  for (const id of ids) assert.deepEqual(await editsOf(id), { target: 'M31', frameType: 'master', notes: 'first night' });
  // appended notes go on a line of their own; the other corrections stay
  assert.deepEqual((await bulk({ ids, patch: { notes: 'clouds after 1 am', notesMode: 'append' } })).body, { changed: 3 });
  await stitch(ids);
  for (const id of ids) {
    const img = (await call('GET', `/api/v1/images/${id}`)).body;
    assert.equal(img.target, 'M31');
    assert.equal(img.frameType, 'master');
    assert.equal(img.notes, 'first night\nclouds after 1 am');
  }
  // free text that is no catalog name is kept as written (a comet)
  assert.equal((await bulk({ ids: ids.slice(0, 1), patch: { target: 'C/2023 A3 Tsuchinshan-ATLAS' } })).status, 200);
  assert.equal((await editsOf(ids[0]!))!.target, 'C/2023 A3 Tsuchinshan-ATLAS');
});

test('equipment: a camera or telescope of the register replaces that item only', async () => {
  const telescopes = (await call('GET', '/api/v1/equipment?type=telescope')).body.items as { id: string; name: string }[];
  const ids = lights().slice(5, 9).map((s) => s.id);
  const before = await Promise.all(ids.map(async (id) => (await call('GET', `/api/v1/images/${id}`)).body));
  const choice = telescopes.find((t) => before.some((img) => !img.equipment.some((e: any) => e.id === t.id)))!;
  assert.deepEqual((await bulk({ ids, patch: { telescope: choice.id } })).body, { changed: 4 });
  await stitch(ids);
  for (const [i, id] of ids.entries()) {
    const img = (await call('GET', `/api/v1/images/${id}`)).body;
    const types = (img.equipment as { id: string; type: string }[]).filter((e) => e.type === 'telescope');
    assert.deepEqual(types.map((e) => e.id), [choice.id], 'the one telescope is the chosen one');
    const oldCamera = before[i].equipment.find((e: any) => e.type === 'camera');
    if (oldCamera) assert.ok(img.equipment.some((e: any) => e.id === oldCamera.id), 'the camera stays');
  }
  // a camera id that is a telescope is refused
  const wrong = await bulk({ ids, patch: { camera: choice.id } });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body.detail ?? wrong.body.title, /camera/);
});

test('by query: every image the query matches changes, not one page of it', async () => {
  const listed = (await call('GET', '/api/v1/images?frameType=all&limit=10')).body;
  assert.ok(listed.total > 50, 'more images than a page');
  const r = await bulk({ query: { frameType: 'all', limit: '10', cursor: 'x' }, patch: { notes: 'archive 2026', notesMode: 'append' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.changed, listed.total);
  const tagged = await w.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from user_edits where edits->>'notes' like '%archive 2026'`);
  assert.equal(tagged, listed.total);
  // a narrower query: lights by one camera (calibration frames left out as in the gallery)
  const camera = (await call('GET', '/api/v1/equipment?type=camera')).body.items[0];
  const some = (await call('GET', `/api/v1/images?camera=${camera.id}&limit=1`)).body.total;
  assert.ok(some > 0);
  assert.deepEqual((await bulk({ query: { camera: camera.id }, patch: { frameType: 'light' } })).body, { changed: some });
  // JSON values (numbers, booleans) mean what they mean in a query string
  const unsolved = (await call('GET', '/api/v1/images?solved=false&integrationMin=60&limit=1')).body.total;
  assert.ok(unsolved > 0);
  assert.deepEqual((await bulk({ query: { solved: false, integrationMin: 60 }, patch: { notes: 'unsolved', notesMode: 'append' } })).body, { changed: unsolved });
  // a query that matches nothing changes nothing
  assert.deepEqual((await bulk({ query: { q: 'no-such-words-anywhere' }, patch: { notes: 'x' } })).body, { changed: 0 });
});

test('members may bulk-edit like single edits; no login is 401', async () => {
  const id = lights()[12]!.id;
  assert.deepEqual((await bulk({ ids: [id], patch: { notes: 'by a member' } }, member.token)).body, { changed: 1 });
  assert.equal((await editsOf(id))!.notes, 'by a member');
  assert.equal((await bulk({ ids: [id], patch: { notes: 'anonymous' } }, null)).status, 401);
  assert.equal((await editsOf(id))!.notes, 'by a member');
});

test('bad requests (an unknown image among the ids too) are 400 problems and change nothing', async () => {
  const id = lights()[13]!.id;
  const before = await editsOf(id);
  const cases: [unknown, number][] = [
    [{ ids: [], patch: { notes: 'x' } }, 400],
    [{ ids: [id], patch: {} }, 400],
    [{ ids: [id], patch: { frameType: 'selfie' } }, 400],
    [{ ids: [id], patch: { notes: 'x', mystery: 1 } }, 400],
    [{ ids: [id], query: {}, patch: { notes: 'x' } }, 400],
    [{ patch: { notes: 'x' } }, 400],
    [{ ids: ['not-a-uuid'], patch: { notes: 'x' } }, 400],
    [{ ids: [id], patch: { target: 'x'.repeat(101) } }, 400],
    [{ query: { constellation: 'Atlantis' }, patch: { notes: 'x' } }, 400],
    [{ ids: [id, '00000000-0000-4000-8000-000000000000'], patch: { notes: 'x' } }, 400],
  ];
  for (const [json, status] of cases) {
    const r = await bulk(json);
    assert.equal(r.status, status, `${JSON.stringify(json)} → ${r.status} ${JSON.stringify(r.body)}`);
  }
  assert.deepEqual(await editsOf(id), before, 'nothing was written');
  // appended notes longer than a single edit allows roll the whole edit back
  const [long, short] = lights().slice(14, 16).map((s) => s.id);
  assert.equal((await bulk({ ids: [long], patch: { notes: 'n'.repeat(9_990) } })).status, 200);
  const over = await bulk({ ids: [short, long], patch: { notes: 'twenty characters!!!', notesMode: 'append' } });
  assert.equal(over.status, 400);
  assert.match(over.body.detail, /10,000/);
  assert.equal((await editsOf(long))!.notes.length, 9_990);
  assert.doesNotMatch(String((await editsOf(short!))?.notes), /twenty/, 'the other image is not changed either');
});

test('the gallery form without JavaScript: select, edit form, confirmation with the count, then the edit', async () => {
  const b = new BrowserSession(w.url);
  assert.equal((await b.login(ADMIN.username, ADMIN.password)).status, 303);
  const gallery = await b.get('/?sort=name');
  assert.match(gallery.text, /<form id="bulk"[^>]*method="post" action="\/images\/bulk"/);
  const ids = [...gallery.text.matchAll(/name="ids" value="([0-9a-f-]{36})"/g)].map((m) => m[1]!).slice(0, 2);
  assert.equal(ids.length, 2);
  // nothing ticked: a message, nothing changes
  const none = await b.post('/images/bulk', { scope: 'ids', query: 'sort=name' });
  assert.equal(none.res.status, 422);
  assert.match(none.text, /Tick the images/);
  // step 1: the edit form for the ticked images
  const form = await b.post('/images/bulk', { scope: 'ids', query: 'sort=name', ids });
  assert.equal(form.res.status, 200);
  assert.match(form.text, /Edit 2 images/);
  // step 2: a confirmation that says how many images change
  const patch = { target: 'NGC 7000', frameType: '', camera: '', telescope: '', notes: 'from the form', notesMode: 'replace' };
  const confirm = await b.post('/images/bulk', { stage: 'confirm', scope: 'ids', query: 'sort=name', ids: ids.join(','), ...patch });
  assert.equal(confirm.res.status, 200);
  assert.match(confirm.text, /Change 2 images\?/);
  assert.match(confirm.text, /name="confirm" value="yes"/);
  // a bare apply without confirm=yes asks again and changes nothing
  const bare = await b.post('/images/bulk', { stage: 'apply', scope: 'ids', query: 'sort=name', ids: ids.join(','), ...patch });
  assert.match(bare.text, /Change 2 images\?/);
  for (const id of ids) assert.notEqual((await editsOf(id))?.notes, 'from the form');
  // a bad value goes back to the form with its message (422)
  const bad = await b.post('/images/bulk', { stage: 'confirm', scope: 'ids', query: 'sort=name', ids: ids.join(','), ...patch, frameType: 'selfie' });
  assert.equal(bad.res.status, 422);
  assert.match(bad.text, /frameType/);
  // step 3: confirmed
  const done = await b.post('/images/bulk', { stage: 'apply', confirm: 'yes', scope: 'ids', query: 'sort=name', ids: ids.join(','), ...patch });
  assert.equal(done.res.status, 303);
  assert.equal(done.res.headers.get('location'), '/?sort=name&notice=saved');
  for (const id of ids) {
    const e = (await editsOf(id))!;
    assert.equal(e.target, 'NGC 7000');
    assert.equal(e.notes, 'from the form');
    assert.equal(e.frameType, undefined, 'an empty field leaves the frame type alone');
  }
  // "edit all N matching" sends the query, and the confirmation counts the whole query
  const total = (await call('GET', '/api/v1/images?frameType=flat&limit=1')).body.total;
  assert.ok(total > 0);
  const all = await b.post('/images/bulk', { scope: 'query', query: 'frameType=flat&cursor=abc' });
  assert.match(all.text, new RegExp(`Edit ${total} image`));
  const allConfirm = await b.post('/images/bulk', { stage: 'confirm', scope: 'query', query: 'frameType=flat', ids: '', ...patch, target: '', notes: '', frameType: 'darkflat' });
  assert.match(allConfirm.text, new RegExp(`Change ${total} image`));
});

test('files catalogued but not processed are shown as work in progress, not "Nothing matches"', async () => {
  // two uploads: catalogued at once, never processed by this web-only daemon
  const body = new FormData();
  body.append('files', new Blob([new Uint8Array(2880).fill(32)]), 'wip-1.fits');
  body.append('files', new Blob([new Uint8Array(2880).fill(32)]), 'wip-2.fits');
  const up = await w.api('/api/v1/images', { method: 'POST', body });
  assert.equal(up.status, 202);
  const b = new BrowserSession(w.url);
  await b.login(ADMIN.username, ADMIN.password);
  const pending = await w.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from images_unprocessed where lease_owner is not null or next_update_at <= now() or (last_error is null and processed_generation < generation)`);
  assert.ok(pending >= 2);
  let last = '';
  const none = await waitFor(async () => {
    const r = await b.get('/?q=no-such-words-anywhere');
    last = r.text;
    return r.text.includes(`${pending} files being processed`) ? r.text : null;
  }, { what: 'the gallery counts the files being processed', timeoutMs: 8000 }).catch((err) => {
    throw new Error(`${err.message}: expected ${pending}, the page says ${/class="callout progress-note"[^]*?<\/p>|class="empty"[^]*?<\/div>/.exec(last)?.[0]}`);
  });
  assert.match(none, /Nothing matches these filters yet: \d+ files are still being processed/);
  assert.doesNotMatch(none, /Nothing matches these filters\./);
  assert.match(none, /href="\/admin\/queue"/, 'admins get a link to the queue');
  assert.match((await b.get('/upload')).text, /files being processed/);
  // a member sees the progress without the admin link
  const m = new BrowserSession(w.url);
  await m.login('bulkmember', member.password);
  const page = (await m.get('/')).text;
  assert.match(page, /files being processed/);
  assert.doesNotMatch(page, /href="\/admin\/queue"/);
});
