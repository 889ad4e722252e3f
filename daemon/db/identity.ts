/**
 * SQL of stable identity (docs/storage.md, "Identity, moves and duplicates"):
 * parking vanished files, a new location taking a parked row over (a move),
 * the real deletion after the window, duplicates by content, and user edits
 * kept by content after a real deletion.
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { markImagesDue } from './imageState.ts';

type Db = DatabasePool | DatabaseTransactionConnection;

/**
 * Parks the rows of vanished files: they keep their id, edits, results and
 * derived files, leave the gallery (their final image row is deleted, which
 * also makes their duplicates due) and wait for a file of the same content.
 * Rows whose content was never read (no sha256) cannot be recognised and are
 * deleted at once. A copy of the same content that appeared shortly before
 * (within the window: a move done as copy, then delete) gives its location to
 * the parked row at once. Returns how many rows were parked or deleted.
 */
export async function parkFiles(db: DatabasePool, provider: string, keys: string[], windowSeconds: number): Promise<number> {
  if (keys.length === 0) return 0;
  return db.transaction(async (tx) => {
    const parked = await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
      update images_unprocessed u
         set missing_since = now(), content_sha256 = coalesce(u.content_sha256, i.sha256),
             next_update_at = null, due_reason = null, lease_owner = null, updated_at = now()
        from images i
       where i.id = u.id and i.sha256 is not null and u.provider = ${provider}
         and u.storage_key = any(${sql.array(keys, 'text')}) and u.missing_since is null
      returning u.id`);
    if (parked.length) {
      // the copy made just before: created within the window, after the parked row, with no edits of its own
      const pairs = await tx.any(sql.type(z.object({ parked: z.string(), copy: z.string() }))`
        select distinct on (p.id) p.id as parked, c.id as copy
          from images_unprocessed p join images pi on pi.id = p.id
          join images ci on ci.sha256 = pi.sha256 and ci.size_bytes = pi.size_bytes and ci.id <> p.id
          join images_unprocessed c on c.id = ci.id
         where p.id = any(${sql.array([...parked], 'uuid')}) and c.missing_since is null
           and c.created_at > now() - make_interval(secs => ${windowSeconds}) and c.created_at > p.created_at
           and not exists (select 1 from user_edits e where e.image_id = c.id and e.edits <> '{}'::jsonb)
         order by p.id, c.created_at desc`);
      await tx.query(sql.unsafe`delete from images where id = any(${sql.array([...parked], 'uuid')})`);
      for (const pair of pairs) await takeOverLocation(tx, pair.parked, pair.copy);
    }
    const deleted = await tx.query(sql.unsafe`
      delete from images_unprocessed
       where provider = ${provider} and storage_key = any(${sql.array(keys, 'text')}) and missing_since is null`);
    return parked.length + deleted.rowCount;
  });
}

const Parked = z.object({ id: z.string(), size_bytes: z.number(), content_sha256: z.string() });
export type ParkedRow = z.infer<typeof Parked>;

/** Parked rows (of any provider: a move may cross providers) with one of these sizes. */
export async function parkedWithSizes(db: Db, sizes: number[]): Promise<ParkedRow[]> {
  if (sizes.length === 0) return [];
  return [
    ...(await db.any(sql.type(Parked)`
      select id, size_bytes, content_sha256 from images_unprocessed
       where missing_since is not null and content_sha256 is not null
         and size_bytes = any(${sql.array([...new Set(sizes)], 'int8')})
       order by missing_since`)),
  ];
}

/**
 * A parked row takes a new location (a move): everything else stays. Atomic:
 * of two hosts that found the same parked row, one gets it (true), the other
 * records its file as a new image. Due now, so that stitching writes the new path.
 */
export async function adoptParked(
  db: Db,
  id: string,
  to: { provider: string; key: string; locationUri: string; modifiedAt: Date | null; fingerprint: string },
): Promise<boolean> {
  const r = await db.query(sql.unsafe`
    update images_unprocessed set provider = ${to.provider}, storage_key = ${to.key}, location_uri = ${to.locationUri},
           modified_at = ${to.modifiedAt ? to.modifiedAt.toISOString() : null}, fingerprint = ${to.fingerprint},
           missing_since = null, updated_at = now()
     where id = ${id} and missing_since is not null`);
  if (r.rowCount !== 1) return false;
  await markImagesDue(db, [id], 'file');
  return true;
}

/**
 * A parked row takes the location of a newer row of the same content (a move
 * seen as a new file first, e.g. copied then deleted), which is deleted: the
 * image keeps its id, edits and results. Returns whether it happened.
 */
export async function takeOverLocation(tx: DatabaseTransactionConnection, parkedId: string, newerId: string): Promise<boolean> {
  const newer = await tx.maybeOne(sql.type(z.object({ provider: z.string(), storage_key: z.string(), location_uri: z.string(), modified_at: z.string().nullable(), fingerprint: z.string() }))`
    delete from images_unprocessed where id = ${newerId} and missing_since is null
    returning provider, storage_key, location_uri, modified_at, fingerprint`);
  if (!newer) return false;
  const r = await tx.query(sql.unsafe`
    update images_unprocessed set provider = ${newer.provider}, storage_key = ${newer.storage_key}, location_uri = ${newer.location_uri},
           modified_at = ${newer.modified_at}::timestamptz, fingerprint = ${newer.fingerprint},
           missing_since = null, updated_at = now()
     where id = ${parkedId} and missing_since is not null`);
  if (r.rowCount !== 1) throw new Error(`parked image ${parkedId} was taken meanwhile`);
  await markImagesDue(tx, [parkedId], 'file');
  return true;
}

/** The parked row (if any) with this content, locked for a take-over. */
export async function parkedWithContent(tx: DatabaseTransactionConnection, sha256: string, sizeBytes: number): Promise<string | null> {
  return tx.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
    select id from images_unprocessed
     where missing_since is not null and content_sha256 = ${sha256} and size_bytes = ${sizeBytes}
     order by missing_since desc limit 1
     for update skip locked`);
}

/** Deletes for real the parked rows of a provider whose window has passed (edits are kept by the trigger). */
export async function purgeParked(db: Db, provider: string, windowSeconds: number): Promise<number> {
  const r = await db.query(sql.unsafe`
    delete from images_unprocessed
     where provider = ${provider} and missing_since is not null
       and missing_since < now() - make_interval(secs => ${windowSeconds})`);
  return r.rowCount;
}

/** Forgets the kept edits of deleted files older than the retention. */
export async function purgeRetainedEdits(db: Db, retentionDays: number): Promise<number> {
  const r = await db.query(sql.unsafe`delete from retained_edits where deleted_at < now() - make_interval(days => ${retentionDays})`);
  return r.rowCount;
}

/**
 * Gives an image the kept edits of a deleted file of the same content, when it
 * has none of its own; the entry is used up. Returns whether edits were attached.
 */
export async function reattachRetainedEdits(db: Db, imageId: string, sha256: string, sizeBytes: number): Promise<boolean> {
  const r = await db.query(sql.unsafe`
    with taken as (
      delete from retained_edits where sha256 = ${sha256} and size_bytes = ${sizeBytes}
         and not exists (select 1 from user_edits e where e.image_id = ${imageId} and e.edits <> '{}'::jsonb)
      returning edits
    )
    insert into user_edits (image_id, edits, updated_by)
    select ${imageId}, edits, 'retained' from taken
    on conflict (image_id) do update set edits = excluded.edits, updated_at = now(), updated_by = excluded.updated_by`);
  return r.rowCount > 0;
}

/**
 * The original of an image's content: the oldest other stitched image (by
 * creation of its record, then id) with the same size and sha256 that is older
 * than this one. Null when this image is the original.
 */
export async function originalOf(db: Db, imageId: string, sha256: string, sizeBytes: number): Promise<string | null> {
  return db.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
    select i.id from images i join images_unprocessed u on u.id = i.id
      join images_unprocessed me on me.id = ${imageId}
     where i.sha256 = ${sha256} and i.size_bytes = ${sizeBytes} and i.id <> ${imageId}
       and (u.created_at, u.id) < (me.created_at, me.id)
     order by u.created_at, u.id
     limit 1`);
}

/** Other images of this content that do not (yet) name `original` as theirs (to stitch them again). */
export async function copiesNotPointingTo(db: Db, original: string, sha256: string, sizeBytes: number): Promise<string[]> {
  return [
    ...(await db.anyFirst(sql.type(z.object({ id: z.string() }))`
      select id from images
       where sha256 = ${sha256} and size_bytes = ${sizeBytes} and id <> ${original}
         and duplicate_of is distinct from ${original}::uuid
       limit 1000`)),
  ];
}

/** The image with this content that an upload of it is answered with (the original), if any. */
export async function imageWithContent(db: Db, sha256: string, sizeBytes: number): Promise<{ id: string; path: string } | null> {
  return db.maybeOne(sql.type(z.object({ id: z.string(), path: z.string() }))`
    select i.id, i.path from images i join images_unprocessed u on u.id = i.id
     where i.sha256 = ${sha256} and i.size_bytes = ${sizeBytes}
     order by (i.duplicate_of is not null), u.created_at, u.id
     limit 1`);
}

/** Whether the image has its final row (has been stitched at least once). */
export async function isInGallery(db: Db, imageId: string): Promise<boolean> {
  return db.exists(sql.unsafe`select 1 from images where id = ${imageId}`);
}
