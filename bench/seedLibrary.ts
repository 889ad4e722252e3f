/**
 * Fast seeding of large libraries for the session benchmark: 1,000,000
 * images in minutes (the row-by-row assembly of test/web/seedImages.ts takes
 * about 6 minutes per 100,000 here).
 *
 * 1. A few thousand *prototype* images are made by the real assembler
 *    (`seedImagesBulk`: lights, stacks and calibration frames of 50 targets,
 *    5 cameras, 5 telescopes, LRGB/narrowband and one-shot-colour filters;
 *    15 % calibration frames, 2 % stacks and masters, the rest lights).
 * 2. Imaging sessions are planned (one of 500 subs, then 20–200 subs each, of
 *    one target, camera and telescope, about two a night), and copied from the
 *    prototypes in SQL, set-based (generate_series; no per-row round trips):
 *    a session's subs cycle through the prototype lights of its target, camera
 *    and telescope (so its subs have several filters and exposures), one
 *    after the other from 20:00 UTC; each sub is linked to its session's five
 *    calibration frames (2 darks, 2 flats, 1 bias). The session aggregates are
 *    kept by the link table's triggers, as stitching would.
 * 3. Calibration frames and stacks are copies of the prototype ones with
 *    their dates shifted; the prototypes are then deleted.
 *
 * Records are the prototypes' with id, path, checksum, capture time and
 * session replaced. Agent results (image_results) are not copied: nothing
 * measured reads them. Secondary indexes of the image tables are dropped while
 * rows are copied and built again at the end (faster than growing them row by
 * row), foreign keys are not checked row by row while consistent copies are
 * inserted (session_replication_role = replica; the session links are
 * inserted with their triggers), then the tables are analysed (and vacuumed
 * where the measured reads are index-only).
 */
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { seedImagesBulk, rng } from '../test/web/seedImages.ts';

export interface SeededLibrary {
  images: number;
  sessions: number;
  /** the session of 500 subs */
  big: string;
  /** a sub of another session with the same camera (moved into the big one by the stitch measure) */
  spare: string;
  /** seconds per seeding step */
  timings: Record<string, number>;
}

const timings = new Map<string, number>();
/** Runs a step and adds its wall time to `timings` under its label. */
async function timed<T>(label: string, p: Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await p;
  } finally {
    timings.set(label, (timings.get(label) ?? 0) + (performance.now() - t0) / 1000);
  }
}

const PROTOTYPES = 5000;
/** 15 % calibration frames; 2 % masters and processed images (a few per session of ~110 subs, not one per ten subs) */
const CALIBRATION_SHARE = 0.15;
const STACK_SHARE = 0.02;
const LIGHTS_PER_STATEMENT = 40_000;
const OTHERS_PER_STATEMENT = 50_000;

/** Deterministic session sizes 20–200 (as before). */
function* sessionSizes(): Generator<number> {
  let x = 12345;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield 20 + (x % 181);
  }
}

/** A statement read from the catalog (an index definition from pg_indexes), as slonik's template tag takes it. */
function statement(text: string) {
  return sql.unsafe(Object.freeze(Object.assign([text], { raw: Object.freeze([text]) })) as unknown as TemplateStringsArray);
}

/** Columns of a table in order (for the generic copies). */
async function columns(pool: CommonQueryMethods, table: string): Promise<string[]> {
  return [
    ...(await pool.anyFirst(sql.type(z.object({ c: z.string() }))`
      select column_name as c from information_schema.columns where table_schema = 'public' and table_name = ${table} order by ordinal_position`)),
  ];
}

const TABLES = ['images_unprocessed', 'images', 'image_objects', 'image_filters', 'image_equipment', 'image_calibration'];

/**
 * Copies the images named by `seed_map` (new_id, proto_id, session_id, night,
 * at, k): source rows, image rows (record patched) and their link rows.
 */
async function copyMapped(pool: CommonQueryMethods, cols: Map<string, string[]>): Promise<void> {
  const rest = (table: string, skip: string[]) => cols.get(table)!.filter((c) => !skip.includes(c));
  const ident = (names: string[], alias: string) => sql.join(names.map((c) => sql.identifier([alias, c])), sql.fragment`, `);
  const bare = (names: string[]) => sql.join(names.map((c) => sql.identifier([c])), sql.fragment`, `);
  const newPath = sql.fragment`('s' || m.k || '/' || u.storage_key)`;
  const u = rest('images_unprocessed', ['id', 'storage_key', 'location_uri', 'created_at', 'modified_at']);
  await timed('copy: images_unprocessed', pool.query(sql.unsafe`
    insert into images_unprocessed (id, storage_key, location_uri, created_at, modified_at, ${bare(u)})
    select m.new_id, ${newPath}, 'file:///seed/' || u.provider || '/' || ${newPath}, m.at + interval '2 days', m.at, ${ident(u, 'u')}
      from seed_map m join images_unprocessed u on u.id = m.proto_id`));
  const i = rest('images', ['id', 'path', 'sha256', 'captured_at', 'record', 'created_at', 'stitched_at']);
  await timed('copy: images', pool.query(sql.unsafe`
    insert into images (id, path, sha256, captured_at, created_at, stitched_at, record, ${bare(i)})
    select m.new_id, u.storage_key, encode(sha256(m.new_id::text::bytea), 'hex'), m.at, m.at + interval '2 days', now(),
           jsonb_set(p.record, '{dates,captured}', to_jsonb(to_char(m.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
             || jsonb_build_object('id', m.new_id, 'path', u.storage_key, 'sha256', encode(sha256(m.new_id::text::bytea), 'hex'),
                                   'session', case when m.session_id is null then null else jsonb_build_object('id', m.session_id, 'night', m.night) end),
           ${ident(i, 'p')}
      from seed_map m join images p on p.id = m.proto_id join images_unprocessed u on u.id = m.new_id`));
  for (const t of ['image_objects', 'image_filters', 'image_equipment']) {
    const r = rest(t, ['image_id']);
    await timed(`copy: ${t}`, pool.query(sql.unsafe`
      insert into ${sql.identifier([t])} (image_id, ${bare(r)}) select m.new_id, ${ident(r, 'x')} from seed_map m join ${sql.identifier([t])} x on x.image_id = m.proto_id`));
  }
  // every image has its thumbnail and preview, as in a processed library (the session cards' covers read them)
  await timed('derived files', pool.query(sql.unsafe`
    insert into derived_files (image_id, name, storage_key, content_type, size_bytes)
    select m.new_id, d.name, 'derived/' || m.new_id || '/' || d.name || '.webp', 'image/webp', d.size
      from seed_map m cross join (values ('thumbnail', 6000), ('preview', 90000)) as d(name, size)`));
}

export async function seedLibrary(db: DatabasePool, o: { count: number; seed: number }, progress?: (what: string) => void): Promise<SeededLibrary> {
  // 1. prototypes through the real assembler
  timings.clear();
  await timed('prototypes (assembled)', seedImagesBulk(db, { count: Math.min(PROTOTYPES, o.count), seed: o.seed, calibrationShare: CALIBRATION_SHARE, stackShare: STACK_SHARE }));
  progress?.('prototypes');
  // the rest on one connection without the daemon's statement timeout (index builds, copies of 40,000 rows)
  return db.connect(async (pool) => {
    await pool.query(sql.unsafe`set statement_timeout = 0`);
    return copyLibrary(pool, o, progress);
  });
}

async function copyLibrary(pool: CommonQueryMethods, o: { count: number; seed: number }, progress?: (what: string) => void): Promise<SeededLibrary> {
  const r = rng(o.seed);
  await pool.query(sql.unsafe`
    create table seed_proto_light as
    select id, dense_rank() over (order by target_id, camera_id, telescope_id)::int as combo,
           (row_number() over (partition by target_id, camera_id, telescope_id order by id) - 1)::int as idx,
           (count(*) over (partition by target_id, camera_id, telescope_id))::int as n
      from images where frame_type = 'light' and not is_calibration and target_id is not null and captured_at is not null`);
  await pool.query(sql.unsafe`
    create table seed_proto_other as
    select id, (row_number() over (order by id) - 1)::int as idx, (count(*) over ())::int as n
      from images where id not in (select id from seed_proto_light)`);
  const proto = await pool.one(sql.type(z.object({ lights: z.number(), others: z.number() }))`
    select (select count(*) from seed_proto_light)::int as lights, (select count(*) from seed_proto_other)::int as others`);
  const combos = await pool.any(sql.type(z.object({ combo: z.number(), n: z.number(), target_id: z.string(), camera_id: z.string().nullable(), telescope_id: z.string().nullable(), camera: z.string().nullable(), telescope: z.string().nullable(), fl: z.number().nullable() }))`
    select distinct on (l.combo) l.combo, l.n, i.target_id, i.camera_id, i.telescope_id, i.camera, i.telescope, (i.record #>> '{acquisition,focalLengthMm}')::float8 as fl
      from seed_proto_light l join images i on i.id = l.id order by l.combo, l.id`);
  const lightsWanted = Math.round((o.count * proto.lights) / (proto.lights + proto.others));
  const othersWanted = o.count - lightsWanted;

  // secondary indexes are built once at the end
  const indexes = await pool.any(sql.type(z.object({ name: z.string(), def: z.string() }))`
    select i.indexname as name, i.indexdef as def from pg_indexes i
     where i.schemaname = 'public' and i.tablename = any(${sql.array(TABLES, 'text')})
       and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`);
  for (const ix of indexes) await pool.query(sql.unsafe`drop index ${sql.identifier([ix.name])}`);
  // copies of rows that are consistent by construction: no foreign-key checks row by row (superuser; the
  // test server's user is). Only the session links need their triggers (below); deletes need the cascades.
  await pool.query(sql.unsafe`set session_replication_role = replica`);
  const cols = new Map<string, string[]>();
  for (const t of TABLES) cols.set(t, await columns(pool, t));
  await pool.query(sql.unsafe`create table seed_map (new_id uuid, proto_id uuid, session_id uuid, night text, at timestamptz, k bigint)`);
  let k = 0;

  // 2. calibration frames and stacks: the prototypes' with their dates shifted
  for (let done = 0; done < othersWanted; done += OTHERS_PER_STATEMENT) {
    const n = Math.min(OTHERS_PER_STATEMENT, othersWanted - done);
    await timed('plan: rows to copy', pool.query(sql.unsafe`
      insert into seed_map (new_id, proto_id, at, k)
      select gen_random_uuid(), p.id, coalesce(i.captured_at, '2022-01-01') + (((${done}::bigint + g) / p.n) % 60) * interval '31 days', ${k}::bigint + g
        from generate_series(0, ${n - 1}) g join seed_proto_other p on p.idx = (${done}::bigint + g) % p.n join images i on i.id = p.id`));
    await copyMapped(pool, cols);
    await pool.query(sql.unsafe`truncate seed_map`);
    k += n;
    progress?.(`${done + n} calibration frames and stacks`);
  }
  await pool.query(sql.unsafe`
    create table seed_calib as
    select id, calib_kind as kind, (row_number() over (partition by calib_kind order by id) - 1)::int as idx, (count(*) over (partition by calib_kind))::int as n
      from images where calib_kind in ('dark', 'flat', 'bias') and id not in (select id from seed_proto_other)`);
  await pool.query(sql.unsafe`create index on seed_calib (kind, idx)`);

  // 3. the sessions and their subs
  const sizes = sessionSizes();
  const plan: { id: string; night: string; combo: number; size: number; start: string; ord: number }[] = [];
  // the session of 500: the train with the most prototype lights (the most filters and exposures)
  const comboBig = [...combos].sort((a, b) => b.n - a.n || a.combo - b.combo)[0]!;
  for (let left = lightsWanted, ord = 0; left > 0; ord++) {
    const size = Math.min(left, ord === 0 ? 500 : sizes.next().value);
    const day = Math.floor(ord / 2);
    const night = new Date(Date.UTC(2016, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
    const start = new Date(Date.parse(`${night}T20:00:00Z`) + (ord % 2) * 60_000).toISOString();
    plan.push({ id: crypto.randomUUID(), night, combo: ord === 0 ? comboBig.combo : r.pick(combos).combo, size, start, ord });
    left -= size;
  }
  const byCombo = new Map(combos.map((c) => [c.combo, c]));
  for (let b = 0; b < plan.length; b += 5000) {
    const part = plan.slice(b, b + 5000).map((s) => {
      const c = byCombo.get(s.combo)!;
      return [s.id, s.night, c.target_id, c.camera_id, c.telescope_id, c.camera, c.telescope, c.fl === null ? null : Math.round(c.fl), s.ord];
    });
    await pool.query(sql.unsafe`
      insert into imaging_sessions (id, night, target_id, camera_id, telescope_id, camera, telescope, focal_length_mm, binning, half_field_deg)
      select id, night, t, cam, tel, camn, teln, fl, '1x1', 0.5 from ${sql.unnest(part as never, ['uuid', 'date', 'text', 'uuid', 'uuid', 'text', 'text', 'float8', 'int4'])} as x(id, night, t, cam, tel, camn, teln, fl, ord)`);
  }
  // each session's calibration frames: 2 darks, 2 flats, 1 bias
  await pool.query(sql.unsafe`create table seed_session_calib (session_id uuid, calib_id uuid)`);
  for (let b = 0; b < plan.length; b += 5000) {
    const part = plan.slice(b, b + 5000).map((s) => [s.id, s.ord]);
    await pool.query(sql.unsafe`
      insert into seed_session_calib
      select distinct x.id, c.id from ${sql.unnest(part as never, ['uuid', 'int4'])} as x(id, ord)
        cross join lateral (values ('dark', x.ord * 2), ('dark', x.ord * 2 + 1), ('flat', x.ord * 2), ('flat', x.ord * 2 + 1), ('bias', x.ord)) as p(kind, i)
        join (select kind, max(n) as n from seed_calib group by kind) k on k.kind = p.kind
        join seed_calib c on c.kind = p.kind and c.idx = p.i % k.n`);
  }
  await pool.query(sql.unsafe`create index on seed_session_calib (session_id)`);
  let chunk: typeof plan = [];
  let chunkLights = 0;
  let lightsDone = 0;
  const flush = async () => {
    if (!chunk.length) return;
    const part = chunk.map((s) => [s.id, s.night, s.combo, s.size, s.start]);
    await timed('plan: rows to copy', pool.query(sql.unsafe`
      insert into seed_map (new_id, proto_id, session_id, night, at, k)
      select gen_random_uuid(), p.id, x.id, x.night, x.start + g * interval '150 seconds', ${k}::bigint + row_number() over ()
        from ${sql.unnest(part as never, ['uuid', 'text', 'int4', 'int4', 'timestamptz'])} as x(id, night, combo, size, start)
        cross join lateral generate_series(0, x.size - 1) g
        join seed_proto_light p on p.combo = x.combo and p.idx = g % p.n`));
    await copyMapped(pool, cols);
    await timed('calibration links', pool.query(sql.unsafe`insert into image_calibration (light_id, calib_id) select m.new_id, c.calib_id from seed_map m join seed_session_calib c on c.session_id = m.session_id`));
    // the links carry each sub's contribution; the triggers keep the sessions' aggregates (migration 0150)
    await pool.query(sql.unsafe`set session_replication_role = origin`);
    await timed('session links (and their triggers)', pool.query(sql.unsafe`
      insert into imaging_session_images (image_id, session_id, counted, sub_captured_at, sub_path, sub_filter, sub_exposure_s, sub_gain, sub_offset, sub_sensor_temp_c, sub_binning, sub_constellation, sub_hemisphere, calib_ids)
      select i.id, m.session_id, true, i.captured_at, i.path, i.filter, i.exposure_s, i.gain, i."offset", i.sensor_temp_c, i.binning, i.constellation, i.hemisphere,
             array(select c.calib_id from seed_session_calib c where c.session_id = m.session_id order by c.calib_id)
        from seed_map m join images i on i.id = m.new_id`));
    await pool.query(sql.unsafe`set session_replication_role = replica`);
    await pool.query(sql.unsafe`truncate seed_map`);
    k += chunkLights;
    lightsDone += chunkLights;
    progress?.(`${lightsDone} subs in sessions`);
    chunk = [];
    chunkLights = 0;
  };
  for (const s of plan) {
    chunk.push(s);
    chunkLights += s.size;
    if (chunkLights >= LIGHTS_PER_STATEMENT) await flush();
  }
  await flush();

  await pool.query(sql.unsafe`set session_replication_role = origin`);
  // the indexes come back; the prototypes go (their delete triggers need the indexes)
  progress?.('building indexes');
  for (const ix of indexes) await timed('indexes', pool.query(statement(ix.def)));
  await timed('prototypes deleted', pool.query(sql.unsafe`delete from images_unprocessed where id in (select id from seed_proto_light union all select id from seed_proto_other)`));
  for (const t of ['seed_map', 'seed_proto_light', 'seed_proto_other', 'seed_calib', 'seed_session_calib']) await pool.query(sql.unsafe`drop table ${sql.identifier([t])}`);
  // vacuumed (visibility map, for index-only scans) where the measured reads use them; the rest only analysed
  for (const t of ['images', 'imaging_sessions', 'imaging_session_images', 'imaging_session_groups', 'imaging_session_calibration', 'image_filters']) await timed('vacuum analyze', pool.query(sql.unsafe`vacuum analyze ${sql.identifier([t])}`));
  for (const t of [...TABLES.filter((x) => !['images', 'image_filters'].includes(x)), 'derived_files']) await timed('vacuum analyze', pool.query(sql.unsafe`analyze ${sql.identifier([t])}`));

  const big = plan[0]!;
  const spare = await pool.oneFirst(sql.type(z.object({ id: z.string() }))`
    select m.image_id as id from imaging_session_images m join imaging_sessions s on s.id = m.session_id
     where s.id <> ${big.id} and s.camera_id is not distinct from ${comboBig.camera_id}::uuid order by s.night, m.image_id limit 1`);
  return { images: o.count, sessions: plan.length, big: big.id, spare, timings: Object.fromEntries([...timings].map(([k, v]) => [k, Math.round(v * 10) / 10])) };
}
