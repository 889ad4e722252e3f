/**
 * SQL of the gallery's default view, "Sessions & stacks" (docs/ui.md): one
 * card per imaging session and one per image that is in no session (stacks,
 * masters, processed images, lights without a session). Sessions are a table
 * kept by stitching (docs/sessions.md), so nothing here groups the library:
 * a page is the merge of two keyset scans, one over `imaging_sessions` and one
 * over the images in no session, each reading only its page from an index
 * (migration 0140); with filters, the matching sessions come from one pass
 * over the matching images (as the frames view's count does). Also the target page's timeline and the targets list's
 * session totals.
 */
import { sql, type DatabasePool, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { imageConditions, narrows, withTextPlan, type ImageSearch } from './images.ts';
import { AcquisitionRow, sessionsMatching, type SessionSearch } from './imagingSessions.ts';

/** The orders of the session view (the others are orders of files: the frames view). */
export const GROUP_SORTS = ['captured', '-captured', 'created'] as const;
export type GroupSort = (typeof GROUP_SORTS)[number];

/** A place in the merged order: the key of a card (as PostgreSQL prints it) and its id. */
export interface GroupCursor {
  /** `after`: the page that follows this card; `before`: the page that precedes it */
  dir: 'after' | 'before';
  at: string;
  id: string;
}

export interface GroupRef {
  kind: 'session' | 'image';
  id: string;
  at: string;
}

interface SortSql {
  session: FragmentSqlToken;
  image: FragmentSqlToken;
  desc: boolean;
}

// The keys match the expressions of the indexes of migration 0140 exactly (or the planner cannot use them).
const KEYS: Record<GroupSort, SortSql> = {
  captured: { session: sql.fragment`coalesce(s.started_at, '-infinity'::timestamptz)`, image: sql.fragment`coalesce(images.captured_at, '-infinity'::timestamptz)`, desc: true },
  '-captured': { session: sql.fragment`coalesce(s.started_at, 'infinity'::timestamptz)`, image: sql.fragment`coalesce(images.captured_at, 'infinity'::timestamptz)`, desc: false },
  created: { session: sql.fragment`s.created_at`, image: sql.fragment`images.created_at`, desc: true },
};

/** Images in no session: the partial indexes of migration 0140 have this predicate. */
const SINGLE = sql.fragment`(images.record #>> '{session,id}') is null`;

/**
 * Conditions that hold for every sub of a session alike (one camera and one
 * optical train per session; constellation and hemisphere are those of the
 * session's pointing, i.e. of most of its subs): tested once on the
 * session's row instead of on each sub.
 */
const UNIFORM = ['camera', 'telescope', 'constellation', 'hemisphere'] as const;

/**
 * The sessions that are cards of a search: those with a sub that matches the
 * image conditions. When only conditions that are the same for every sub of
 * a session are given ({@link UNIFORM}, and the filter when nothing else
 * varies per sub), they are tested on the sessions' own rows (an index-sized
 * table). Otherwise every condition is tested on the subs, in one pass over
 * the matching images joined to the session links: the images' GIN index
 * (migration 0200) ANDs the target, filter, camera, telescope, hemisphere and
 * constellation in one scan, so the pass reads only the matching subs —
 * cheaper than joining a per-sub match to a per-session one, and never a
 * probe of every session's subs. None when the search filters nothing a sub
 * could fail.
 */
function matchedSessions(s: ImageSearch): FragmentSqlToken | null {
  if (!narrows(s)) return null;
  const perSub: ImageSearch = { ...s };
  const perSession: Omit<SessionSearch, 'limit' | 'offset'> = {};
  for (const k of UNIFORM) {
    if (s[k] === undefined) continue;
    (perSession as Record<string, unknown>)[k] = s[k];
    delete perSub[k];
  }
  // a session holds several filters: "has a sub of this filter" is a session's fact only alone
  if (s.filter !== undefined && !narrows({ ...perSub, filter: undefined })) {
    perSession.filter = s.filter;
    delete perSub.filter;
  }
  if (!narrows(perSub)) return sessionsMatching(perSession);
  return sql.fragment`select distinct gm.session_id from images join imaging_session_images gm on gm.image_id = images.id
                       where ${sql.join(imageConditions(s), sql.fragment` and `)}`;
}

function imageWhere(s: ImageSearch): FragmentSqlToken {
  return sql.fragment`${sql.join([SINGLE, ...imageConditions(s)], sql.fragment` and `)}`;
}

const Ref = z.object({ kind: z.enum(['session', 'image']).nullable(), id: z.string().nullable(), at: z.string().nullable(), total: z.number() });

/**
 * One page of cards in the merged order, the number of cards in all, and
 * cursors of the pages around it. One statement: the matching sessions (when
 * the search filters subs) are computed once, for the page and the count;
 * each branch then reads at most `limit + 1` rows in index order from the
 * cursor on, and the merge keeps `limit + 1` of both.
 */
export async function searchGroups(
  db: DatabasePool,
  search: ImageSearch,
  o: { sort: GroupSort; limit: number; cursor: GroupCursor | null },
): Promise<{ items: GroupRef[]; total: number; next: GroupCursor | null; prev: GroupCursor | null }> {
  const s = await withTextPlan(db, search);
  const k = KEYS[o.sort];
  const back = o.cursor?.dir === 'before';
  // read backwards for the page before a card, then turn the rows round
  const desc = k.desc !== back;
  const dir = desc ? sql.fragment`desc` : sql.fragment`asc`;
  const cmp = (key: FragmentSqlToken, id: FragmentSqlToken) =>
    o.cursor ? (desc ? sql.fragment`(${key}, ${id}) < (${o.cursor.at}::timestamptz, ${o.cursor.id}::uuid)` : sql.fragment`(${key}, ${id}) > (${o.cursor.at}::timestamptz, ${o.cursor.id}::uuid)`) : sql.fragment`true`;
  const matched = matchedSessions(s);
  const n = o.limit + 1;
  const rows = await db.any(sql.type(Ref)`
    with ${matched ? sql.fragment`matched as materialized (${matched}),` : sql.fragment``}
    page as (
      select kind, id, k, at from (
        (select 'session' as kind, s.id, ${k.session} as k, (${k.session})::text as at
           from imaging_sessions s
          where ${cmp(k.session, sql.fragment`s.id`)} ${matched ? sql.fragment`and s.id in (select session_id from matched)` : sql.fragment``}
          order by ${k.session} ${dir}, s.id ${dir} limit ${n})
        union all
        (select 'image' as kind, images.id, ${k.image} as k, (${k.image})::text as at
           from images
          where ${imageWhere(s)} and ${cmp(k.image, sql.fragment`images.id`)}
          order by ${k.image} ${dir}, images.id ${dir} limit ${n})
      ) g
      order by k ${dir}, id ${dir} limit ${n}
    )
    select p.kind, p.id, p.at,
           ((select count(*) from ${matched ? sql.fragment`matched` : sql.fragment`imaging_sessions`})
            + (select count(*) from images where ${imageWhere(s)}))::int as total
      from (select 1) one left join page p on true
     order by p.k ${dir}, p.id ${dir}`);
  const total = rows[0]?.total ?? 0;
  const found = rows.filter((r): r is { kind: 'session' | 'image'; id: string; at: string; total: number } => r.kind !== null && r.id !== null && r.at !== null);
  const more = found.length > o.limit;
  const page = found.slice(0, o.limit);
  if (back) page.reverse();
  const first = page[0];
  const last = page.at(-1);
  const items = page.map((r) => ({ kind: r.kind, id: r.id, at: r.at }));
  if (!back) {
    return {
      items,
      total,
      next: more && last ? { dir: 'after', at: last.at, id: last.id } : null,
      prev: o.cursor && first ? { dir: 'before', at: first.at, id: first.id } : null,
    };
  }
  return {
    items,
    total,
    next: last ? { dir: 'after', at: last.at, id: last.id } : null,
    prev: more && first ? { dir: 'before', at: first.at, id: first.id } : null,
  };
}

export const SessionCardRow = z.object({
  id: z.string(),
  night: z.string(),
  target_id: z.string().nullable(),
  target_name: z.string().nullable(),
  object_name: z.string().nullable(),
  camera: z.string().nullable(),
  telescope: z.string().nullable(),
  frames: z.number(),
  total_seconds: z.number(),
  started_at: z.string().nullable(),
  acquisition: z.array(AcquisitionRow),
  cover_id: z.string().nullable(),
});
export type SessionCardRow = z.infer<typeof SessionCardRow>;

/**
 * What a session card shows, for the sessions of a page. The cover is, of the
 * 16 subs around the middle of the session in time (8 each side, two short
 * ranges of the session's link index), the one with a thumbnail that is
 * plate-solved if any is, nearest to the middle (the library knows no
 * per-frame quality measure such as FWHM yet); when none of those has a
 * thumbnail yet (still being processed), the first sub that has one. Reading
 * every sub of every session of a page cost 67 ms for 50 sessions of ~110
 * subs; this reads about 16 each.
 */
export async function sessionCards(db: DatabasePool, ids: readonly string[]): Promise<SessionCardRow[]> {
  if (!ids.length) return [];
  return [
    ...(await db.any(sql.type(SessionCardRow)`
      select s.id, to_char(s.night, 'YYYY-MM-DD') as night, s.target_id, o.name as target_name, s.object_name,
             coalesce(ce.name, s.camera) as camera, coalesce(te.name, s.telescope) as telescope,
             s.frames, s.total_seconds, s.started_at, s.acquisition, coalesce(near.id, first.id) as cover_id
        from imaging_sessions s
        left join objects o on o.id = s.target_id
        left join equipment ce on ce.id = s.camera_id
        left join equipment te on te.id = s.telescope_id
        cross join lateral (select s.started_at + (s.ended_at - s.started_at) / 2 as mid) t
        left join lateral (
          select n.image_id as id from (
            (select m.image_id, m.sub_captured_at from imaging_session_images m
              where m.session_id = s.id and m.sub_captured_at >= t.mid order by m.sub_captured_at, m.sub_path, m.image_id limit 8)
            union all
            (select m.image_id, m.sub_captured_at from imaging_session_images m
              where m.session_id = s.id and m.sub_captured_at < t.mid order by m.sub_captured_at desc, m.sub_path desc, m.image_id desc limit 8)
          ) n join images i on i.id = n.image_id
           where exists (select 1 from derived_files d where d.image_id = n.image_id and d.name = 'thumbnail')
           order by i.solved desc, abs(extract(epoch from n.sub_captured_at - t.mid)), n.image_id
           limit 1) near on true
        left join lateral (
          select m.image_id as id from imaging_session_images m
           where near.id is null and m.session_id = s.id
             and exists (select 1 from derived_files d where d.image_id = m.image_id and d.name = 'thumbnail')
           order by m.sub_captured_at, m.sub_path, m.image_id
           limit 1) first on true
       where s.id = any(${sql.array([...ids], 'uuid')})`)),
  ];
}

/** The stored records of images (any order). */
export async function imageRecords(db: DatabasePool, ids: readonly string[]): Promise<Record<string, unknown>[]> {
  if (!ids.length) return [];
  return [...(await db.anyFirst(sql.type(z.object({ record: z.record(z.unknown()) }))`select record from images where id = any(${sql.array([...ids], 'uuid')})`))];
}

const SubRef = z.object({ record: z.record(z.unknown()), at: z.string() });

/**
 * A page of a session's subs by capture time (keyset on capture time and id,
 * through the session's link index): the session page's grid.
 */
export async function sessionSubsPage(
  db: DatabasePool,
  sessionId: string,
  o: { limit: number; after: { at: string; id: string } | null },
): Promise<{ records: Record<string, unknown>[]; next: { at: string; id: string } | null }> {
  const key = sql.fragment`coalesce(i.captured_at, 'infinity'::timestamptz)`;
  const rows = await db.any(sql.type(SubRef)`
    select i.record, (${key})::text as at from imaging_session_images m join images i on i.id = m.image_id
     where m.session_id = ${sessionId}::uuid
       ${o.after ? sql.fragment`and (${key}, i.id) > (${o.after.at}::timestamptz, ${o.after.id}::uuid)` : sql.fragment``}
     order by ${key}, i.id limit ${o.limit + 1}`);
  const page = rows.slice(0, o.limit);
  const last = page.at(-1);
  return { records: page.map((r) => r.record), next: rows.length > o.limit && last ? { at: last.at, id: String(last.record.id) } : null };
}

/** A target's masters and processed images (not calibration), oldest first: the target page's timeline (index images_stacks_by_target). */
export async function stacksOfTarget(db: DatabasePool, targetId: string, limit = 200): Promise<Record<string, unknown>[]> {
  return [
    ...(await db.anyFirst(sql.type(z.object({ record: z.record(z.unknown()) }))`
      select record from images
       where target_id = ${targetId} and frame_type in ('master', 'processed') and not is_calibration
       order by captured_at nulls last, id limit ${limit}`)),
  ];
}

export const TargetSessionTotals = z.object({ target_id: z.string(), sessions: z.number(), nights: z.number(), total_seconds: z.number() });

/** Sessions, nights and integration of the sessions of some targets (index imaging_sessions_target). */
export async function sessionTotalsByTarget(db: DatabasePool, targetIds: readonly string[]): Promise<Map<string, z.infer<typeof TargetSessionTotals>>> {
  if (!targetIds.length) return new Map();
  const rows = await db.any(sql.type(TargetSessionTotals)`
    select target_id, count(*)::int as sessions, count(distinct night)::int as nights, coalesce(sum(total_seconds), 0)::float8 as total_seconds
      from imaging_sessions where target_id = any(${sql.array([...targetIds], 'text')}) group by target_id`);
  return new Map(rows.map((r) => [r.target_id, r]));
}
