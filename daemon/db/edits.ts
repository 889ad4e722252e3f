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
