/**
 * SQL of an image's processing state: the transitions of `images_unprocessed`
 * (mark due, claim, renew, finish, release) and the one state derivation. The
 * rules are explained in daemon/catalog/README.md; the catalog calls these
 * through daemon/catalog/imageState.ts. "Make due" lives in one SQL function,
 * `image_mark_due` (migration 0080), shared with the calibration trigger.
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';

type Db = DatabasePool | DatabaseTransactionConnection;

/**
 * Why an image became due: its file changed, a user edited it, an admin re-ran
 * an agent, the agents changed (new, upgraded, settings, order), or another
 * image it links to changed (a calibration frame).
 */
export const DUE_REASONS = ['file', 'edit', 'rerun', 'agents', 'neighbour'] as const;
export type DueReason = (typeof DUE_REASONS)[number];

/** due / leased (a host works on it) / failed (retry later or given up) / waiting (a provisional result to refresh) / done */
export const IMAGE_STATES = ['due', 'leased', 'failed', 'waiting', 'done'] as const;
export type ImageState = (typeof IMAGE_STATES)[number];

export const ClaimedImage = z.object({
  id: z.string(),
  provider: z.string(),
  storage_key: z.string(),
  size_bytes: z.number(),
  modified_at: z.string().nullable(),
  fingerprint: z.string(),
  generation: z.number(),
  attempts: z.number(),
});
export type ClaimedImage = z.infer<typeof ClaimedImage>;

/**
 * Makes images due (see image_mark_due in migration 0080): generation + 1,
 * a running lease kept, attempts restarted unless the reason is a neighbour.
 */
export async function markImagesDue(db: Db, ids: readonly string[], reason: DueReason): Promise<number> {
  if (!ids.length) return 0;
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`select image_mark_due(${sql.array([...ids], 'uuid')}, ${reason}) as n`);
}

/** Every image due (after a change of the agents' order, enabling or settings): cached results keep it cheap. */
export async function markAllImagesDue(db: Db, reason: DueReason): Promise<number> {
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`select image_mark_due(array(select id from images_unprocessed), ${reason}) as n`);
}

/**
 * Claims one due image for this host. SKIP LOCKED lets every slot of every
 * host claim at once without waiting on each other's row locks; moving
 * next_update_at forward by the lease length *is* the lease: if this host
 * dies, the image simply comes due again when the lease runs out. The oldest
 * due image goes first so that nothing starves.
 */
export async function claimImage(db: DatabasePool, host: string, leaseSeconds: number): Promise<ClaimedImage | null> {
  return db.maybeOne(sql.type(ClaimedImage)`
    with due as (
      select id from images_unprocessed
      where next_update_at <= now() and missing_since is null -- parked (vanished) files wait for a move, not for agents
      order by next_update_at
      limit 1
      for update skip locked
    )
    update images_unprocessed u
       set next_update_at = now() + make_interval(secs => ${leaseSeconds}), lease_owner = ${host}
      from due
     where u.id = due.id
    returning u.id, u.provider, u.storage_key, u.size_bytes, u.modified_at, u.fingerprint, u.generation, u.attempts`);
}

/** Extends the leases of the images this host is working on (only leases it still holds). */
export async function renewLeases(db: DatabasePool, host: string, ids: string[], leaseSeconds: number): Promise<void> {
  if (!ids.length) return;
  await db.query(sql.unsafe`
    update images_unprocessed set next_update_at = now() + make_interval(secs => ${leaseSeconds})
     where id = any(${sql.array(ids, 'uuid')}) and lease_owner = ${host} and next_update_at > now()`);
}

/**
 * Ends a processing round. Fenced by the generation the round claimed: when
 * the image was marked due meanwhile (generation moved, lease kept), it is due
 * again at once; when the lease is no longer ours (it ran out and another host
 * claimed the image), the schedule is that host's and is left alone.
 */
export async function finishImage(
  db: DatabasePool,
  p: { id: string; host: string; generation: number; nextUpdateAt: Date | null; attempts: number; error: string | null },
): Promise<void> {
  await db.query(sql.unsafe`
    update images_unprocessed set
      next_update_at = case when lease_owner is distinct from ${p.host} then next_update_at
                            when generation = ${p.generation} then ${p.nextUpdateAt ? p.nextUpdateAt.toISOString() : null}::timestamptz
                            else now() end,
      due_reason = case when generation = ${p.generation} then null else due_reason end,
      lease_owner = case when lease_owner = ${p.host} then null else lease_owner end,
      processed_generation = greatest(processed_generation, ${p.generation}),
      attempts = ${p.attempts}, last_error = ${p.error}, processed_at = now(), processed_by = ${p.host}
    where id = ${p.id}`);
}

/** Gives images back on shutdown: due now, for whichever host comes next. */
export async function releaseImages(db: DatabasePool, host: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db.query(sql.unsafe`
    update images_unprocessed set next_update_at = now(), lease_owner = null
     where id = any(${sql.array(ids, 'uuid')}) and lease_owner = ${host}`);
}

/** The state of every image, counted (cluster-wide): the five states partition the images. */
export const QueueCounts = z.object({ due: z.number(), in_progress: z.number(), failed: z.number(), done: z.number(), waiting: z.number(), total: z.number() });
export type QueueCounts = z.infer<typeof QueueCounts>;

const stateOf = sql.fragment`image_state(next_update_at, lease_owner, last_error, generation, processed_generation)`;

export async function queueCounts(db: Db): Promise<QueueCounts> {
  return db.one(sql.type(QueueCounts)`
    select
      count(*) filter (where s = 'due')::int as due,
      count(*) filter (where s = 'leased')::int as in_progress,
      count(*) filter (where s = 'failed')::int as failed,
      count(*) filter (where s = 'done')::int as done,
      count(*) filter (where s = 'waiting')::int as waiting,
      count(*)::int as total
    -- parked (vanished) files are not work
    from (select ${stateOf} as s from images_unprocessed where missing_since is null) x`);
}

/**
 * How many images are due or leased (being processed). Only an image that is
 * scheduled (`next_update_at`) or whose newest generation is not processed
 * yet can be, and both are small sets with partial indexes (migration 0203):
 * this does not read the library.
 */
export async function pendingCount(db: Db): Promise<number> {
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*) filter (where ${stateOf} in ('due', 'leased'))::int as n
      from images_unprocessed
     where (next_update_at is not null or processed_generation < generation) and missing_since is null`);
}

export const ImageStateRow = z.object({
  state: z.enum(IMAGE_STATES),
  due_reason: z.enum(DUE_REASONS).nullable(),
  lease_owner: z.string().nullable(),
  attempts: z.number(),
  last_error: z.string().nullable(),
  next_update_at: z.string().nullable(),
});
export type ImageStateRow = z.infer<typeof ImageStateRow>;

/** One image's state (image page, upload status, progress of a re-run). */
export async function imageState(db: Db, id: string): Promise<ImageStateRow | null> {
  return db.maybeOne(sql.type(ImageStateRow)`
    select ${stateOf} as state, due_reason, lease_owner, attempts, last_error, next_update_at
      from images_unprocessed where id = ${id}`);
}

/** The images being processed now (leases that are running), for the queue page. */
export async function leasedImages(db: Db, limit = 50) {
  return [
    ...(await db.any(sql.type(z.object({ id: z.string(), path: z.string(), lease_owner: z.string().nullable(), since: z.string().nullable() }))`
      select id, storage_key as path, lease_owner, updated_at as since from images_unprocessed
       where ${stateOf} = 'leased' order by updated_at limit ${limit}`)),
  ];
}
