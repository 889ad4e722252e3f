/**
 * SQL of imaging sessions (migrations 0130, 0150, 0151; the rules are in
 * catalog/stitching/sessions.ts, docs in docs/sessions.md): the stitcher's
 * find-or-create and link, and the reads of the API and the session page.
 * Aggregates (frames, totals, acquisition rows, calibration counts) are kept
 * incrementally by the triggers of the link table from the contribution each
 * link row carries (`linkImageSession` writes it); `imaging_session_refresh`
 * recomputes a session from scratch (repairs).
 * (The name db/sessions.ts is the login sessions'.)
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';

type Db = DatabasePool | DatabaseTransactionConnection;

/** What decides a light frame's session. */
export interface SessionKey {
  night: string;
  cameraId: string | null;
  telescopeId: string | null;
  /** rounded to 1 mm: one optical train with a header that wavers by a fraction stays one */
  focalLengthMm: number | null;
  binning: string | null;
  /** the resolved primary object id; null: grouped by pointing (or by the header's OBJECT when there is no pointing) */
  targetId: string | null;
  /** the header's object name, used only when neither a target nor a pointing is known */
  objectName: string | null;
  ra: number | null;
  dec: number | null;
  /** half the field of this frame, degrees */
  halfFieldDeg: number;
}

/** An existing session of the same night and optical train. */
export interface SessionCandidate {
  id: string;
  targetId: string | null;
  objectName: string | null;
  ra: number | null;
  dec: number | null;
  halfFieldDeg: number | null;
}


const Candidate = z.object({
  id: z.string(),
  target_id: z.string().nullable(),
  object_name: z.string().nullable(),
  ra: z.number().nullable(),
  dec: z.number().nullable(),
  half_field_deg: z.number().nullable(),
});

/**
 * The sessions of the same night and optical train, oldest first, under a
 * transaction lock on that night and train: two subs stitched at once cannot
 * both create the session (the lock is held until the transaction ends).
 */
export async function sessionCandidates(tx: DatabaseTransactionConnection, key: SessionKey, lockKey: string): Promise<SessionCandidate[]> {
  await tx.query(sql.unsafe`select pg_advisory_xact_lock(hashtextextended(${'imaging-session|' + lockKey}, 0))`);
  const rows = await tx.any(sql.type(Candidate)`
    select id, target_id, object_name, ra, dec, half_field_deg from imaging_sessions
     where night = ${key.night}::date
       and camera_id is not distinct from ${key.cameraId}::uuid and telescope_id is not distinct from ${key.telescopeId}::uuid
       and focal_length_mm is not distinct from ${key.focalLengthMm}::float8 and binning is not distinct from ${key.binning}::text
     order by created_at, id`);
  return rows.map((r) => ({ id: r.id, targetId: r.target_id, objectName: r.object_name, ra: r.ra, dec: r.dec, halfFieldDeg: r.half_field_deg }));
}

/** A new, empty session for a key (its aggregates come with its first sub). */
export async function createSession(
  tx: DatabaseTransactionConnection,
  key: SessionKey,
  more: { camera: string | null; telescope: string | null; siteLatitude: number | null; siteLongitude: number | null },
): Promise<string> {
  return tx.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into imaging_sessions (night, target_id, object_name, camera_id, telescope_id, camera, telescope, focal_length_mm, binning,
                                  ra, dec, half_field_deg, site_latitude, site_longitude)
    values (${key.night}::date, ${key.targetId}, ${key.objectName}, ${key.cameraId}::uuid, ${key.telescopeId}::uuid, ${more.camera}, ${more.telescope},
            ${key.focalLengthMm}::float8, ${key.binning}, ${key.ra}::float8, ${key.dec}::float8, ${key.halfFieldDeg}, ${more.siteLatitude}::float8, ${more.siteLongitude}::float8)
    returning id`);
}

/**
 * Puts an image in a session (or in none). Call after the image row and its
 * calibration links are written, in the same transaction. The link row keeps
 * a snapshot of what the sub contributes (migration 0150); the triggers on the
 * link table add, subtract or replace exactly that contribution in the
 * session's stored aggregates (and in the old session's, when the sub moves).
 * An unchanged snapshot writes nothing.
 */
export async function linkImageSession(tx: DatabaseTransactionConnection, imageId: string, sessionId: string | null): Promise<void> {
  if (sessionId === null) {
    await tx.query(sql.unsafe`delete from imaging_session_images where image_id = ${imageId}`);
    return;
  }
  await tx.query(sql.unsafe`
    insert into imaging_session_images as m (image_id, session_id, counted, sub_captured_at, sub_path, sub_filter, sub_exposure_s, sub_gain, sub_offset, sub_sensor_temp_c, sub_binning, sub_constellation, sub_hemisphere, calib_ids)
    select i.id, ${sessionId}, i.duplicate_of is null, i.captured_at, i.path, i.filter, i.exposure_s, i.gain, i."offset", i.sensor_temp_c, i.binning, i.constellation, i.hemisphere,
           array(select c.calib_id from image_calibration c where c.light_id = i.id order by c.calib_id)
      from images i where i.id = ${imageId}
    on conflict (image_id) do update set
      session_id = excluded.session_id, counted = excluded.counted, sub_captured_at = excluded.sub_captured_at, sub_path = excluded.sub_path,
      sub_filter = excluded.sub_filter, sub_exposure_s = excluded.sub_exposure_s, sub_gain = excluded.sub_gain, sub_offset = excluded.sub_offset,
      sub_sensor_temp_c = excluded.sub_sensor_temp_c, sub_binning = excluded.sub_binning, sub_constellation = excluded.sub_constellation,
      sub_hemisphere = excluded.sub_hemisphere, calib_ids = excluded.calib_ids
    where (m.session_id, m.counted, m.sub_captured_at, m.sub_path, m.sub_filter, m.sub_exposure_s, m.sub_gain, m.sub_offset, m.sub_sensor_temp_c, m.sub_binning, m.sub_constellation, m.sub_hemisphere, m.calib_ids)
          is distinct from
          (excluded.session_id, excluded.counted, excluded.sub_captured_at, excluded.sub_path, excluded.sub_filter, excluded.sub_exposure_s, excluded.sub_gain, excluded.sub_offset,
           excluded.sub_sensor_temp_c, excluded.sub_binning, excluded.sub_constellation, excluded.sub_hemisphere, excluded.calib_ids)`);
}

export const AcquisitionRow = z.object({
  filter: z.string().nullable(),
  frames: z.number(),
  exposureSeconds: z.number().nullable(),
  totalSeconds: z.number(),
  gain: z.number().nullable(),
  offset: z.number().nullable(),
  sensorTempC: z.number().nullable(),
  binning: z.string().nullable(),
});
export type AcquisitionRow = z.infer<typeof AcquisitionRow>;

const SessionRow = z.object({
  id: z.string(),
  night: z.string(),
  target_id: z.string().nullable(),
  target_name: z.string().nullable(),
  object_name: z.string().nullable(),
  camera_id: z.string().nullable(),
  camera: z.string().nullable(),
  telescope_id: z.string().nullable(),
  telescope: z.string().nullable(),
  focal_length_mm: z.number().nullable(),
  binning: z.string().nullable(),
  ra: z.number().nullable(),
  dec: z.number().nullable(),
  site_latitude: z.number().nullable(),
  site_longitude: z.number().nullable(),
  constellation: z.string().nullable(),
  hemisphere: z.string().nullable(),
  started_at: z.string().nullable(),
  /** the exact first capture (microseconds since 1970, text), for the list's keyset cursor */
  started_key: z.string().nullable(),
  ended_at: z.string().nullable(),
  frames: z.number(),
  total_seconds: z.number(),
  filters: z.array(z.string()),
  // built by imaging_session_summarise (migration 0150) in this shape: checked shallowly, since validating every
  // field of every row of a page cost more than reading the page
  acquisition: z.custom<AcquisitionRow[]>((v) => Array.isArray(v), 'acquisition rows'),
  calibration: z.object({ darks: z.number(), flats: z.number(), biases: z.number(), darkFlats: z.number() }).partial(),
});
export type SessionRow = z.infer<typeof SessionRow>;

const SESSION_COLUMNS = sql.fragment`
  s.id, to_char(s.night, 'YYYY-MM-DD') as night, s.target_id, o.name as target_name, s.object_name,
  s.camera_id, coalesce(ce.name, s.camera) as camera, s.telescope_id, coalesce(te.name, s.telescope) as telescope,
  s.focal_length_mm, s.binning, s.ra, s.dec, s.site_latitude, s.site_longitude, s.constellation, s.hemisphere,
  to_char(s.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as started_at, (extract(epoch from s.started_at) * 1000000)::bigint::text as started_key,
  to_char(s.ended_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as ended_at,
  s.frames, s.total_seconds, s.filters, s.acquisition, s.calibration`;
const SESSION_FROM = sql.fragment`
  imaging_sessions s
  left join objects o on o.id = s.target_id
  left join equipment ce on ce.id = s.camera_id
  left join equipment te on te.id = s.telescope_id`;

/** What the session list filters on (the image filters that mean something for a session). */
export interface SessionSearch {
  targetIds?: string[];
  targetText?: string;
  camera?: string;
  telescope?: string;
  filter?: string;
  nightFrom?: string;
  nightTo?: string;
  constellation?: string;
  hemisphere?: 'north' | 'south';
  limit: number;
  offset: number;
  /** keyset paging: the sessions after this one in the list's order (then `offset` is 0) */
  after?: SessionListKey;
}

/** A session's place in the list order: night, first capture (null last), id, all newest first. */
export interface SessionListKey {
  night: string;
  /** microseconds since 1970 (SessionRow.started_key) */
  startedAt: string | null;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The conditions of a session search on `imaging_sessions s` (joined as in {@link sessionsMatching}). */
function where(s: Omit<SessionSearch, 'limit' | 'offset'>): FragmentSqlToken {
  const c: FragmentSqlToken[] = [sql.fragment`true`];
  if (s.targetIds?.length) c.push(sql.fragment`s.target_id = any(${sql.array(s.targetIds, 'text')})`);
  else if (s.targetText) c.push(sql.fragment`(s.object_name ilike ${'%' + s.targetText + '%'} or s.target_id ilike ${s.targetText})`);
  if (s.camera) c.push(UUID.test(s.camera) ? sql.fragment`s.camera_id = ${s.camera}::uuid` : sql.fragment`coalesce(ce.name, s.camera) ilike ${'%' + s.camera + '%'}`);
  if (s.telescope) c.push(UUID.test(s.telescope) ? sql.fragment`s.telescope_id = ${s.telescope}::uuid` : sql.fragment`coalesce(te.name, s.telescope) ilike ${'%' + s.telescope + '%'}`);
  // a filter name in any case, not a pattern (as the image search: db/images.ts, filterKey)
  if (s.filter) c.push(sql.fragment`exists (select 1 from unnest(s.filters) f where lower(f) = lower(${s.filter}))`);
  if (s.nightFrom) c.push(sql.fragment`s.night >= ${s.nightFrom}::date`);
  if (s.nightTo) c.push(sql.fragment`s.night <= ${s.nightTo}::date`);
  if (s.constellation) c.push(sql.fragment`s.constellation = ${s.constellation}`);
  if (s.hemisphere) c.push(sql.fragment`s.hemisphere = ${s.hemisphere}`);
  return sql.fragment`${sql.join(c, sql.fragment` and `)}`;
}

/** The ids of the sessions a search matches, as a subquery (`session_id`). */
export function sessionsMatching(s: Omit<SessionSearch, 'limit' | 'offset'>): FragmentSqlToken {
  return sql.fragment`select s.id as session_id from ${SESSION_FROM} where ${where(s)}`;
}

/**
 * A page of sessions, newest night first, and the total that match. The order
 * (night, first capture with none last, id; all descending) is the one of the
 * index imaging_sessions_order (and of imaging_sessions_target_order for a
 * target), so a page is a short index range: keyset paging (`after`) reads
 * only the page, whatever its depth.
 */
export async function searchSessions(db: Db, s: SessionSearch): Promise<{ rows: SessionRow[]; total: number; more: boolean }> {
  const w = where(s);
  const page = s.after
    ? sql.fragment`${w} and (s.night, coalesce(s.started_at, '-infinity'::timestamptz), s.id) < (${s.after.night}::date, coalesce('epoch'::timestamptz + (${s.after.startedAt}::bigint * interval '1 microsecond'), '-infinity'::timestamptz), ${s.after.id}::uuid)`
    : w;
  const [rows, total] = await Promise.all([
    db.any(sql.type(SessionRow)`
      select ${SESSION_COLUMNS} from ${SESSION_FROM} where ${page}
       order by s.night desc, coalesce(s.started_at, '-infinity'::timestamptz) desc, s.id desc limit ${s.limit + 1} offset ${s.after ? 0 : s.offset}`),
    db.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from ${SESSION_FROM} where ${w}`),
  ]);
  return { rows: rows.slice(0, s.limit), total, more: rows.length > s.limit };
}

export async function sessionById(db: Db, id: string): Promise<SessionRow | null> {
  return db.maybeOne(sql.type(SessionRow)`select ${SESSION_COLUMNS} from ${SESSION_FROM} where s.id = ${id}`);
}

/** Ids of a session's images as one comma-separated text (uuids have no comma). */
const IdList = z.object({ session_id: z.string(), ids: z.string() });

/** The sub ids of sessions, by capture time. */
export async function sessionImages(db: Db, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  // index-only on imaging_session_images_order (the link rows carry capture time and path); one row per
  // session with its ids as one comma-separated text: thousands of ids cost one string to split, not one
  // validated row (or array element parsed by the driver) each
  const rows = await db.any(sql.type(IdList)`
    select m.session_id, string_agg(m.image_id::text, ',' order by m.sub_captured_at, m.sub_path, m.image_id) as ids from imaging_session_images m
     where m.session_id = any(${sql.array([...ids], 'uuid')}) group by m.session_id`);
  for (const r of rows) out.set(r.session_id, r.ids.split(','));
  return out;
}

const CalibrationFrame = z.object({
  session_id: z.string(),
  id: z.string(),
  kind: z.string(),
  exposure_s: z.number().nullable(),
  sensor_temp_c: z.number().nullable(),
});

/** The distinct calibration frames matched to the subs of sessions (the stitcher's calibration links). */
export async function sessionCalibration(db: Db, ids: readonly string[]): Promise<z.infer<typeof CalibrationFrame>[]> {
  if (!ids.length) return [];
  return [
    ...(await db.any(sql.type(CalibrationFrame)`
      select distinct m.session_id, k.id, k.calib_kind as kind, k.exposure_s, k.sensor_temp_c
        from imaging_session_images m
        join image_calibration c on c.light_id = m.image_id
        join images k on k.id = c.calib_id
       where m.session_id = any(${sql.array([...ids], 'uuid')}) and k.calib_kind is not null
       order by m.session_id, kind, k.exposure_s, k.id`)),
  ];
}

/** Calibration frames per acquisition row (filter × exposure) of a session, for the CSV export. */
export async function calibrationByRow(db: Db, sessionId: string) {
  return db.any(sql.type(z.object({ filter: z.string().nullable(), exposure_s: z.number().nullable(), kind: z.string(), n: z.number() }))`
    select i.filter, i.exposure_s, k.calib_kind as kind, count(distinct k.id)::int as n
      from imaging_session_images m
      join images i on i.id = m.image_id
      join image_calibration c on c.light_id = m.image_id
      join images k on k.id = c.calib_id
     where m.session_id = ${sessionId} and k.calib_kind is not null
     group by i.filter, i.exposure_s, k.calib_kind`);
}

/** The stored records of a session's subs, by capture time (the session page's grid). */
export async function sessionImageRecords(db: Db, sessionId: string, limit: number): Promise<Record<string, unknown>[]> {
  return [
    ...(await db.anyFirst(sql.type(z.object({ record: z.record(z.unknown()) }))`
      select i.record from imaging_session_images m join images i on i.id = m.image_id
       where m.session_id = ${sessionId} order by m.sub_captured_at, m.sub_path, m.image_id limit ${limit}`)),
  ];
}
