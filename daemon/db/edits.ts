/**
 * SQL of user edits: stored apart from agent facts and winning in stitching.
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';

type Db = DatabasePool | DatabaseTransactionConnection;

export async function loadUserEdits(db: Db, imageId: string): Promise<Record<string, unknown> | null> {
  const row = await db.maybeOne(sql.type(z.object({ edits: z.record(z.any()) }))`select edits from user_edits where image_id = ${imageId}`);
  return row && Object.keys(row.edits).length ? row.edits : null;
}

/** Merges `patch` into the image's edits (a null value removes a key). */
export async function saveUserEdits(db: Db, imageId: string, patch: Record<string, unknown>, by: string | null): Promise<Record<string, unknown>> {
  const row = await db.one(sql.type(z.object({ edits: z.record(z.any()) }))`
    insert into user_edits (image_id, edits, updated_by) values (${imageId}, jsonb_strip_nulls(${sql.jsonb(patch as never)}), ${by})
    on conflict (image_id) do update set edits = jsonb_strip_nulls(user_edits.edits || ${sql.jsonb(patch as never)}), updated_at = now(), updated_by = ${by}
    returning edits`);
  return row.edits;
}

export interface BulkEdits {
  /** merged into every image's edits (a null value removes a key) */
  set: Record<string, unknown>;
  /** added to each image's notes, on a line of their own */
  appendNotes?: string | null;
  /** equipment ids that replace each image's items of their types (its other equipment stays) */
  equipment?: { types: string[]; ids: string[] } | null;
}

/**
 * The same edit on many final images, set-based (one statement per chunk of
 * ids, not one per image: a bulk edit may cover a whole library). The
 * per-image parts — appended notes, equipment replacing one type — are
 * computed from each image's edits and record. Call it inside a transaction.
 * Returns the notes length of the longest result, for the caller's limit.
 */
export async function saveBulkEdits(db: DatabaseTransactionConnection, ids: string[], e: BulkEdits, by: string | null): Promise<{ longestNotes: number }> {
  let longestNotes = 0;
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = sql.array(ids.slice(i, i + 5000), 'uuid');
    await db.query(sql.unsafe`insert into user_edits (image_id, edits, updated_by) select id, '{}'::jsonb, ${by} from unnest(${chunk}) as id on conflict (image_id) do nothing`);
    const notes = e.appendNotes
      ? sql.fragment`jsonb_build_object('notes', case when coalesce(u.edits->>'notes', '') = '' then ${e.appendNotes}::text else (u.edits->>'notes') || E'\n' || ${e.appendNotes}::text end)`
      : sql.fragment`'{}'::jsonb`;
    const equipment = e.equipment
      ? sql.fragment`jsonb_build_object('equipment', coalesce((select jsonb_agg(x->'id') from jsonb_array_elements(coalesce(i.record->'equipment', '[]'::jsonb)) x
                                                               where not (x->>'type' = any(${sql.array(e.equipment.types, 'text')}))), '[]'::jsonb) || ${sql.jsonb(e.equipment.ids)})`
      : sql.fragment`'{}'::jsonb`;
    const n = await db.oneFirst(sql.type(z.object({ n: z.number().nullable() }))`
      with changed as (
        update user_edits u set edits = jsonb_strip_nulls(u.edits || ${sql.jsonb(e.set as never)} || ${notes} || ${equipment}), updated_at = now(), updated_by = ${by}
          from images i where i.id = u.image_id and u.image_id = any(${chunk})
        returning u.edits)
      select max(length(edits->>'notes'))::int as n from changed`);
    longestNotes = Math.max(longestNotes, n ?? 0);
  }
  return { longestNotes };
}
