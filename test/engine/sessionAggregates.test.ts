// The incremental session aggregates (migration 0150) equal a full recompute
// from the images themselves after random joins, leaves, moves, edits,
// calibration changes and deletions (seeded, so a failure replays), on real
// PostgreSQL. The full recompute below is the rule of docs/sessions.md
// written directly over images and image_calibration (as migration 0130 did).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { seedImagesBulk, rng } from '../web/seedImages.ts';
import { createSession, linkImageSession, searchSessions, type SessionKey, type SessionListKey } from '../../daemon/db/imagingSessions.ts';

let db: TestDatabase;
let pool: DatabasePool;

before(async () => {
  db = await createTestDatabase();
  pool = db.pool;
  await seedImagesBulk(pool, { count: 400, seed: 7 });
});
after(async () => {
  await db?.drop();
});

const Agg = z.object({ id: z.string(), agg: z.record(z.unknown()) });

/** What stitching stored on the session rows. */
async function stored(): Promise<Map<string, unknown>> {
  const rows = await pool.any(sql.type(Agg)`
    select s.id, jsonb_build_object('frames', s.frames, 'totalSeconds', s.total_seconds, 'filters', s.filters, 'constellation', s.constellation,
             'hemisphere', s.hemisphere, 'acquisition', s.acquisition, 'calibration', s.calibration, 'startedAt', s.started_at, 'endedAt', s.ended_at) as agg
      from imaging_sessions s`);
  return new Map(rows.map((r) => [r.id, r.agg]));
}

/** The same aggregates computed from scratch: every sub's image row and calibration links. */
async function recomputed(): Promise<Map<string, unknown>> {
  const rows = await pool.any(sql.type(Agg)`
    select x.session_id as id, jsonb_build_object('frames', a.frames, 'totalSeconds', a.total_seconds, 'filters', a.filters, 'constellation', a.constellation,
             'hemisphere', a.hemisphere, 'acquisition', r.rows, 'calibration', k.summary, 'startedAt', a.started_at, 'endedAt', a.ended_at) as agg
      from (select distinct session_id from imaging_session_images) x,
      lateral (
        select count(*)::int as frames, coalesce(sum(i.exposure_s::numeric), 0)::float8 as total_seconds,
               min(i.captured_at) as started_at, max(i.captured_at) as ended_at,
               coalesce(array_agg(distinct i.filter) filter (where i.filter is not null), '{}') as filters,
               mode() within group (order by i.constellation) as constellation,
               mode() within group (order by i.hemisphere) as hemisphere
          from imaging_session_images m join images i on i.id = m.image_id
         where m.session_id = x.session_id and i.duplicate_of is null
      ) a,
      lateral (
        select coalesce(jsonb_agg(jsonb_build_object(
                 'filter', g.filter, 'frames', g.frames, 'exposureSeconds', g.exposure_s, 'totalSeconds', g.total_seconds,
                 'gain', g.gain, 'offset', g.off, 'sensorTempC', g.temp, 'binning', g.binning)
                 order by g.filter nulls last, g.exposure_s desc nulls last), '[]'::jsonb) as rows
          from (
            select i.filter, i.exposure_s, count(*)::int as frames, coalesce(sum(i.exposure_s::numeric), 0)::float8 as total_seconds,
                   mode() within group (order by i.gain) as gain, mode() within group (order by i."offset") as off,
                   round(avg(i.sensor_temp_c::numeric), 1)::float8 as temp, mode() within group (order by i.binning) as binning
              from imaging_session_images m join images i on i.id = m.image_id
             where m.session_id = x.session_id and i.duplicate_of is null
             group by i.filter, i.exposure_s
          ) g
      ) r,
      lateral (
        select jsonb_build_object(
                 'darks', count(distinct c.id) filter (where c.calib_kind = 'dark'),
                 'flats', count(distinct c.id) filter (where c.calib_kind = 'flat'),
                 'biases', count(distinct c.id) filter (where c.calib_kind = 'bias'),
                 'darkFlats', count(distinct c.id) filter (where c.calib_kind = 'darkflat')) as summary
          from imaging_session_images m
          join image_calibration ic on ic.light_id = m.image_id
          join images c on c.id = ic.calib_id
         where m.session_id = x.session_id
      ) k`);
  return new Map(rows.map((r) => [r.id, r.agg]));
}

async function assertConsistent(step: string): Promise<void> {
  const [s, r] = await Promise.all([stored(), recomputed()]);
  assert.deepEqual([...s.keys()].sort(), [...r.keys()].sort(), `${step}: the sessions are exactly those with subs`);
  for (const [id, want] of r) assert.deepEqual(s.get(id), want, `${step}: session ${id}`);
}

const Ids = z.object({ id: z.string() });
type Tx = Parameters<Parameters<DatabasePool['transaction']>[0]>[0];

test('incremental session aggregates equal a full recompute after random joins, leaves, edits and deletions', async () => {
  const r = rng(20261206);
  const lights = [...(await pool.anyFirst(sql.type(Ids)`select id from images where frame_type = 'light' and not is_calibration order by id`))];
  const calibs = [...(await pool.anyFirst(sql.type(Ids)`select id from images where calib_kind is not null order by id`))];
  assert.ok(lights.length > 150 && calibs.length > 20, 'the seeded library has lights and calibration frames');
  const sessions: string[] = [];
  const newSession = async (tx: Tx) => {
    const key: SessionKey = { night: `2024-10-${String(r.int(1, 28)).padStart(2, '0')}`, cameraId: null, telescopeId: null, focalLengthMm: 400, binning: '1x1', targetId: 'M31', objectName: null, ra: null, dec: null, halfFieldDeg: 0.5 };
    const id = await createSession(tx, key, { camera: null, telescope: null, siteLatitude: null, siteLongitude: null });
    sessions.push(id);
    return id;
  };
  const sessionOf = async (tx: Tx, id: string) => tx.maybeOneFirst(sql.type(z.object({ s: z.string() }))`select session_id as s from imaging_session_images where image_id = ${id}`);
  const linked = async (tx: Tx) => [...(await tx.anyFirst(sql.type(Ids)`select image_id as id from imaging_session_images order by image_id`))];
  // few distinct values, so that modes tie and groups merge and split
  const FILTERS = ['L', 'R', 'Ha', null];
  const EXPOSURES = [60, 300, 0.001, null];
  const TEMPS = [-10, -9.8, -10.25, null];
  const alive = new Set(lights);
  let calibrated = false;
  const pickLight = () => r.pick([...alive]);
  for (let step = 0; step < 160; step++) {
    const op = r.pick(['join', 'join', 'join', 'move', 'leave', 'edit', 'edit', 'calibration', 'delete', 'deleteCalibration', 'bulkLeave'] as const);
    const label = `step ${step} (${op})`;
    await pool.transaction(async (tx) => {
      // a session left without subs is gone: pick among those that exist, as the stitcher does
      sessions.splice(0, sessions.length, ...(await tx.anyFirst(sql.type(Ids)`select id from imaging_sessions order by id`)));
      if (op === 'join' || sessions.length === 0) {
        const target = sessions.length < 3 || r.next() < 0.15 ? await newSession(tx) : r.pick(sessions);
        await linkImageSession(tx, pickLight(), target);
      } else if (op === 'move') {
        const ids = await linked(tx);
        if (ids.length) await linkImageSession(tx, r.pick(ids), r.next() < 0.2 ? await newSession(tx) : r.pick(sessions));
      } else if (op === 'leave') {
        const ids = await linked(tx);
        if (ids.length) await linkImageSession(tx, r.pick(ids), null);
      } else if (op === 'bulkLeave') {
        const ids = await linked(tx);
        const some = ids.filter(() => r.next() < 0.1);
        await tx.query(sql.unsafe`delete from imaging_session_images where image_id = any(${sql.array(some, 'uuid')})`);
      } else if (op === 'edit') {
        // a sub re-stitched with other values (a user edit, a new agent result): the stitcher rewrites the row, then links again
        const ids = await linked(tx);
        if (!ids.length) return;
        const id = r.pick(ids);
        await tx.query(sql.unsafe`
          update images set filter = ${r.pick(FILTERS)}, exposure_s = ${r.pick(EXPOSURES)}::float8, gain = ${r.pick([100, 0, null])}::float8,
                 "offset" = ${r.pick([50, 30, null])}::float8, sensor_temp_c = ${r.pick(TEMPS)}::float8, binning = ${r.pick(['1x1', '2x2', null])},
                 constellation = ${r.pick(['And', 'Cyg', null])}, hemisphere = ${r.pick(['north', 'south', null])},
                 captured_at = ${r.next() < 0.1 ? null : new Date(Date.UTC(2024, 9, 1, 20) + r.int(0, 600) * 60_000).toISOString()}::timestamptz,
                 duplicate_of = ${r.next() < 0.1 ? r.pick(lights) : null}::uuid
           where id = ${id}`);
        await linkImageSession(tx, id, (await sessionOf(tx, id)) ?? r.pick(sessions));
      } else if (op === 'calibration') {
        const ids = await linked(tx);
        if (!ids.length) return;
        const id = r.pick(ids);
        if (r.next() < 0.3) await tx.query(sql.unsafe`delete from image_calibration where light_id = ${id}`);
        const add = Array.from({ length: r.int(0, 6) }, () => r.pick(calibs));
        for (const c of add) await tx.query(sql.unsafe`insert into image_calibration (light_id, calib_id) values (${id}, ${c}) on conflict do nothing`);
        await linkImageSession(tx, id, (await sessionOf(tx, id))!);
      } else if (op === 'delete') {
        // a sub's file deleted: the image row goes, its link with it (cascade)
        const ids = await linked(tx);
        if (!ids.length) return;
        const id = r.pick(ids);
        alive.delete(id);
        await tx.query(sql.unsafe`delete from images where id = ${id}`);
      } else if (op === 'deleteCalibration') {
        // a calibration frame deleted: the lights it calibrated are stitched again (here: linked again)
        const c = r.pick(calibs);
        const affected = [...(await tx.anyFirst(sql.type(Ids)`select light_id as id from image_calibration where calib_id = ${c}`))];
        await tx.query(sql.unsafe`delete from images where id = ${c}`);
        calibs.splice(calibs.indexOf(c), 1);
        for (const id of affected) {
          const s = await tx.maybeOneFirst(sql.type(z.object({ s: z.string() }))`select session_id as s from imaging_session_images where image_id = ${id}`);
          if (s) await linkImageSession(tx, id, s);
        }
      }
    });
    await assertConsistent(label);
    calibrated ||= await pool.exists(sql.unsafe`select 1 from imaging_session_calibration`);
  }
  // at least one more session to recompute at the end, whatever the run left
  await pool.transaction(async (tx) => {
    const id = await newSession(tx);
    for (const img of [...alive].slice(0, 5)) await linkImageSession(tx, img, id);
  });
  await assertConsistent('after the run');
  const left = await stored();
  assert.ok(left.size >= 1, 'the run ends with sessions to compare');
  assert.ok(calibrated, 'calibration counts were exercised');

  // the full recompute (repairs) gives the same stored rows
  for (const id of left.keys()) await pool.query(sql.unsafe`select imaging_session_refresh(${id})`);
  assert.deepEqual(await stored(), left);
});

test('concurrent subs joining one session are all counted', async () => {
  const id = await pool.transaction((tx) =>
    createSession(tx, { night: '2024-11-01', cameraId: null, telescopeId: null, focalLengthMm: null, binning: null, targetId: 'M42', objectName: null, ra: null, dec: null, halfFieldDeg: 0.5 }, { camera: null, telescope: null, siteLatitude: null, siteLongitude: null }),
  );
  const free = [...(await pool.anyFirst(sql.type(Ids)`
    select i.id from images i where frame_type = 'light' and not is_calibration and duplicate_of is null
       and not exists (select 1 from imaging_session_images m where m.image_id = i.id) order by id limit 12`))];
  await pool.transaction((tx) => linkImageSession(tx, free[0]!, id));
  await Promise.all(free.slice(1).map((img) => pool.transaction((tx) => linkImageSession(tx, img, id))));
  const frames = await pool.oneFirst(sql.type(z.object({ n: z.number() }))`select frames as n from imaging_sessions where id = ${id}`);
  assert.equal(frames, free.length);
  await assertConsistent('after concurrent joins');
});

test('the session list pages by keyset: every session once, in the list order, ties and sessions without a capture included', async () => {
  const ids: string[] = [];
  await pool.transaction(async (tx) => {
    for (let k = 0; k < 23; k++) {
      const key: SessionKey = { night: `2023-05-0${1 + (k % 3)}`, cameraId: null, telescopeId: null, focalLengthMm: null, binning: null, targetId: 'M51', objectName: null, ra: null, dec: null, halfFieldDeg: 0.5 };
      ids.push(await createSession(tx, key, { camera: null, telescope: null, siteLatitude: null, siteLongitude: null }));
    }
    // equal first captures (ties broken by id) and some with none (last in their night)
    await tx.query(sql.unsafe`update imaging_sessions set started_at = '2023-05-01T21:00:00.123456Z' where id = any(${sql.array(ids.slice(0, 12), 'uuid')})`);
  });
  const all = await searchSessions(pool, { targetIds: ['M51'], limit: 200, offset: 0 });
  assert.equal(all.total, 23);
  assert.equal(all.more, false);
  const walked: string[] = [];
  let after: SessionListKey | undefined;
  for (let page = 0; page < 10; page++) {
    const p = await searchSessions(pool, { targetIds: ['M51'], limit: 5, offset: 0, after });
    assert.equal(p.total, 23);
    walked.push(...p.rows.map((r) => r.id));
    const last = p.rows.at(-1);
    if (!p.more || !last) break;
    after = { night: last.night, startedAt: last.started_key, id: last.id };
  }
  assert.deepEqual(walked, all.rows.map((r) => r.id));
  assert.deepEqual([...walked].sort(), [...ids].sort());
});

test('a sub stitched again unchanged writes nothing to its session', async () => {
  const [img] = [...(await pool.anyFirst(sql.type(Ids)`select image_id as id from imaging_session_images order by image_id limit 1`))];
  assert.ok(img);
  const before = await pool.one(sql.type(z.object({ s: z.string(), u: z.string() }))`
    select s.id as s, s.updated_at::text as u from imaging_session_images m join imaging_sessions s on s.id = m.session_id where m.image_id = ${img}`);
  await pool.transaction((tx) => linkImageSession(tx, img, before.s));
  const after = await pool.oneFirst(sql.type(z.object({ u: z.string() }))`select updated_at::text as u from imaging_sessions where id = ${before.s}`);
  assert.equal(after, before.u);
});

test('a session row deleted with its subs (cascade) leaves nothing behind', async () => {
  const sid = await pool.oneFirst(sql.type(z.object({ s: z.string() }))`select session_id as s from imaging_session_images group by session_id order by count(*) desc limit 1`);
  await pool.query(sql.unsafe`delete from imaging_sessions where id = ${sid} or target_id = 'M51'`); // (and the empty ones of the paging test)
  assert.equal(await pool.exists(sql.unsafe`select 1 from imaging_session_images where session_id = ${sid}`), false);
  assert.equal(await pool.exists(sql.unsafe`select 1 from imaging_session_groups where session_id = ${sid}`), false);
  await assertConsistent('after deleting a session');
});
