// Imaging sessions end to end on the real engine: a multi-night library of
// generated FITS with N.I.N.A.-style headers (two targets, two nights, one
// crossing midnight UTC, a site longitude that decides the night, LRGB and
// narrowband, darks and flats) gives exactly the expected sessions and
// acquisition rows; deleting subs updates (and removes) sessions; the API
// answers match the OpenAPI document; the CSV export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { sql } from 'slonik';
import { z } from 'zod';
import type { CardSpec } from '../../agents/lib/formats/test-writers.ts';
import { waitFor } from '../helpers/daemon.ts';
import { BrowserSession, type WebDaemon } from '../web/helpers.ts';
import { frameCards, libraryDaemon, smallFrame } from './libraryKit.ts';

let w: WebDaemon;
const { call } = libraryDaemon((started) => (w = started));

interface Frame {
  type?: string;
  object?: string;
  date: string;
  exposure: number;
  filter?: string;
  longitude?: number;
  temp?: number;
  extra?: CardSpec[];
}

/** A small FITS frame with the headers N.I.N.A. writes. */
async function frame(path: string, f: Frame): Promise<void> {
  const cards: CardSpec[] = [
    ...frameCards(f),
    ['GAIN', 100],
    ['OFFSET', 50],
    ['CCD-TEMP', f.temp ?? -10],
    ['SET-TEMP', -10],
    ['SWCREATE', 'N.I.N.A. 3.1.2.9001'],
  ];
  if (f.filter) cards.push(['FILTER', f.filter]);
  cards.push(...(f.extra ?? []));
  if (f.object) cards.push(['OBJECT', f.object]);
  if (f.longitude !== undefined) cards.push(['SITELONG', f.longitude], ['SITELAT', 34]);
  await smallFrame(path, cards);
}

const count = (q: string) => w.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from ${sql.identifier([q])}`);

test('a multi-night library groups into exactly the expected sessions and acquisition rows', async () => {
  const lib = w.library;
  const m31 = join(lib, 'M31');
  // night 2024-10-01 (UTC rule): L before and after midnight UTC, R
  await frame(join(m31, '2024-10-01/L_0001.fits'), { object: 'M 31', date: '2024-10-01T21:00:00', exposure: 300, filter: 'L' });
  await frame(join(m31, '2024-10-01/L_0002.fits'), { object: 'M 31', date: '2024-10-01T23:30:00', exposure: 300, filter: 'L' });
  await frame(join(m31, '2024-10-01/L_0003.fits'), { object: 'M 31', date: '2024-10-02T01:30:00', exposure: 300, filter: 'L', temp: -9 });
  await frame(join(m31, '2024-10-01/R_0001.fits'), { object: 'M 31', date: '2024-10-02T02:00:00', exposure: 300, filter: 'R' });
  await frame(join(m31, '2024-10-01/R_0002.fits'), { object: 'M 31', date: '2024-10-02T02:05:00', exposure: 300, filter: 'R' });
  // the next night, narrowband
  await frame(join(m31, '2024-10-02/Ha_0001.fits'), { object: 'M 31', date: '2024-10-02T22:00:00', exposure: 600, filter: 'Ha' });
  await frame(join(m31, '2024-10-02/Ha_0002.fits'), { object: 'M 31', date: '2024-10-02T22:10:00', exposure: 600, filter: 'Ha' });
  // a second target the first night
  await frame(join(lib, 'NGC7000/Ha_0001.fits'), { object: 'NGC 7000', date: '2024-10-01T20:00:00', exposure: 600, filter: 'Ha' });
  await frame(join(lib, 'NGC7000/Ha_0002.fits'), { object: 'NGC 7000', date: '2024-10-01T20:10:00', exposure: 600, filter: 'Ha' });
  // a site at 120° W: 04:00 UTC (20:00 local) and 12:30 UTC (04:30 local) are one night, 2024-10-01
  await frame(join(lib, 'M33/OIII_0001.fits'), { object: 'M 33', date: '2024-10-02T04:00:00', exposure: 300, filter: 'OIII', longitude: -120 });
  await frame(join(lib, 'M33/OIII_0002.fits'), { object: 'M 33', date: '2024-10-02T12:30:00', exposure: 300, filter: 'OIII', longitude: -120 });
  // calibration: darks for 300 s, flats for L
  await frame(join(lib, 'calib/Dark_300_0001.fits'), { type: 'DARK', date: '2024-10-03T10:00:00', exposure: 300 });
  await frame(join(lib, 'calib/Dark_300_0002.fits'), { type: 'DARK', date: '2024-10-03T10:06:00', exposure: 300 });
  await frame(join(lib, 'calib/Flat_L_0001.fits'), { type: 'FLAT', date: '2024-10-02T06:00:00', exposure: 2, filter: 'L' });
  await frame(join(lib, 'calib/Flat_L_0002.fits'), { type: 'FLAT', date: '2024-10-02T06:01:00', exposure: 2, filter: 'L' });

  // a stack of the L subs (a light with NCOMBINE is a processed image), made after the night
  await frame(join(lib, 'stacks/M31_L_stack.fits'), { object: 'M 31', date: '2024-10-03T09:00:00', exposure: 300, filter: 'L', extra: [['NCOMBINE', 3]] });

  await waitFor(async () => (await count('images')) === 16, { what: '16 images stitched', timeoutMs: 90_000 });
  // lights stitched before their calibration frames are stitched again: wait for the links
  const list = await waitFor(
    async () => {
      const r = await call('/api/v1/sessions?limit=50');
      const m31a = r.body.items.find((s: any) => s.night === '2024-10-01' && s.target?.id === 'M31');
      return r.body.total === 4 && m31a?.calibration.darks === 2 && m31a?.calibration.flats === 2 ? r : null;
    },
    { what: 'four sessions with their calibration', timeoutMs: 60_000 },
  );
  assert.equal(list.status, 200);
  const byKey = new Map<string, any>(list.body.items.map((s: any) => [`${s.night} ${s.target?.id}`, s]));
  assert.deepEqual([...byKey.keys()].sort(), ['2024-10-01 M31', '2024-10-01 M33', '2024-10-01 NGC 7000', '2024-10-02 M31']);

  const a = byKey.get('2024-10-01 M31');
  assert.equal(a.frames, 5, 'the night that crosses midnight UTC is one session');
  assert.equal(a.totalSeconds, 1500);
  assert.deepEqual(a.acquisition, [
    { filter: 'L', frames: 3, exposureSeconds: 300, totalSeconds: 900, gain: 100, offset: 50, sensorTempC: -9.7, binning: '1x1' },
    { filter: 'R', frames: 2, exposureSeconds: 300, totalSeconds: 600, gain: 100, offset: 50, sensorTempC: -10, binning: '1x1' },
  ]);
  assert.equal(a.images.length, 5);
  assert.equal(a.camera?.name, 'ZWO ASI2600MM Pro');
  assert.equal(a.telescope?.name, 'Askar FRA400');
  assert.equal(a.focalLengthMm, 400);
  assert.deepEqual({ d: a.calibration.darks, f: a.calibration.flats, b: a.calibration.biases, df: a.calibration.darkFlats }, { d: 2, f: 2, b: 0, df: 0 });
  assert.equal(a.calibration.frames, undefined, 'the list has the counts only');
  const one = await call(`/api/v1/sessions/${a.id}`);
  const { frames: calibrationFrames, ...counts } = one.body.calibration;
  assert.deepEqual({ ...one.body, calibration: counts }, a, 'GET /sessions/{id} is the listed session with its calibration frames');
  assert.deepEqual(calibrationFrames.map((f: any) => [f.kind, f.exposureSeconds, f.sensorTempC]).sort(), [['dark', 300, -10], ['dark', 300, -10], ['flat', 2, -10], ['flat', 2, -10]]);
  assert.ok(a.moonIllumination !== null && a.moonIllumination < 0.05, `new moon on 2024-10-02 (got ${a.moonIllumination})`);

  const stackId = await w.db.pool.oneFirst(sql.type(z.object({ id: z.string() }))`select id from images where path = 'stacks/M31_L_stack.fits'`);
  assert.deepEqual(a.stacks, [stackId], 'the L stack is linked to the session with L subs');
  assert.equal(a.stacksInferred, true);
  assert.equal((await call(`/api/v1/images/${stackId}`)).body.session, null, 'a stack is in no session');

  const b = byKey.get('2024-10-02 M31');
  assert.deepEqual(b.stacks, [], 'the Ha night did not make the L stack');
  assert.deepEqual(b.acquisition.map((r: any) => [r.filter, r.frames, r.exposureSeconds, r.totalSeconds]), [['Ha', 2, 600, 1200]]);
  assert.equal(b.calibration.darks, 0, 'no 600 s darks');
  const c = byKey.get('2024-10-01 M33');
  assert.equal(c.frames, 2, 'the site longitude makes 04:00 and 12:30 UTC one night');
  assert.deepEqual(c.site, { latitude: 34, longitude: -120 });
  assert.equal(c.calibration.darks, 2);
  assert.equal(c.calibration.flats, 0, 'the L flats do not calibrate OIII');
  assert.equal(byKey.get('2024-10-01 NGC 7000').totalSeconds, 1200);

  // the image record links its session; GET /sessions/{id} is the same session
  const img = await call(`/api/v1/images/${a.images[0]}`);
  assert.deepEqual(img.body.session, { id: a.id, night: '2024-10-01' });
  const dark = (await call(`/api/v1/images/${calibrationFrames.find((f: any) => f.kind === 'dark').id}`)).body;
  assert.equal(dark.session, null, 'calibration frames are in no session');

  // the session page, and links to it from the image and target pages
  const browser = new BrowserSession(w.url);
  await browser.login('member', 'member-password-1');
  const page = await browser.get(`/sessions/${a.id}`);
  assert.equal(page.res.status, 200);
  assert.match(page.text, /<h1>Session 2024-10-01, M31 · Andromeda Galaxy<\/h1>/);
  const rows = [...page.text.matchAll(/<tr><td data-label="Filter">([^<]+)<\/td><td data-label="Frames" class="num">(\d+)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(rows, ['L 3', 'R 2', 'Total 5']);
  assert.match(page.text, /<dt>Darks<\/dt><dd>2<\/dd>/);
  assert.match(page.text, new RegExp(`href="/api/v1/sessions/${a.id}/acquisition.csv"`));
  assert.equal([...page.text.matchAll(/<li class="card">/g)].length, 5, 'the subs as a grid');
  const imagePage = await browser.get(`/images/${a.images[0]}`);
  assert.match(imagePage.text, new RegExp(`<a href="/sessions/${a.id}">2024-10-01, M31</a>`));
  const targetPage = await browser.get('/targets/M31');
  const nights = [...targetPage.text.matchAll(/<a href="\/sessions\/[0-9a-f-]+">(\d{4}-\d{2}-\d{2})<\/a>/g)].map((m) => m[1]);
  assert.deepEqual(nights, ['2024-10-01', '2024-10-02'], 'sessions per target over time, oldest first (the timeline)');
  assert.equal((await browser.get('/sessions/00000000-0000-0000-0000-000000000000')).res.status, 404);

  // filters
  assert.equal((await call('/api/v1/sessions?target=M31')).body.total, 2);
  assert.equal((await call('/api/v1/sessions?filter=Ha')).body.total, 2);
  assert.equal((await call('/api/v1/sessions?capturedFrom=2024-10-02')).body.total, 1);
  assert.equal((await call('/api/v1/sessions?camera=2600MM')).body.total, 4);
  assert.equal((await call('/api/v1/sessions?camera=Canon')).body.total, 0);
  const paged = await call('/api/v1/sessions?limit=3');
  assert.equal(paged.body.items.length, 3);
  assert.equal((await call(`/api/v1/sessions?limit=3&cursor=${paged.body.next}`)).body.items.length, 1);
  assert.equal((await call('/api/v1/sessions?limit=0')).status, 400);
  assert.equal((await call('/api/v1/sessions/00000000-0000-0000-0000-000000000000')).status, 404);

  // AstroBin CSV
  const csv = await call(`/api/v1/sessions/${a.id}/acquisition.csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.type ?? '', /text\/csv/);
  assert.equal(
    csv.body,
    'date,filter,number,duration,binning,gain,sensorCooling,darks,flats,flatDarks,bias,filterName\n' + '2024-10-01,,3,300,1,100,-10,2,2,0,0,L\n' + '2024-10-01,,2,300,1,100,-10,2,0,0,0,R\n',
  );
  const targetCsv = await call('/api/v1/sessions.csv?target=M31');
  assert.deepEqual(targetCsv.body.trim().split('\n').slice(1).map((l: string) => l.split(',')[0] + ' ' + l.split(',').at(-1)), ['2024-10-01 L', '2024-10-01 R', '2024-10-02 Ha']);

  // a deleted sub leaves its session, which is recomputed; the last one deletes it
  await rm(join(m31, '2024-10-01/R_0002.fits'));
  const after1 = await waitFor(async () => {
    const s = (await call(`/api/v1/sessions/${a.id}`)).body;
    return s.frames === 4 ? s : null;
  }, { what: 'the R sub left its session', timeoutMs: 30_000 });
  assert.equal(after1.totalSeconds, 1200);
  assert.deepEqual(after1.acquisition.map((r: any) => [r.filter, r.frames]), [['L', 3], ['R', 1]]);
  assert.equal(after1.images.length, 4);
  await rm(join(m31, '2024-10-02'), { recursive: true });
  await waitFor(async () => (await call(`/api/v1/sessions/${b.id}`)).status === 404, { what: 'the emptied session is deleted', timeoutMs: 30_000 });
  assert.equal(await count('imaging_sessions'), 3);

  // a changed sub moves: the NGC 7000 frame re-captured as M 33 from the same site joins the M 33 session
  await frame(join(lib, 'NGC7000/Ha_0002.fits'), { object: 'M 33', date: '2024-10-02T05:00:00', exposure: 300, filter: 'OIII', longitude: -120 });
  const moved = await waitFor(async () => {
    const s = (await call(`/api/v1/sessions/${c.id}`)).body;
    return s.frames === 3 ? s : null;
  }, { what: 'the changed sub moved', timeoutMs: 30_000 });
  assert.equal(moved.totalSeconds, 900);
  assert.equal((await call(`/api/v1/sessions?target=NGC%207000`)).body.items[0].frames, 1);

  // a byte-identical copy of a sub counts nowhere: no session, the totals unchanged
  await mkdir(join(lib, 'copies'), { recursive: true });
  await copyFile(join(m31, '2024-10-01/L_0001.fits'), join(lib, 'copies/L_0001.fits'));
  const copy = await waitFor(async () => {
    const id = await w.db.pool.maybeOneFirst(sql.type(z.object({ id: z.string() }))`select id from images where path = 'copies/L_0001.fits'`);
    const r = id ? (await call(`/api/v1/images/${id}`)).body : null;
    return r?.duplicateOf ? r : null;
  }, { what: 'the copy stitched as a duplicate', timeoutMs: 30_000 });
  assert.equal(copy.session, null);
  const still = (await call(`/api/v1/sessions/${a.id}`)).body;
  assert.equal(still.frames, 4);
  assert.equal(still.totalSeconds, 1200);
  assert.ok(!still.images.includes(copy.id));
});
