// The gallery's default view, "Sessions & stacks": one card per imaging
// session (made by the real Stitcher from seeded subs) and one per image in no
// session; the "Single frames" switch; the filters in both views; keyset paging
// that returns every card exactly once, forwards and backwards; the drill-down
// from a session to its subs; the `session` image filter of the API; the
// target page's timeline and the targets list's session counts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'slonik';
import { z } from 'zod';
import { ADMIN, BrowserSession, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages, type SeedSpec } from './seedImages.ts';
import { waitFor } from '../helpers/daemon.ts';
import { arrangeSessions, type ArrangedSession } from './seedSessions.ts';

let w: WebDaemon;
let b: BrowserSession;
let specs: SeedSpec[];
let planned: ArrangedSession[];
let stackId: string;
/** an image about which nothing is known but its file */
let bare: string;

/** A processed image with no date, no equipment, no integration and no target: its card must stay quiet. */
function knowNothing(all: SeedSpec[]): string {
  const s = all.find((x) => x.id !== stackId && x.target && ['master', 'processed'].includes((x.results.find((r) => r.agent === 'file')!.facts as any).frameType))!;
  const file = s.results.find((r) => r.agent === 'file')!.facts as any;
  file.dates = { captured: null, created: null, modified: null };
  file.acquisition = Object.fromEntries(Object.keys(file.acquisition).map((k) => [k, null]));
  file.headers = file.headers.filter((h: { key: string }) => ['SIMPLE', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'IMAGETYP'].includes(h.key));
  s.results = s.results.filter((r) => r.agent === 'file');
  s.target = null;
  return s.id;
}
/** planned session → its id */
let sessionIds: string[];

before(async () => {
  w = await startWebDaemon({ roles: ['web'] });
  specs = await seedImages(w.db.pool, { count: 60, seed: 7, derived: w.daemon.derived, arrange: (s) => {
    ({ sessions: planned, stackId } = arrangeSessions(s));
    bare = knowNothing(s);
  } });
  sessionIds = [];
  for (const p of planned) {
    const ids = await w.db.pool.anyFirst(sql.type(z.object({ session_id: z.string() }))`
      select distinct session_id from imaging_session_images where image_id = any(${sql.array(p.imageIds, 'uuid')})`);
    assert.equal(ids.length, 1, `the subs of the night ${p.night} are one session`);
    sessionIds.push(ids[0]!);
  }
  b = new BrowserSession(w.url);
  await b.login(ADMIN.username, ADMIN.password);
});
after(async () => {
  await w?.stop();
});

/** The cards of a gallery page: session ids and image ids, in page order. */
function cards(html: string): { sessions: string[]; images: string[]; order: string[] } {
  const grid = /<ul class="grid">([^]*?)<\/ul>/.exec(html)?.[1] ?? '';
  const order = [...grid.matchAll(/<li class="card[^"]*">\s*(?:<label[^]*?<\/label>\s*)?<a href="\/(sessions|images)\/([0-9a-f-]{36})/g)].map((m) => `${m[1]}/${m[2]}`);
  return { sessions: order.filter((x) => x.startsWith('sessions/')).map((x) => x.slice(9)), images: order.filter((x) => x.startsWith('images/')).map((x) => x.slice(7)), order };
}
const link = (html: string, rel: 'next' | 'prev') => new RegExp(`<a href="([^"]+)"[^>]*rel="${rel}"`).exec(html)?.[1]?.replace(/&amp;/g, '&') ?? null;

/** What the session view must list: every session and every non-calibration image in no session. */
async function expectedCards(): Promise<Set<string>> {
  const sessions = await w.db.pool.anyFirst(sql.type(z.object({ id: z.string() }))`select id from imaging_sessions`);
  const singles = await w.db.pool.anyFirst(sql.type(z.object({ id: z.string() }))`
    select id from images where not is_calibration and not exists (select 1 from imaging_session_images m where m.image_id = images.id)`);
  return new Set([...sessions.map((id) => `sessions/${id}`), ...singles.map((id) => `images/${id}`)]);
}

test('the default view: one card per session (acquisition line, total, night, gear) and per stack; subs are not cards', async () => {
  const { res, text } = await b.get('/');
  assert.equal(res.status, 200);
  const c = cards(text);
  const expected = await expectedCards();
  assert.ok(expected.size <= 50, 'one page holds the small library');
  assert.deepEqual(new Set(c.order), expected);
  assert.equal(c.order.length, expected.size, 'no card twice');
  for (const id of sessionIds) assert.ok(c.sessions.includes(id));
  const subs = new Set(planned.flatMap((p) => p.imageIds));
  assert.ok(!c.images.some((id) => subs.has(id)), 'a sub is inside its session card, not a card of its own');
  const stacks = specs.filter((s) => ['master', 'processed'].includes((s.results.find((r) => r.agent === 'file')!.facts as any).frameType));
  assert.ok(stacks.length > 0);
  for (const s of stacks) assert.ok(c.images.includes(s.id), 'every stack is a card');
  // the card of the first planned session: "Ha 2 × 600 s, L 4 × 300 s", 40 min, its night, its camera
  const card = new RegExp(`<a href="/sessions/${sessionIds[0]}">[^]*?</li>`).exec(text)![0];
  assert.match(card, /Ha 2 × 600 s, L 4 × 300 s/);
  assert.match(card, /40 min/);
  assert.match(card, /night of 2026-03-01/);
  assert.match(card, new RegExp(planned[0]!.targetId));
  assert.match(card, /6 subs/);
  assert.match(card, /<img src="\/api\/v1\/images\/[0-9a-f-]{36}\/thumbnail"/, 'the thumbnail of one of its subs');
  const cover = /\/api\/v1\/images\/([0-9a-f-]{36})\/thumbnail/.exec(card)![1]!;
  assert.ok(planned[0]!.imageIds.includes(cover));
  assert.match(card, /class="meta gear">[^<]+</);
  // the switch, the current view marked
  assert.match(text, /<a href="\/" aria-current="page">Sessions &amp; stacks<\/a>/);
  assert.match(text, /<a href="\/\?view=frames">Single frames<\/a>/);
});

test('a card with nothing known shows no "—" lines; an image page hides "Gain / offset" when both are unknown', async () => {
  const { text } = await b.get('/?view=frames&limit=200');
  const card = new RegExp(`<li class="card[^"]*">(?:(?!</li>)[^])*?href="/images/${bare}[^]*?</li>`).exec(text)?.[0];
  assert.ok(card, 'the bare image has a card');
  assert.doesNotMatch(card, /—/);
  assert.doesNotMatch(card, /class="meta gear"/);
  const page = (await b.get(`/images/${bare}`)).text;
  assert.doesNotMatch(page, /Gain \/ offset/);
  const sub = (await b.get(`/images/${planned[0]!.imageIds[0]}`)).text;
  assert.match(sub, /<dt>Gain \/ offset<\/dt><dd>\d+ \/ 50<\/dd>/, 'shown when known');
});

test('"Single frames" lists one card per file, and the switch keeps the filters', async () => {
  const api = await w.getJson('/api/v1/images?limit=200');
  const { text } = await b.get('/?view=frames&limit=200');
  const c = cards(text);
  assert.equal(c.sessions.length, 0);
  assert.deepEqual(new Set(c.images), new Set(api.items.map((i: { id: string }) => i.id)));
  assert.match(text, /<a href="\/\?limit=200&amp;view=frames" aria-current="page">Single frames<\/a>/);
  assert.match(text, /<input type="hidden" name="view" value="frames">/, 'the filter form stays in the frames view');
  const target = encodeURIComponent(planned[0]!.targetId);
  const filtered = await b.get(`/?target=${target}`);
  assert.match(filtered.text, new RegExp(`<a href="/\\?target=${target.replace(/%/g, '%')}&amp;view=frames">Single frames</a>`));
  // a sort by file name is an order of files: the frames view
  const byName = await b.get('/?sort=name');
  assert.equal(cards(byName.text).sessions.length, 0);
  assert.match(byName.text, /aria-current="page">Single frames/);
});

test('the filters apply to both views: a session is a card when one of its subs matches', async () => {
  const t = planned[0]!.targetId;
  const byTarget = cards((await b.get(`/?target=${encodeURIComponent(t)}`)).text);
  assert.ok(byTarget.sessions.includes(sessionIds[0]!) && byTarget.sessions.includes(sessionIds[2]!));
  assert.ok(!byTarget.sessions.includes(sessionIds[1]!), 'the other target’s session is not shown');
  const ha = cards((await b.get('/?filter=Ha')).text);
  assert.ok(ha.sessions.includes(sessionIds[0]!), 'two Ha subs in the first session');
  assert.ok(!ha.sessions.includes(sessionIds[2]!) && !ha.sessions.includes(sessionIds[1]!));
  const haFrames = cards((await b.get('/?filter=Ha&view=frames&limit=200')).text);
  for (const id of planned[0]!.imageIds.slice(4)) assert.ok(haFrames.images.includes(id), 'the Ha subs as single frames');
  for (const id of planned[0]!.imageIds.slice(0, 4)) assert.ok(!haFrames.images.includes(id), 'not the L subs');
  // dates: only the April night
  const april = cards((await b.get('/?capturedFrom=2026-04-01&capturedTo=2026-04-30')).text);
  assert.deepEqual(april.sessions, [sessionIds[2]]);
  assert.deepEqual(april.images, []);
  // free text on a sub's file name finds its session
  const name = specs.find((s) => s.id === planned[1]!.imageIds[2])!.path.split('/').pop()!;
  assert.deepEqual(cards((await b.get(`/?q=${encodeURIComponent(name)}`)).text).sessions, [sessionIds[1]]);
  // the same on the API's session filter
  const inSession = await w.getJson(`/api/v1/images?session=${sessionIds[1]}&limit=200`);
  assert.deepEqual(new Set(inSession.items.map((i: { id: string }) => i.id)), new Set(planned[1]!.imageIds));
  assert.equal((await w.api('/api/v1/images?session=not-a-uuid')).status, 400);
  const spec = await w.getJson('/api/openapi.json');
  const params = spec.paths['/api/v1/images'].get.parameters.map((p: { name: string }) => p.name);
  assert.ok(params.includes('session'), 'the OpenAPI document has the session parameter');
});

test('keyset paging returns every card exactly once, forwards and backwards, in both orders', async () => {
  const expected = await expectedCards();
  for (const sort of ['captured', '-captured', 'created']) {
    const pages: string[][] = [];
    let url: string | null = `/?sort=${sort}&limit=7`;
    while (url && pages.length < 50) {
      const { res, text } = await b.get(url);
      assert.equal(res.status, 200, url);
      pages.push(cards(text).order);
      url = link(text, 'next');
    }
    const seen = pages.flat();
    assert.equal(seen.length, expected.size, `${sort}: no card twice`);
    assert.deepEqual(new Set(seen), expected, `${sort}: every card`);
    assert.ok(pages.slice(0, -1).every((p) => p.length === 7));
    // back from the last page: the same pages
    const { text: lastText } = await b.get((await lastPageUrl(sort))!);
    let prev = link(lastText, 'prev');
    const back: string[][] = [cards(lastText).order];
    while (prev) {
      const { text } = await b.get(prev);
      back.unshift(cards(text).order);
      prev = link(text, 'prev');
    }
    assert.deepEqual(back, pages, `${sort}: the pages before are the same pages`);
  }
  assert.equal((await b.get('/?cursor=bm90LWEtY3Vyc29y')).res.status, 400, 'a cursor that is not ours is a 400');
});

async function lastPageUrl(sort: string): Promise<string | null> {
  let url: string | null = `/?sort=${sort}&limit=7`;
  let last = url;
  while (url) {
    last = url;
    url = link((await b.get(url)).text, 'next');
  }
  return last;
}

test('drill-down: the session page shows its subs as a paged grid and links to them in the frames view', async () => {
  const id = sessionIds[0]!;
  const { res, text } = await b.get(`/sessions/${id}`);
  assert.equal(res.status, 200);
  assert.match(text, /<h2>Acquisition<\/h2>/, 'the acquisition table stays');
  const subs = cards(text.slice(text.indexOf('id="subs"')));
  assert.deepEqual(new Set(subs.images), new Set(planned[0]!.imageIds));
  const frames = /<a href="(\/\?session=[^"]+)">All frames of this session/.exec(text)![1]!.replace(/&amp;/g, '&');
  assert.equal(frames, `/?session=${id}&view=frames`);
  const all = cards((await b.get(frames)).text);
  assert.deepEqual(new Set(all.images), new Set(planned[0]!.imageIds));
  // pages of 4 subs: every sub once, by capture time
  let url: string | null = `/sessions/${id}?limit=4`;
  const seen: string[] = [];
  while (url) {
    const page: string = (await b.get(url)).text;
    seen.push(...cards(page.slice(page.indexOf('id="subs"'))).images);
    url = /<a href="([^"]+)#subs" rel="next">/.exec(page)?.[1]?.replace(/&amp;/g, '&') ?? null;
  }
  assert.deepEqual(seen, planned[0]!.imageIds, 'every sub once, in capture order');
});

test('the target page shows its sessions and stacks over time; the targets list counts sessions and nights', async () => {
  const t = planned[0]!.targetId;
  const { text } = await b.get(`/targets/${encodeURIComponent(t)}`);
  const table = /<table class="stack target-timeline">[^]*?<\/table>/.exec(text)![0];
  const a = table.indexOf(`/sessions/${sessionIds[0]}`);
  const c = table.indexOf(`/sessions/${sessionIds[2]}`);
  assert.ok(a > 0 && c > a, 'March before April');
  assert.match(table, /Ha 2 × 600 s, L 4 × 300 s/);
  assert.match(table, /L 4 × 120 s/);
  const stacks = await w.db.pool.anyFirst(sql.type(z.object({ id: z.string() }))`
    select id from images where target_id = ${t} and frame_type in ('master', 'processed')`);
  assert.ok(stacks.includes(stackId));
  for (const id of stacks) assert.ok(table.includes(`/images/${id}`), 'its stacks are in the timeline');
  const s = table.indexOf(`/images/${stackId}`);
  assert.ok(a < s && s < c, 'the stack of 2026-03-10 between the two nights');
  const list = (await b.get(`/targets?q=${encodeURIComponent(t)}`)).text;
  const row = new RegExp(`<tr class="target-row">(?:(?!</tr>)[^])*?/targets/${encodeURIComponent(t)}"[^]*?</tr>`).exec(list)![0];
  const nights = await w.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(distinct night)::int as n from imaging_sessions where target_id = ${t}`);
  const sessions = await w.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from imaging_sessions where target_id = ${t}`);
  assert.ok(sessions >= 2);
  assert.match(row, new RegExp(`data-label="Sessions" class="num">${sessions}<`));
  assert.match(row, new RegExp(`data-label="Nights" class="num">${nights}<`));
});

test('work in progress shows in the sessions view too', async () => {
  const body = new FormData();
  body.append('files', new Blob([new Uint8Array(2880).fill(33)]), 'wip-groups.fits');
  assert.equal((await w.api('/api/v1/images', { method: 'POST', body })).status, 202);
  // the queue counts are kept for two seconds
  const page = await waitFor(async () => {
    const t = (await b.get('/')).text;
    return /\d+ files? being processed/.test(t) ? t : null;
  }, { what: 'the sessions view counts the files being processed', timeoutMs: 8000 });
  assert.match(page, /<a href="\/" aria-current="page">Sessions &amp; stacks/);
  const none = (await b.get('/?q=no-such-words-anywhere')).text;
  assert.match(none, /Nothing matches these filters yet: \d+ files? (is|are) still being processed/);
});

test('bulk edit of a whole session: from its page, every sub and only its subs, through the confirmation', async () => {
  const [id, other] = [sessionIds[0]!, sessionIds[1]!];
  const page = await b.get(`/sessions/${id}`);
  assert.equal(page.res.status, 200);
  const form = /<form class="session-bulk"[^]*?<\/form>/.exec(page.text)?.[0] ?? '';
  const query = /name="query" value="([^"]+)"/.exec(form)?.[1]?.replace(/&amp;/g, '&');
  assert.equal(query, `session=${id}&view=frames`);
  const subs = await w.db.pool.anyFirst(sql.type(z.object({ image_id: z.string() }))`select image_id from imaging_session_images where session_id = ${id}`);
  const others = await w.db.pool.anyFirst(sql.type(z.object({ image_id: z.string() }))`select image_id from imaging_session_images where session_id = ${other}`);
  assert.ok(subs.length > 1 && others.length > 0);
  const step1 = await b.post('/images/bulk', { scope: 'query', query: query! });
  assert.equal(step1.res.status, 200);
  assert.match(step1.text, new RegExp(`Edit ${subs.length} images`));
  const patch = { target: '', frameType: '', camera: '', telescope: '', notes: 'clouds after 1 am', notesMode: 'replace' };
  const confirm = await b.post('/images/bulk', { stage: 'confirm', scope: 'query', query: query!, ids: '', ...patch });
  assert.match(confirm.text, new RegExp(`Change ${subs.length} images\\?`));
  const done = await b.post('/images/bulk', { stage: 'apply', confirm: 'yes', scope: 'query', query: query!, ids: '', ...patch });
  assert.equal(done.res.status, 303);
  const notes = async (ids: readonly string[]) =>
    w.db.pool.anyFirst(sql.type(z.object({ n: z.string().nullable() }))`select edits->>'notes' as n from user_edits where image_id = any(${sql.array(ids, 'uuid')})`);
  assert.deepEqual(await notes(subs), subs.map(() => 'clouds after 1 am'), 'every sub of the session');
  assert.ok((await notes(others)).every((n) => n !== 'clouds after 1 am'), 'no sub of another session');
});
