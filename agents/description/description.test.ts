import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import agent from './index.ts';
import objectsAgent from '../objects/index.ts';
import { MemoryCache, testContext } from '../objects/test-context.ts';
import { AgentSkip, type Facts } from '../sdk/index.ts';
import type { DescriptionFacts } from '../sdk/facts.ts';
import { userAgent, titleSegment } from './wikipedia.ts';
import { titleCandidates } from './titles.ts';

/** A stand-in for Wikipedia's REST API on loopback, answering in its page-summary format. */
interface Seen { path: string; userAgent: string | undefined }
const seen: Seen[] = [];
let base = '';
let hangingBase = '';
/** the Wikipedia the agent is told to ask, through its settings (agents read no environment) */
let wikipediaUrl = '';
const sockets = new Set<import('node:net').Socket>();

function summary(title: string, extract: string, type = 'standard', description = 'astronomical object'): Record<string, unknown> {
  const seg = title.replace(/ /g, '_');
  return {
    type, title, displaytitle: title, namespace: { id: 0, text: '' }, wikibase_item: 'Q1',
    titles: { canonical: seg, normalized: title, display: title }, pageid: 1, lang: 'en', dir: 'ltr',
    revision: '1', tid: 't', timestamp: '2025-01-01T00:00:00Z', description, description_source: 'local',
    content_urls: { desktop: { page: `https://en.wikipedia.org/wiki/${seg}` }, mobile: { page: `https://en.m.wikipedia.org/wiki/${seg}` } },
    extract, extract_html: `<p>${extract}</p>`,
  };
}

const pages: Record<string, { status: number; body?: Record<string, unknown>; location?: string }> = {
  Messier_31: { status: 302, location: 'Andromeda_Galaxy' },
  Andromeda_Galaxy: { status: 200, body: summary('Andromeda Galaxy', 'The Andromeda Galaxy is a barred spiral galaxy and is the nearest major galaxy to the Milky Way.') },
  North_America_Nebula: { status: 200, body: summary('North America Nebula', 'The North America Nebula (NGC 7000 or Caldwell 20) is an emission nebula in the constellation Cygnus.') },
  Heart_Nebula: { status: 200, body: summary('Heart Nebula', 'Heart Nebula may refer to:', 'disambiguation', 'Topics referred to by the same term') },
  Coathanger: { status: 200, body: summary('Coathanger', 'A clothes hanger is a device in the shape of human shoulders.', 'standard', 'device for hanging clothes') },
  Messier_42: { status: 500 },
};

function notFound(path: string): Record<string, unknown> {
  return { type: 'https://mediawiki.org/wiki/HyperSwitch/errors/not_found', title: 'Not found.', method: 'get', detail: 'Page or revision not found.', uri: path };
}

let server: http.Server;
let hanging: http.Server;

before(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', userAgent: req.headers['user-agent'] });
    const prefix = '/api/rest_v1/page/summary/';
    const title = decodeURIComponent((req.url ?? '').slice(prefix.length));
    const page = req.url?.startsWith(prefix) ? pages[title] : undefined;
    if (!page) {
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify(notFound(req.url ?? '')));
    } else if (page.location) {
      res.writeHead(page.status, { location: page.location }).end();
    } else {
      res.writeHead(page.status, { 'content-type': 'application/json; charset=utf-8' }).end(page.body ? JSON.stringify(page.body) : 'oops');
    }
  });
  // accepts connections and never answers
  hanging = http.createServer(() => {});
  hanging.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hangingBase = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
});

after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
  await new Promise((r) => hanging.close(r));
});

/** Objects facts for a header name, from the real objects agent. */
async function objectsFor(name: string): Promise<Facts> {
  const file = { format: 'fits', width: 100, height: 100, frameType: 'light', headers: [], acquisition: { object: name, pointing: null } } as unknown as Facts;
  return (await objectsAgent.run(testContext({ facts: { file } }))).facts;
}

async function describe(name: string, options: { cache?: MemoryCache; settings?: Record<string, boolean | number | string> } = {}) {
  const ctx = testContext({ stage: 'describe', facts: { objects: await objectsFor(name) }, cache: options.cache ?? new MemoryCache(), settings: { wikipediaUrl, ...options.settings } });
  const result = await agent.run(ctx);
  return { facts: result.facts as unknown as DescriptionFacts, warnings: result.warnings ?? [] };
}

test('contract', () => {
  assert.equal(agent.name, 'description');
  assert.equal(agent.thread, 'main');
  assert.deepEqual(agent.stages, ['describe']);
  assert.deepEqual(agent.uses, ['objects']);
  assert.match(userAgent(), /^Sidereal\/\d+\.\d+\.\d+ \(self-hosted astrophotography catalog\)$/);
});

test('title candidates from catalog names', () => {
  const titles = titleCandidates({ designations: ['M31', 'NGC 224'], name: 'Andromeda Galaxy' }).map((t) => t.title);
  assert.deepEqual(titles.slice(0, 3), ['Messier 31', 'NGC 224', 'Andromeda Galaxy']);
  assert.deepEqual(titleCandidates({ designations: ['Sh2-155', 'C 9'], name: 'Cave Nebula' }).map((t) => t.title), ['Cave Nebula', 'Sh2-155', 'Caldwell 9']);
  assert.equal(titleSegment('Bode\'s Galaxy/x y'), 'Bode\'s_Galaxy%2Fx_y');
});

test('M31: redirect followed, summary with link and attribution, proper User-Agent, cached', async () => {
  wikipediaUrl = base;
  seen.length = 0;
  const cache = new MemoryCache();
  const { facts } = await describe('M31_Panel1', { cache });
  assert.equal(facts.object, 'M31');
  assert.equal(facts.title, 'Andromeda Galaxy');
  assert.match(facts.text!, /barred spiral galaxy/);
  assert.equal(facts.source, 'Wikipedia');
  assert.equal(facts.license, 'CC BY-SA 4.0');
  assert.equal(facts.url, 'https://en.wikipedia.org/wiki/Andromeda_Galaxy');
  assert.match(String(facts.attribution), /Wikipedia article "Andromeda Galaxy".*CC BY-SA 4\.0/);
  assert.deepEqual(seen.map((s) => s.path), ['/api/rest_v1/page/summary/Messier_31', '/api/rest_v1/page/summary/Andromeda_Galaxy']);
  for (const s of seen) assert.equal(s.userAgent, userAgent());
  const [entry] = [...cache.entries.values()];
  assert.equal(entry!.ttlSeconds, 30 * 24 * 3600);
  // second image of the same target: no request at all
  seen.length = 0;
  const again = await describe('M 31', { cache });
  assert.deepEqual(again.facts, facts);
  assert.equal(seen.length, 0);
  assert.ok(cache.hits >= 1);
});

test('NGC 7000: 404 on the designation, then the common name', async () => {
  wikipediaUrl = base;
  seen.length = 0;
  const { facts } = await describe('NGC_7000');
  assert.equal(facts.title, 'North America Nebula');
  assert.equal(facts.source, 'Wikipedia');
  assert.deepEqual(seen.map((s) => s.path), ['/api/rest_v1/page/summary/NGC_7000', '/api/rest_v1/page/summary/North_America_Nebula']);
});

test('disambiguation pages and off-topic name matches are not used; catalog text instead', async () => {
  wikipediaUrl = base;
  const heart = await describe('Heart Nebula');
  assert.equal(heart.facts.object, 'IC 1805');
  assert.equal(heart.facts.source, 'Sidereal catalog');
  assert.equal(heart.facts.fallbackReason, 'not-found');
  assert.match(heart.facts.text!, /^Heart Nebula \(IC 1805.*\) is an? .+ in the constellation Cassiopeia/);
  const hanger = await describe('Coathanger');
  assert.equal(hanger.facts.source, 'Sidereal catalog');
  assert.doesNotMatch(hanger.facts.text!, /clothes/);
  assert.match(hanger.facts.text!, /open cluster in the constellation Vulpecula/);
});

test('server error: catalog text, warning, nothing cached', async () => {
  wikipediaUrl = base;
  const cache = new MemoryCache();
  const { facts, warnings } = await describe('M42', { cache });
  assert.equal(facts.source, 'Sidereal catalog');
  assert.equal(facts.fallbackReason, 'unavailable');
  assert.equal(facts.license, null);
  assert.match(facts.text!, /Orion Nebula \(M42, NGC 1976\) is an emission nebula in the constellation Orion, at RA 5h 35\.3m, Dec −5° 23′ \(J2000\)\. Its visual magnitude is 4\.0 and it spans about 90′ of sky\./);
  assert.ok(warnings.some((w) => /500/.test(w)));
  assert.equal(cache.sets, 0);
});

test('a server that never answers: fallback after the request timeout', async () => {
  wikipediaUrl = hangingBase;
  const t = performance.now();
  const { facts, warnings } = await describe('Pleiades', { settings: { requestTimeoutSeconds: 1 } });
  const ms = performance.now() - t;
  assert.equal(facts.source, 'Sidereal catalog');
  assert.match(facts.text!, /Pleiades \(M45.*\) is an open cluster in the constellation Taurus/);
  assert.ok(warnings.length === 1);
  assert.ok(ms < 5000, `${ms} ms`);
});

test('Wikipedia switched off: catalog text without any request', async () => {
  wikipediaUrl = base;
  seen.length = 0;
  const { facts } = await describe('M31', { settings: { wikipedia: false } });
  assert.equal(facts.source, 'Sidereal catalog');
  assert.equal(facts.fallbackReason, 'disabled');
  assert.equal(seen.length, 0);
});

test('no primary target: skipped', async () => {
  const ctx = testContext({ stage: 'describe', facts: { objects: await objectsFor('flat') } });
  await assert.rejects(agent.run(ctx), AgentSkip);
});

test('requests are spaced out by the shared queue', async () => {
  wikipediaUrl = base;
  seen.length = 0;
  const t = performance.now();
  await Promise.all(['M31', 'NGC 7000', 'Heart Nebula'].map((n) => describe(n)));
  const ms = performance.now() - t;
  // M31: one fetch (the redirect is followed inside it, 2 server hits); NGC 7000: 2; Heart Nebula:
  // IC 1805 + Heart Nebula + Sh2-190 = 3 → 6 queued starts, at least 5 × 250 ms apart
  assert.equal(seen.length, 7);
  assert.ok(ms >= 5 * 250 - 10, `${ms} ms`);
});
