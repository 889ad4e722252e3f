/**
 * SQL of the links between stacks and their subs (migration 0160; rules in
 * catalog/stitching/stacks.ts, docs in docs/sessions.md "Stacks"). Kept by the
 * stitcher, incrementally: a stack's links are recomputed when it is stitched
 * and when a light that it names, or that shares its target, is stitched; a
 * deleted sub leaves by cascade (and its stacks are made due by a trigger).
 * Reads never scan the library.
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';

type Db = DatabasePool | DatabaseTransactionConnection;

/** How a link was made, strongest first. */
export const LINKED_BY = ['history', 'header dates', 'inferred'] as const;
export type LinkedBy = (typeof LINKED_BY)[number];

/** What the stitcher stores for a stack to find its subs (table stack_sources). */
export interface StackCriteria {
  /** the files its history names, as written (lower case, forward slashes) */
  names: string[];
  windowFrom: string | null;
  windowTo: string | null;
  targetId: string | null;
  objectName: string | null;
  cameraId: string | null;
  /** filters of the stack ("none" left out): subs must have one of them; empty: any filter */
  filters: string[];
  capturedAt: string | null;
}

/** The linked subs, summed (`linkedSubs`). */
export interface LinkedSubs {
  frames: number;
  totalSeconds: number;
  byFilter: { filter: string; seconds: number; frames: number }[];
  linkedBy: LinkedBy | null;
  sessions: { id: string; night: string }[];
}

/** Stores (or, with null, removes) what a stack says about its subs, and drops its links when it is no stack any more. */
export async function saveStackSources(tx: DatabaseTransactionConnection, stackId: string, c: StackCriteria | null): Promise<void> {
  if (!c) {
    await tx.query(sql.unsafe`delete from stack_sources where stack_id = ${stackId}`);
    await tx.query(sql.unsafe`delete from stack_subs where stack_id = ${stackId}`);
    return;
  }
  await tx.query(sql.unsafe`
    insert into stack_sources (stack_id, names, stems, window_from, window_to, target_id, object_name, camera_id, filters, captured_at)
    values (${stackId}, ${sql.array(c.names, 'text')},
            array(select distinct sidereal_file_stem(n) from unnest(${sql.array(c.names, 'text')}::text[]) n),
            ${c.windowFrom}::timestamptz, ${c.windowTo}::timestamptz, ${c.targetId}, ${c.objectName}, ${c.cameraId}::uuid,
            ${sql.array(c.filters, 'text')}, ${c.capturedAt}::timestamptz)
    on conflict (stack_id) do update set names = excluded.names, stems = excluded.stems, window_from = excluded.window_from,
      window_to = excluded.window_to, target_id = excluded.target_id, object_name = excluded.object_name,
      camera_id = excluded.camera_id, filters = excluded.filters, captured_at = excluded.captured_at`);
}

const Source = z.object({
  names: z.array(z.string()),
  window_from: z.string().nullable(),
  window_to: z.string().nullable(),
  target_id: z.string().nullable(),
  object_name: z.string().nullable(),
  camera_id: z.string().nullable(),
  filters: z.array(z.string()),
  captured_at: z.string().nullable(),
});
type Source = z.infer<typeof Source>;

/** Lights a stack of this target (or object name), camera and filters can be made of; copies never count. */
function compatibleLights(s: Source): FragmentSqlToken {
  const target = s.target_id !== null ? sql.fragment`i.target_id = ${s.target_id}` : s.object_name ? sql.fragment`i.target_id is null and lower(i.object_name) = lower(${s.object_name})` : sql.fragment`false`;
  return sql.fragment`
    i.frame_type = 'light' and not i.is_calibration and i.duplicate_of is null and ${target}
    and (${s.camera_id}::uuid is null or i.camera_id is null or i.camera_id = ${s.camera_id}::uuid)
    and (cardinality(${sql.array(s.filters, 'text')}::text[]) = 0 or i.filter = any(${sql.array(s.filters, 'text')}::text[]))`;
}

const Candidate = z.object({ id: z.string(), path: z.string(), stem: z.string(), target_id: z.string().nullable(), captured_at: z.string().nullable() });
type Candidate = z.infer<typeof Candidate>;

/** How many trailing folders two paths share (the stack may have been made on another machine, under another root). */
function sharedFolders(a: string, b: string): number {
  const fa = a.split('/').slice(0, -1).reverse();
  const fb = b.split('/').slice(0, -1).reverse();
  let n = 0;
  while (n < fa.length && n < fb.length && fa[n] === fb[n]) n++;
  return n;
}

/**
 * The catalogued lights a stack's history names: per named file, the lights
 * with the same stem (sidereal_file_stem) and, when the stack states dates,
 * captured within them; of those, the ones sharing the most trailing folders
 * with the named path; a tie is broken by the target; what still ties is kept.
 */
async function historyLinks(tx: DatabaseTransactionConnection, s: Source): Promise<string[]> {
  const named = await tx.any(sql.type(z.object({ name: z.string(), stem: z.string() }))`
    select n as name, sidereal_file_stem(n) as stem from unnest(${sql.array(s.names, 'text')}::text[]) n`);
  const stems = [...new Set(named.map((n) => n.stem))];
  const cands = await tx.any(sql.type(Candidate)`
    select i.id, lower(i.path) as path, sidereal_file_stem(i.path) as stem, i.target_id,
           to_char(i.captured_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as captured_at
      from images i
     where sidereal_file_stem(i.path) = any(${sql.array(stems, 'text')}::text[])
       and i.frame_type = 'light' and not i.is_calibration and i.duplicate_of is null`);
  const byStem = new Map<string, Candidate[]>();
  for (const c of cands) byStem.set(c.stem, [...(byStem.get(c.stem) ?? []), c]);
  const from = s.window_from ? Date.parse(s.window_from) : NaN;
  const to = s.window_to ? Date.parse(s.window_to) : NaN;
  const inWindow = (c: Candidate) => c.captured_at !== null && Number.isFinite(from) && Date.parse(c.captured_at) >= from && Date.parse(c.captured_at) <= to;
  // a light captured outside the stack's dates is not the file it names (a namesake of another night)
  const possible = (c: Candidate) => !Number.isFinite(from) || c.captured_at === null || inWindow(c);
  const out = new Set<string>();
  for (const n of named) {
    let best = (byStem.get(n.stem) ?? []).filter(possible);
    if (best.length > 1) {
      const score = new Map(best.map((c) => [c.id, sharedFolders(n.name, c.path)]));
      const max = Math.max(...score.values());
      best = best.filter((c) => score.get(c.id) === max);
    }
    const sameTarget = (c: Candidate) => s.target_id !== null && c.target_id === s.target_id;
    if (best.length > 1 && best.some(sameTarget)) best = best.filter(sameTarget);
    for (const c of best) out.add(c.id);
  }
  return [...out];
}

/**
 * Serialises, until the transaction ends, the stitches that create links between
 * stacks and lights: a stack's stitch (its sources, then its links from the lights it
 * can see) and a light's stitch (the stacks it can see, then its links). Without it, a
 * stack and one of its subs stitched at the same moment each miss the other's
 * uncommitted row, and the link is never made. Taken before either side reads.
 */
export async function lockStackLinking(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.unsafe`select pg_advisory_xact_lock(hashtextextended('stack-links', 0))`);
}

/** What a stack says about its subs (stack_sources), or null for an image that is no stack. */
function sourceOf(tx: DatabaseTransactionConnection, stackId: string) {
  return tx.maybeOne(sql.type(Source)`
    select names, to_char(window_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as window_from,
           to_char(window_to at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as window_to, target_id, object_name, camera_id::text,
           filters, to_char(captured_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as captured_at
      from stack_sources where stack_id = ${stackId}`);
}

/**
 * Recomputes a stack's links from its sources, strongest evidence first: the
 * files its history names, else its capture window (with target, camera and a
 * filter), else inference (same target, camera and filter, captured up to a
 * day after the stack). Serialised per stack (transaction lock). Returns
 * whether the set of links changed.
 */
export async function relinkStack(tx: DatabaseTransactionConnection, stackId: string): Promise<boolean> {
  await tx.query(sql.unsafe`select pg_advisory_xact_lock(hashtextextended(${'stack-links|' + stackId}, 0))`);
  const src = await sourceOf(tx, stackId);
  let ids: string[] = [];
  let by: LinkedBy = 'inferred';
  if (src) {
    if (src.names.length) {
      ids = await historyLinks(tx, src);
      by = 'history';
    }
    if (!ids.length && src.window_from && src.window_to) {
      ids = [
        ...(await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
          select i.id from images i
           where ${compatibleLights(src)} and i.captured_at between ${src.window_from}::timestamptz and ${src.window_to}::timestamptz`)),
      ];
      by = 'header dates';
    }
    if (!ids.length && src.target_id !== null) {
      ids = [
        ...(await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
          select i.id from images i
           where ${compatibleLights(src)}
             and (${src.captured_at}::timestamptz is null or i.captured_at is null or i.captured_at <= ${src.captured_at}::timestamptz + interval '1 day')`)),
      ];
      by = 'inferred';
    }
  }
  // write the difference only: a new sub of a target with thousands of lights adds one row, not thousands
  const before = await tx.any(sql.type(z.object({ sub_id: z.string(), linked_by: z.string() }))`select sub_id, linked_by from stack_subs where stack_id = ${stackId}`);
  const now = new Set(ids);
  const had = new Set(before.map((b) => b.sub_id));
  const gone = before.filter((b) => !now.has(b.sub_id)).map((b) => b.sub_id);
  const added = ids.filter((id) => !had.has(id));
  const relabel = before.some((b) => now.has(b.sub_id) && b.linked_by !== by);
  if (!gone.length && !added.length && !relabel) return false;
  if (gone.length) await tx.query(sql.unsafe`delete from stack_subs where stack_id = ${stackId} and sub_id = any(${sql.array(gone, 'uuid')}::uuid[])`);
  if (relabel) await tx.query(sql.unsafe`update stack_subs set linked_by = ${by} where stack_id = ${stackId} and linked_by <> ${by}`);
  if (added.length) {
    await tx.query(sql.unsafe`
      insert into stack_subs (stack_id, sub_id, linked_by)
      select ${stackId}, s, ${by} from unnest(${sql.array(added, 'uuid')}::uuid[]) s on conflict do nothing`);
  }
  return true;
}

/**
 * What one stitched sub changes in a stack's links, without recomputing them
 * all: a stack linked by dates or by inference is decided for this one sub
 * (one indexed row), so that a new sub of a target with thousands of lights
 * costs the same as one of a target with ten. The evidence changes kind only
 * through a full recompute (`relinkStack`): a stack whose file names subs, a
 * first sub inside the dates of an inferred stack, the last dated sub leaving.
 * Returns whether the links changed.
 */
export async function relinkStackForSub(tx: DatabaseTransactionConnection, stackId: string, subId: string): Promise<boolean> {
  await tx.query(sql.unsafe`select pg_advisory_xact_lock(hashtextextended(${'stack-links|' + stackId}, 0))`);
  const src = await sourceOf(tx, stackId);
  if (!src || src.names.length) return relinkStack(tx, stackId);
  const mode = (await tx.maybeOneFirst(sql.type(z.object({ linked_by: z.string() }))`select linked_by from stack_subs where stack_id = ${stackId} limit 1`)) as LinkedBy | null;
  const matches = await tx.one(sql.type(z.object({ dated: z.boolean(), inferred: z.boolean() }))`
    select coalesce(bool_or(${src.window_from}::timestamptz is not null and i.captured_at between ${src.window_from}::timestamptz and ${src.window_to}::timestamptz), false) as dated,
           coalesce(bool_or(${src.target_id}::text is not null
             and (${src.captured_at}::timestamptz is null or i.captured_at is null or i.captured_at <= ${src.captured_at}::timestamptz + interval '1 day')), false) as inferred
      from images i where i.id = ${subId} and ${compatibleLights(src)}`);
  const has = (await tx.maybeOneFirst(sql.type(z.object({ linked_by: z.string() }))`select linked_by from stack_subs where stack_id = ${stackId} and sub_id = ${subId}`)) !== null;
  const drop = async () => {
    if (!has) return false;
    await tx.query(sql.unsafe`delete from stack_subs where stack_id = ${stackId} and sub_id = ${subId}`);
    return true;
  };
  const add = async (by: LinkedBy) => {
    if (has) return false;
    await tx.query(sql.unsafe`insert into stack_subs (stack_id, sub_id, linked_by) values (${stackId}, ${subId}, ${by}) on conflict do nothing`);
    return true;
  };
  if (mode === 'header dates') {
    if (matches.dated) return add('header dates');
    const dropped = await drop();
    // the last dated sub gone: the stack falls back to inference
    const left = await tx.maybeOneFirst(sql.type(z.object({ one: z.number() }))`select 1 as one from stack_subs where stack_id = ${stackId} limit 1`);
    return left === null ? (await relinkStack(tx, stackId)) || dropped : dropped;
  }
  // inferred, or no links yet: a first sub inside the dates makes the dates the evidence
  if (matches.dated) return relinkStack(tx, stackId);
  if (mode === 'history') return relinkStack(tx, stackId);
  return matches.inferred ? add('inferred') : drop();
}

/**
 * The stacks whose links may change when this image is stitched: the stacks it
 * is a sub of, and for a light the stacks naming its file stem and the stacks
 * of its target (or, without one, its object name) that are not linked by the
 * files they name. Sorted, so that
 * transactions take the per-stack locks in one order.
 */
export async function stacksToRelink(tx: DatabaseTransactionConnection, imageId: string): Promise<string[]> {
  // a stack linked by the files it names changes only through its names (the stems above), never by target;
  // all links of a stack share their kind, so one row tells
  const notLinkedByHistory = sql.fragment`(select l.linked_by from stack_subs l where l.stack_id = s.stack_id limit 1) is distinct from 'history'`;
  return [
    ...(await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
      select stack_id as id from stack_subs where sub_id = ${imageId}
      union
      select s.stack_id from images i join stack_sources s on s.stems @> array[sidereal_file_stem(i.path)]
       where i.id = ${imageId} and i.frame_type = 'light'
      union
      select s.stack_id from images i join stack_sources s on s.target_id = i.target_id
       where i.id = ${imageId} and i.frame_type = 'light' and ${notLinkedByHistory}
      union
      select s.stack_id from images i join stack_sources s on s.target_id is null and lower(s.object_name) = lower(i.object_name)
       where i.id = ${imageId} and i.frame_type = 'light' and i.target_id is null and ${notLinkedByHistory}
      order by 1`)),
  ].filter((id) => id !== imageId);
}

/** The stacks an image is linked to as a sub. */
export async function stacksOfSub(db: Db, imageId: string): Promise<string[]> {
  return [...(await db.anyFirst(sql.type(z.object({ stack_id: z.string() }))`select stack_id from stack_subs where sub_id = ${imageId}`))];
}

const FilterSum = z.object({ filter: z.string(), seconds: z.number(), frames: z.number() });

/** A stack's linked subs, summed: frames, exposure by filter, how they were linked, their sessions by night. */
export async function linkedSubs(db: Db, stackId: string): Promise<LinkedSubs> {
  const [byFilter, by, sessions] = await Promise.all([
    db.any(sql.type(FilterSum)`
      select coalesce(i.filter, 'none') as filter, coalesce(sum(i.exposure_s), 0)::float8 as seconds, count(*)::int as frames
        from stack_subs l join images i on i.id = l.sub_id
       where l.stack_id = ${stackId} and i.duplicate_of is null
       group by 1 order by 1`),
    db.maybeOneFirst(sql.type(z.object({ linked_by: z.string() }))`select linked_by from stack_subs where stack_id = ${stackId} limit 1`),
    db.any(sql.type(z.object({ id: z.string(), night: z.string() }))`
      select distinct s.id, to_char(s.night, 'YYYY-MM-DD') as night
        from stack_subs l join imaging_session_images m on m.image_id = l.sub_id join imaging_sessions s on s.id = m.session_id
       where l.stack_id = ${stackId}
       order by night, s.id`),
  ]);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    frames: byFilter.reduce((a, f) => a + f.frames, 0),
    totalSeconds: round(byFilter.reduce((a, f) => a + f.seconds, 0)),
    byFilter: byFilter.map((f) => ({ ...f, seconds: round(f.seconds) })),
    linkedBy: (by as LinkedBy | null) ?? null,
    sessions: [...sessions],
  };
}

export interface SessionStackLink {
  id: string;
  linkedBy: LinkedBy;
}

/** The stacks made from sessions (through their subs), by session, oldest stack first. */
export async function sessionStackLinks(db: Db, sessionIds: readonly string[]): Promise<Map<string, SessionStackLink[]>> {
  const out = new Map<string, SessionStackLink[]>(sessionIds.map((id) => [id, []]));
  if (!sessionIds.length) return out;
  const rows = await db.any(sql.type(z.object({ session_id: z.string(), id: z.string(), linked_by: z.string() }))`
    select m.session_id, l.stack_id as id, min(l.linked_by) as linked_by
      from imaging_session_images m
      join stack_subs l on l.sub_id = m.image_id
      join images k on k.id = l.stack_id
     where m.session_id = any(${sql.array([...sessionIds], 'uuid')})
     group by m.session_id, l.stack_id
     order by m.session_id, min(k.captured_at) nulls last, l.stack_id`);
  for (const r of rows) out.get(r.session_id)?.push({ id: r.id, linkedBy: r.linked_by as LinkedBy });
  return out;
}

/** The stored records of images (the session page's stacks), in the order given. */
export async function recordsOf(db: Db, ids: readonly string[]): Promise<Record<string, unknown>[]> {
  if (!ids.length) return [];
  const rows = await db.any(sql.type(z.object({ id: z.string(), record: z.record(z.unknown()) }))`select id, record from images where id = any(${sql.array([...ids], 'uuid')})`);
  const byId = new Map(rows.map((r) => [r.id, r.record]));
  return ids.map((id) => byId.get(id)).filter((r): r is Record<string, unknown> => !!r);
}
