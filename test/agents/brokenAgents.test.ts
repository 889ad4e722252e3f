// Deliberately broken third-party agents in a running Sidereal (real
// PostgreSQL, real worker threads): one throws, one hangs, two exhaust memory
// (heap, buffers), one returns facts that break its schema, one exits its
// thread, one throws after its run, two fail to load. Each is contained and
// reported on its own; the built-in agent, a good third-party agent and the
// star-quality example process the same images as if nothing happened.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getJson, waitFor } from '../helpers/daemon.ts';
import { ADMIN, BrowserSession, createUser, startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { fits16, starField } from '../../examples/star-quality/test/synthetic.ts';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const EXAMPLE = resolve(import.meta.dirname, '../../examples/star-quality');
const BROKEN_AT_RUN = ['throws', 'hangs', 'heap-hog', 'buffer-hog', 'bad-facts', 'exits'];
const HEALTHY = ['file', 'good', 'stray-error', 'star-quality'];
let t: WebDaemon;

before(async () => {
  const agents = [...['good', ...BROKEN_AT_RUN, 'stray-error', 'load-throws', 'bad-manifest'].map((n) => join(FIXTURES, n)), EXAMPLE];
  t = await startWebDaemon({
    builtinAgents: ['file'],
    env: {
      SIDEREAL_AGENTS: agents.join(','),
      SIDEREAL_AGENT_TIMEOUT_SECONDS: '2',
      SIDEREAL_AGENT_MEMORY_MB: '160',
      SIDEREAL_MAX_ATTEMPTS: '1',
      SIDEREAL_WORKERS: '2',
    },
  });
});
after(async () => {
  await t?.stop();
});

const header = { IMAGETYP: 'Light Frame', EXPTIME: 60 };

test('each broken agent is contained and reported; other agents and images are unaffected', async () => {
  // the two that cannot load are reported, with their reasons; the rest loaded
  const agents = await (await t.api('/api/v1/agents')).json();
  const failures = new Map<string, string>(agents.failures.map((f: { source: string; error: string }) => [f.source.split('/').pop(), f.error]));
  assert.match(failures.get('load-throws')!, /cannot be imported: this agent is broken on purpose/);
  assert.match(failures.get('bad-manifest')!, /name must be lowercase letters/);
  assert.equal(failures.size, 2);
  assert.deepEqual(agents.items.map((a: { name: string }) => a.name).sort(), [...HEALTHY, ...BROKEN_AT_RUN].sort());
  const status = await getJson(`${t.url}/status`, { headers: { authorization: `Bearer ${t.adminToken}` } });
  assert.equal(status.agents.status, 'degraded');

  const names = ['Light_a_0001.fits', 'Light_b_0002.fits'];
  names.forEach((n, i) => writeFileSync(join(t.library, n), fits16(starField({ width: 400, height: 300, stars: 40, sigmaX: 1.8, background: 0.05, noise: 0.003, seed: 40 + i }), header)));

  const items = await waitFor(
    async () => {
      const page = await (await t.api('/api/v1/images?frameType=all&limit=50')).json();
      const done = page.items.filter((img: any) => [...HEALTHY, ...BROKEN_AT_RUN].every((a) => img.agents.some((r: any) => r.name === a && ['done', 'failed', 'skipped'].includes(r.status))));
      return done.length === names.length ? page.items : null;
    },
    { what: 'every agent to finish or fail on both images', timeoutMs: 45_000, intervalMs: 250 },
  );
  for (const img of items) {
    const run = (name: string) => img.agents.find((a: any) => a.name === name);
    for (const a of HEALTHY) assert.equal(run(a).status, 'done', `${a} on ${img.fileName}: ${run(a).error}`);
    assert.equal(img.facts.good.thread, 'worker');
    assert.equal(img.facts.good.bytes, img.sizeBytes);
    assert.ok(Math.abs(img.facts['star-quality'].starCount - 40) <= 2, `stars: ${img.facts['star-quality'].starCount}`);
    assert.equal(img.sha256.length, 64, 'the file agent\'s facts are in the record');
    const errors: Record<string, RegExp> = {
      throws: /^TypeError: Cannot read properties of undefined/,
      hangs: /did not finish within 2 s/,
      'heap-hog': /used too much memory|heap limit/,
      'buffer-hog': /used too much memory .*the limit is 160 MB/,
      'bad-facts': /returned invalid facts: .*count must be integer/,
      exits: /crashed its worker thread/,
    };
    for (const [a, re] of Object.entries(errors)) {
      assert.equal(run(a).status, 'failed', `${a} failed on ${img.fileName}`);
      assert.match(run(a).error, re, `${a}: ${run(a).error}`);
      assert.equal(img.facts[a], undefined, `no facts stored for ${a}`);
    }
  }
  const health = await fetch(`${t.url}/health`);
  assert.equal(health.status, 200);

  // the thrown error's stack trace is kept: shown to administrators on the image page, not to members
  const img = items[0];
  const admin = new BrowserSession(t.url);
  await admin.login(ADMIN.username, ADMIN.password);
  const page = await admin.get(`/images/${img.id}`);
  assert.match(page.text, /<summary>Stack trace<\/summary><pre>TypeError: Cannot read properties of undefined[^<]*\n\s+at [^<]*fixtures\/throws\/index\.ts/);
  const member = await createUser(t, 'stackless');
  const visitor = new BrowserSession(t.url);
  await visitor.login('stackless', member.password);
  const memberPage = await visitor.get(`/images/${img.id}`);
  assert.equal(memberPage.res.status, 200);
  assert.match(memberPage.text, /TypeError: Cannot read properties of undefined/);
  assert.doesNotMatch(memberPage.text, /Stack trace/);
});
