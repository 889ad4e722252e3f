/**
 * SQL of reading final images: the search behind the gallery and the API.
 */
import { sql, type DatabasePool, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { Refreshed } from '../refreshed.ts';

export interface ImageSearch {
  /** object ids the target filter resolved to (any of them) */
  targetIds?: string[];
  /** raw target text that did not resolve: matched against object names in the images */
  targetText?: string;
  constellation?: string;
  hemisphere?: 'north' | 'south';
  camera?: string;
  telescope?: string;
  filter?: string;
  equipment?: string[];
  integrationMin?: number;
  integrationMax?: number;
  capturedFrom?: string;
  capturedTo?: string;
  frameTypes?: string[] | 'all';
  q?: string;
  solved?: boolean;
  /** true: only duplicates (copies of another image); false: none */
  duplicates?: boolean;
  fieldMin?: number;
  fieldMax?: number;
  scaleMin?: number;
  scaleMax?: number;
  cone?: { ra: number; dec: number; radius: number };
  /** the subs of one imaging session */
  session?: string;
  /**
   * Every word of `q` is in a large part of the library (see
   * {@link withTextPlan}): the words are then checked on the rows the other
   * conditions find, not through the full-text index.
   */
  qCommon?: boolean;
  /** searchable third-party facts: { path: "agent.a.b", min?, max?, eq? } */
  facts?: { agent: string; path: string[]; min?: number; max?: number; eq?: string }[];
  sort: SortKey;
  limit: number;
  offset: number;
}

export const SORTS = {
  captured: sql.fragment`captured_at desc nulls last, id`,
  '-captured': sql.fragment`captured_at asc nulls last, id`,
  created: sql.fragment`created_at desc, id`,
  integration: sql.fragment`integration_s desc nulls last, id`,
  name: sql.fragment`path asc, id`,
  target: sql.fragment`target_id asc nulls last, captured_at desc nulls last, id`,
} as const;
export type SortKey = keyof typeof SORTS;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The words of a text as the free-text search indexes them: separators that
 * are common in file names (`/ _ . -`) become spaces, so `Light_M27_00018.fits`
 * is the words light, m27, 00018, fits. Stitching indexes with it; searches
 * query with it.
 */
export function searchWords(text: string): string {
  return text.replace(/[/_.-]+/g, ' ');
}

/**
 * The keys a search by target or filter matches (column `facet_keys`, one GIN
 * index, migration 0200): `object:<id>` for the target and every object in
 * the field, `filter:<name in lower case>` for the image's filter and each
 * filter of its integration. Stitching writes them; searches query with
 * {@link objectKey} and {@link filterKey}. Sorted, without repeats.
 */
export function facetKeys(f: { targetId: string | null; objectIds: readonly string[]; filter: string | null; filters: readonly string[] }): string[] {
  const keys = new Set<string>();
  for (const id of [f.targetId, ...f.objectIds]) if (id) keys.add(objectKey(id));
  for (const name of [f.filter, ...f.filters]) if (name) keys.add(filterKey(name));
  return [...keys].sort();
}

export const objectKey = (id: string): string => `object:${id}`;
export const filterKey = (name: string): string => `filter:${name.toLowerCase()}`;

/** A text matched literally by LIKE/ILIKE (the default escape character is the backslash). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * The conditions of a search on the `images` table (unqualified columns and
 * `images.id`): the gallery's session view applies them to a session's subs too.
 */
export function imageConditions(s: ImageSearch): FragmentSqlToken[] {
  const c: FragmentSqlToken[] = [];
  if (s.frameTypes === undefined) c.push(sql.fragment`not is_calibration`);
  else if (s.frameTypes !== 'all') c.push(sql.fragment`frame_type = any(${sql.array(s.frameTypes, 'text')})`);
  if (s.targetIds?.length) {
    // the target or an object in the field: one GIN lookup, ANDed with the other indexes
    c.push(sql.fragment`facet_keys && ${sql.array(s.targetIds.map(objectKey), 'text')}`);
  } else if (s.targetText) {
    c.push(sql.fragment`(object_name ilike ${'%' + s.targetText + '%'} or target_id ilike ${s.targetText})`);
  }
  if (s.session) c.push(sql.fragment`images.id in (select sm.image_id from imaging_session_images sm where sm.session_id = ${s.session}::uuid)`);
  if (s.constellation) c.push(sql.fragment`constellation = ${s.constellation}`);
  if (s.hemisphere) c.push(sql.fragment`hemisphere = ${s.hemisphere}`);
  // an equipment id uses its index; a name is a substring match
  if (s.camera) c.push(UUID.test(s.camera) ? sql.fragment`camera_id = ${s.camera}::uuid` : sql.fragment`camera ilike ${'%' + s.camera + '%'}`);
  if (s.telescope) c.push(UUID.test(s.telescope) ? sql.fragment`telescope_id = ${s.telescope}::uuid` : sql.fragment`telescope ilike ${'%' + s.telescope + '%'}`);
  // its own filter or one of its integration's (a stack's LRGB), in any case
  if (s.filter) c.push(sql.fragment`facet_keys @> ${sql.array([filterKey(s.filter)], 'text')}`);
  for (const e of s.equipment ?? []) {
    c.push(sql.fragment`exists (select 1 from image_equipment ie where ie.image_id = images.id and ie.equipment_id = ${e})`);
  }
  if (s.integrationMin !== undefined) c.push(sql.fragment`integration_s >= ${s.integrationMin}`);
  if (s.integrationMax !== undefined) c.push(sql.fragment`integration_s <= ${s.integrationMax}`);
  if (s.capturedFrom) c.push(sql.fragment`captured_at >= ${s.capturedFrom}::timestamptz`);
  if (s.capturedTo) c.push(sql.fragment`captured_at < (${s.capturedTo}::date + 1)::timestamptz`);
  if (s.solved !== undefined) c.push(sql.fragment`solved = ${s.solved}`);
  if (s.duplicates !== undefined) c.push(s.duplicates ? sql.fragment`duplicate_of is not null` : sql.fragment`duplicate_of is null`);
  if (s.fieldMin !== undefined) c.push(sql.fragment`greatest(field_w_deg, field_h_deg) >= ${s.fieldMin}`);
  if (s.fieldMax !== undefined) c.push(sql.fragment`greatest(field_w_deg, field_h_deg) <= ${s.fieldMax}`);
  if (s.scaleMin !== undefined) c.push(sql.fragment`pixel_scale >= ${s.scaleMin}`);
  if (s.scaleMax !== undefined) c.push(sql.fragment`pixel_scale <= ${s.scaleMax}`);
  if (s.cone) {
    // a declination band (indexed) first, then the exact angular distance
    const { ra, dec, radius } = s.cone;
    c.push(sql.fragment`dec between ${dec - radius} and ${dec + radius}
      and degrees(acos(least(1, sin(radians(dec)) * sin(radians(${dec})) + cos(radians(dec)) * cos(radians(${dec})) * cos(radians(ra - ${ra}))))) <= ${radius}`);
  }
  if (s.q) {
    // the words as stitching indexed them, or the text as a substring of the path
    // (taken literally: _ and % are not wildcards); both indexed (GIN)
    const words = sql.fragment`search_text @@ plainto_tsquery('simple', ${searchWords(s.q)})`;
    const path = sql.fragment`path ilike ${'%' + likeLiteral(s.q) + '%'}`;
    // `is true` is the same test, but not one an index answers
    c.push(s.qCommon ? sql.fragment`((${words}) is true or (${path}) is true)` : sql.fragment`(${words} or ${path})`);
  }
  for (const f of s.facts ?? []) {
    const path = sql.array(['facts', f.agent, ...f.path], 'text');
    // a range only matches JSON numbers: casting another agent's text value would fail the whole query
    const num = sql.fragment`(case when jsonb_typeof(record #> ${path}) = 'number' then (record #>> ${path})::float8 end)`;
    if (f.eq !== undefined) c.push(sql.fragment`(record #>> ${path}) = ${f.eq}`);
    if (f.min !== undefined) c.push(sql.fragment`${num} >= ${f.min}`);
    if (f.max !== undefined) c.push(sql.fragment`${num} <= ${f.max}`);
  }
  return c;
}

/** Whether a search filters anything beyond the default (no calibration frames). */
export function narrows(s: ImageSearch): boolean {
  return imageConditions(s).length > (s.frameTypes === undefined ? 1 : 0);
}

/** A word in more of the library than this is common (checked on rows, not through the index). */
const COMMON_WORD = 0.05;
const commonWordsByDb = new WeakMap<DatabasePool, Refreshed<Set<string>>>();

/**
 * The words of the free-text index that more than 5 % of the images have,
 * from PostgreSQL's statistics of `search_text` (its most common elements,
 * kept by ANALYZE), read again in the background every ten minutes.
 */
function commonWords(db: DatabasePool): Promise<Set<string>> {
  let words = commonWordsByDb.get(db);
  if (!words) {
    words = new Refreshed(async () => {
      const rows = await db.anyFirst(sql.type(z.object({ word: z.string() }))`
        select e.word from pg_stats st
         cross join lateral unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs) as e(word, freq)
         where st.schemaname = current_schema() and st.tablename = 'images' and st.attname = 'search_text' and e.word is not null and e.freq > ${COMMON_WORD}`);
      return new Set(rows);
    }, 10 * 60_000);
    commonWordsByDb.set(db, words);
  }
  return words.get();
}

/**
 * The search with its free-text plan decided. A common word ("nebula" in half
 * of a library) read through the full-text index costs a pass over half of
 * the index, whatever the other conditions; PostgreSQL still ANDs that index
 * with theirs (at 1,000,000 images: 97 ms of a 250 ms count), so when every
 * word of `q` is common and another condition narrows the search, the words
 * are tested on the rows it finds. A rare word, or `q` alone, keeps the index.
 */
export async function withTextPlan(db: DatabasePool, s: ImageSearch): Promise<ImageSearch> {
  if (!s.q || s.qCommon !== undefined) return s;
  if (!narrows({ ...s, q: undefined })) return { ...s, qCommon: false };
  const lexemes = searchWords(s.q).toLowerCase().split(/\s+/).filter(Boolean);
  const common = await commonWords(db);
  return { ...s, qCommon: lexemes.length > 0 && lexemes.every((w) => common.has(w)) };
}

function where(s: ImageSearch): FragmentSqlToken {
  const c = imageConditions(s);
  return c.length ? sql.fragment`where ${sql.join(c, sql.fragment` and `)}` : sql.fragment``;
}

export async function searchImages(db: DatabasePool, search: ImageSearch): Promise<{ items: Record<string, unknown>[]; total: number }> {
  const s = await withTextPlan(db, search);
  const w = where(s);
  const [items, total] = await Promise.all([
    db.anyFirst(sql.type(z.object({ record: z.record(z.any()) }))`
      select record from images ${w} order by ${SORTS[s.sort]} limit ${s.limit} offset ${s.offset}`),
    db.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from images ${w}`),
  ]);
  return { items: [...items], total };
}

/** The plan of a gallery page's query (for bench/gallerySearchPlan.ts: is a search indexed?). */
export async function explainImageSearch(db: DatabasePool, s: ImageSearch): Promise<string> {
  const rows = await db.anyFirst(sql.type(z.object({ 'QUERY PLAN': z.string() }))`
    explain (analyze, buffers, costs off) select record from images ${where(await withTextPlan(db, s))} order by ${SORTS[s.sort]} limit ${s.limit} offset ${s.offset}`);
  return rows.join('\n');
}

/** The ids of every image a search matches (no paging): what a bulk edit of "all matching" changes. */
export async function searchImageIds(db: DatabasePool, s: ImageSearch): Promise<string[]> {
  return [...(await db.anyFirst(sql.type(z.object({ id: z.string() }))`select id from images ${where(await withTextPlan(db, s))} order by id`))];
}

/** Those of `ids` that are final images. */
export async function existingImageIds(db: DatabasePool, ids: string[]): Promise<string[]> {
  return [...(await db.anyFirst(sql.type(z.object({ id: z.string() }))`select id from images where id = any(${sql.array(ids, 'uuid')})`))];
}

export async function getImageRecord(db: DatabasePool, id: string): Promise<Record<string, unknown> | null> {
  return db.maybeOneFirst(sql.type(z.object({ record: z.record(z.any()) }))`select record from images where id = ${id}`);
}

/** Resolves a target text to object ids through the catalog's normalized keys. */
export async function findObjectIds(db: DatabasePool, keys: string[]): Promise<string[]> {
  if (!keys.length) return [];
  return [
    ...(await db.anyFirst(sql.type(z.object({ id: z.string() }))`
      select id from objects where search_keys && ${sql.array(keys, 'text')} limit 20`)),
  ];
}
