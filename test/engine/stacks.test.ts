// Stacks linked to their subs, end to end on the real engine (real PostgreSQL,
// a real drop folder, the file/integration/objects agents): a PixInsight-style
// XISF master naming its subs links to exactly them (by history), a Siril stack
// with STACKCNT and dates links by its dates (a count that disagrees is shown),
// a stack saying neither is inferred, a stack without a count or total gets
// the sum of its subs, totals never count a stack with its subs, and deleting
// a sub updates the stack's links and record. The API answers match OpenAPI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { sql } from 'slonik';
import { z } from 'zod';
import { pixinsightMasterXisf, type CardSpec } from '../../agents/lib/formats/test-writers.ts';
import { waitFor } from '../helpers/daemon.ts';
import { BrowserSession, type WebDaemon } from '../web/helpers.ts';
import { frameCards, libraryDaemon, smallFrame } from './libraryKit.ts';

let w: WebDaemon;
const { call } = libraryDaemon((started) => (w = started));

/** A small FITS light with the headers N.I.N.A. writes (plus any extra cards). */
async function light(path: string, f: { object: string; date: string; exposure: number; filter: string; extra?: CardSpec[]; type?: string }): Promise<void> {
  const cards: CardSpec[] = [
    ...frameCards(f),
    ['FILTER', f.filter],
    ['OBJECT', f.object],
    ...(f.extra ?? []),
  ];
  await smallFrame(path, cards);
}

const idOf = (path: string) => w.db.pool.maybeOneFirst(sql.type(z.object({ id: z.string() }))`select id from images where path = ${path}`);
const linksOf = async (stackId: string) =>
  [
    ...(await w.db.pool.any(sql.type(z.object({ path: z.string(), linked_by: z.string() }))`
      select i.path, l.linked_by from stack_subs l join images i on i.id = l.sub_id where l.stack_id = ${stackId} order by i.path`)),
  ];

async function record(path: string, ready: (r: any) => boolean, what: string): Promise<any> {
  return waitFor(
    async () => {
      const id = await idOf(path);
      const r = id ? (await call(`/api/v1/images/${id}`)).body : null;
      return r && ready(r) ? r : null;
    },
    { what, timeoutMs: 90_000 },
  );
}

test('stacks link to the subs their files name, to the subs of their dates, or by inference; integration and deletion', async () => {
  const lib = w.library;
  // M31 L: night 1 (three subs) and night 2 (same file names, in another folder)
  for (const [night, dates] of [
    ['2024-10-01', ['2024-10-01T21:00:00', '2024-10-01T21:10:00', '2024-10-01T21:20:00']],
    ['2024-10-02', ['2024-10-02T21:00:00', '2024-10-02T21:10:00', '2024-10-02T21:20:00']],
  ] as const) {
    for (let i = 0; i < 3; i++) await light(join(lib, `M31/${night}/L_000${i + 1}.fits`), { object: 'M 31', date: dates[i]!, exposure: 300, filter: 'L' });
  }
  // NGC 7000 Ha: two subs one night, one the next
  await light(join(lib, 'NGC7000/Ha_0001.fits'), { object: 'NGC 7000', date: '2024-10-01T22:00:00', exposure: 600, filter: 'Ha' });
  await light(join(lib, 'NGC7000/Ha_0002.fits'), { object: 'NGC 7000', date: '2024-10-01T22:10:00', exposure: 600, filter: 'Ha' });
  await light(join(lib, 'NGC7000/Ha_0003.fits'), { object: 'NGC 7000', date: '2024-10-02T22:00:00', exposure: 600, filter: 'Ha' });
  // M33 OIII: two subs; M31 Ha: two subs
  await light(join(lib, 'M33/OIII_0001.fits'), { object: 'M 33', date: '2024-10-01T23:00:00', exposure: 300, filter: 'OIII' });
  await light(join(lib, 'M33/OIII_0002.fits'), { object: 'M 33', date: '2024-10-01T23:05:00', exposure: 300, filter: 'OIII' });
  await light(join(lib, 'M31/Ha/Ha_0001.fits'), { object: 'M 31', date: '2024-10-03T21:00:00', exposure: 600, filter: 'Ha' });
  await light(join(lib, 'M31/Ha/Ha_0002.fits'), { object: 'M 31', date: '2024-10-03T21:10:00', exposure: 600, filter: 'Ha' });

  // 1. a PixInsight master (WBPP output elsewhere, another machine's paths) naming the registered night-1 subs
  await mkdir(join(lib, 'masters'), { recursive: true });
  await writeFile(
    join(lib, 'masters/masterLight_BIN-1_FILTER-L_mono.xisf'),
    pixinsightMasterXisf({
      subs: [
        { path: 'D:/Astro/WBPP/registered/L/L_0001_c_cc_r.xisf' },
        { path: 'D:\\Astro\\WBPP\\registered\\L\\L_0002_c_cc_r.xisf' },
        { path: 'D:/Astro/M31/2024-10-01/L_0003_c_cc_r.xisf' },
      ],
      start: '2024-10-01T21:00:00Z',
      end: '2024-10-01T21:25:00Z',
      keywords: [
        ['IMAGETYP', "'Master Light'", 'Type of image'],
        ['OBJECT', "'M 31'", ''],
        ['FILTER', "'L'", ''],
        ['INSTRUME', "'ZWO ASI2600MM Pro'", ''],
        ['EXPTIME', '300.', 'reference frame'],
        ['HISTORY', '', 'ImageIntegration.numberOfImages: 3'],
      ],
    }),
  );
  // 2. a Siril stack of NGC 7000 Ha with STACKCNT and its dates; its count (3) disagrees with the two subs of those dates
  await light(join(lib, 'stacks/NGC7000_Ha_stacked.fit'), {
    object: 'NGC 7000',
    date: '2024-10-01T22:00:00',
    exposure: 600,
    filter: 'Ha',
    extra: [['STACKCNT', 3], ['LIVETIME', 1800], ['DATE-END', '2024-10-01T22:20:00'], ['PROGRAM', 'Siril 1.2.4']],
  });
  // 3. a processed M33 image that says neither its subs nor its dates
  await light(join(lib, 'stacks/M33_OIII_final.fits'), { object: 'M 33', date: '', exposure: 300, filter: 'OIII', type: 'Master Light' });
  // 4. an M31 Ha master with dates but no count or total: its integration is the sum of its subs
  await light(join(lib, 'stacks/M31_Ha_master.fits'), {
    object: 'M 31',
    date: '2024-10-03T21:00:00',
    exposure: 600,
    filter: 'Ha',
    type: 'Master Light',
    extra: [['DATE-END', '2024-10-03T21:20:00']],
  });

  // 13 lights and 4 stacks
  const total = 17;
  await waitFor(async () => (await w.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from images`)) === total, {
    what: `${total} images stitched`,
    timeoutMs: 120_000,
  });

  // 1: history links to exactly the three night-1 subs (the same names of night 2 are left out by its dates)
  const pi = await record('masters/masterLight_BIN-1_FILTER-L_mono.xisf', (r) => r.stackOf?.frames === 3 && r.stackOf.sessions.length === 1, 'the PixInsight master linked');
  assert.equal(pi.frameType, 'processed');
  assert.deepEqual(await linksOf(pi.id), ['L_0001', 'L_0002', 'L_0003'].map((f) => ({ path: `M31/2024-10-01/${f}.fits`, linked_by: 'history' })));
  assert.equal(pi.stackOf.linkedBy, 'history');
  assert.equal(pi.stackOf.sessions[0].night, '2024-10-01');
  assert.deepEqual(pi.stackOf.header, { frames: 3, totalSeconds: 900 });
  assert.equal(pi.stackOf.integrationFrom, 'header');
  assert.equal(pi.stackOf.mismatch, false);

  // 2: dates link to the two subs captured in the stack's range; the header (3 × 600 s) wins and the mismatch shows
  const siril = await record('stacks/NGC7000_Ha_stacked.fit', (r) => r.stackOf?.frames === 2, 'the Siril stack linked');
  assert.deepEqual(await linksOf(siril.id), [
    { path: 'NGC7000/Ha_0001.fits', linked_by: 'header dates' },
    { path: 'NGC7000/Ha_0002.fits', linked_by: 'header dates' },
  ]);
  assert.equal(siril.integration.totalSeconds, 1800, 'the header wins');
  assert.equal(siril.stackOf.totalSeconds, 1200);
  assert.equal(siril.stackOf.mismatch, true);

  // 3: no names, no dates: inferred from target, camera and filter
  const m33 = await record('stacks/M33_OIII_final.fits', (r) => r.stackOf?.frames === 2, 'the M33 image inferred');
  assert.equal(m33.stackOf.linkedBy, 'inferred');
  assert.equal(m33.integration.totalSeconds, null, 'an inference is no evidence for an integration');
  assert.equal(m33.stackOf.integrationFrom, null);

  // 4: no count or total: the sum of the subs its dates link, per filter
  const ha = await record('stacks/M31_Ha_master.fits', (r) => r.stackOf?.frames === 2, 'the M31 Ha master linked');
  assert.equal(ha.stackOf.linkedBy, 'header dates');
  assert.equal(ha.stackOf.integrationFrom, 'subs');
  assert.equal(ha.integration.totalSeconds, 1200);
  assert.deepEqual(ha.integration.byFilter, [{ filter: 'Ha', seconds: 1200, frames: 2 }]);

  // sessions list their stacks with how they were linked
  const sessions = (await call('/api/v1/sessions?limit=50')).body.items;
  const byKey = new Map<string, any>(sessions.map((s: any) => [`${s.night} ${s.target?.id}`, s]));
  assert.deepEqual(byKey.get('2024-10-01 M31').stackLinks, [{ id: pi.id, linkedBy: 'history' }]);
  assert.equal(byKey.get('2024-10-01 M31').stacksInferred, false);
  assert.deepEqual(byKey.get('2024-10-02 M31').stacks, [], 'the same file names of night 2 did not make the master');
  assert.deepEqual(byKey.get('2024-10-01 NGC 7000').stackLinks, [{ id: siril.id, linkedBy: 'header dates' }]);
  assert.deepEqual(byKey.get('2024-10-02 NGC 7000').stacks, []);
  assert.deepEqual(byKey.get('2024-10-01 M33').stackLinks, [{ id: m33.id, linkedBy: 'inferred' }]);
  assert.equal(byKey.get('2024-10-01 M33').stacksInferred, true);

  // never counted twice: session totals are their subs; the target's integration is its lights
  assert.equal(byKey.get('2024-10-03 M31').totalSeconds, 1200);
  const target = (await call('/api/v1/targets/M31')).body;
  const lights = 6 * 300 + 2 * 600;
  assert.equal(target.totalSeconds, lights);

  // the pages: the stack says what made it, the session lists its stacks
  const browser = new BrowserSession(w.url);
  await browser.login('member', 'member-password-1');
  const page = await browser.get(`/images/${pi.id}`);
  assert.match(page.text, /Made from 1 session, 3 subs/);
  assert.match(page.text, new RegExp(`href="/sessions/${pi.stackOf.sessions[0].id}"`));
  const sessionPage = await browser.get(`/sessions/${byKey.get('2024-10-01 M31').id}`);
  assert.match(sessionPage.text, new RegExp(`href="/images/${pi.id}"[^>]*>[^<]*masterLight_BIN-1_FILTER-L_mono.xisf</a> <span class="muted">\\(its file names the subs\\)</span>`));

  // subs arriving after their stacks: decided one by one (dates, inference), outside subs left out
  await light(join(lib, 'NGC7000/late/Ha_0004.fits'), { object: 'NGC 7000', date: '2024-10-01T22:15:00', exposure: 600, filter: 'Ha' });
  await light(join(lib, 'NGC7000/late/Ha_0005.fits'), { object: 'NGC 7000', date: '2024-10-01T23:30:00', exposure: 600, filter: 'Ha' });
  await light(join(lib, 'M33/OIII_0003.fits'), { object: 'M 33', date: '2024-10-02T23:00:00', exposure: 300, filter: 'OIII' });
  await light(join(lib, 'M33/Ha_0001.fits'), { object: 'M 33', date: '2024-10-02T23:10:00', exposure: 300, filter: 'Ha' });
  const siril3 = await record('stacks/NGC7000_Ha_stacked.fit', (r) => r.stackOf?.frames === 3, 'the late sub in the Siril range linked');
  assert.equal(siril3.stackOf.mismatch, false, 'now the three subs the header counts');
  assert.deepEqual((await linksOf(siril.id)).map((l) => l.path), ['NGC7000/Ha_0001.fits', 'NGC7000/Ha_0002.fits', 'NGC7000/late/Ha_0004.fits']);
  await record('stacks/M33_OIII_final.fits', (r) => r.stackOf?.frames === 3, 'the late OIII sub inferred');
  assert.ok(!(await linksOf(m33.id)).some((l) => l.path === 'M33/Ha_0001.fits'), 'another filter is not inferred');

  // deleting a sub: the link goes at once, the stack's record follows
  await rm(join(lib, 'M31/2024-10-01/L_0002.fits'));
  await waitFor(async () => (await linksOf(pi.id)).length === 2, { what: 'the deleted sub left the stack', timeoutMs: 30_000 });
  const after = await record('masters/masterLight_BIN-1_FILTER-L_mono.xisf', (r) => r.stackOf?.frames === 2, 'the master re-stitched');
  assert.equal(after.stackOf.mismatch, true, 'the header still says 3');
  // and a new sub that its history names comes back into it
  await light(join(lib, 'M31/2024-10-01/L_0002.fits'), { object: 'M 31', date: '2024-10-01T21:10:00', exposure: 300, filter: 'L' });
  await record('masters/masterLight_BIN-1_FILTER-L_mono.xisf', (r) => r.stackOf?.frames === 3 && !r.stackOf.mismatch, 'the sub linked again');
});
