/**
 * SQL of the processing queue: claim, lease renewal, finish, hand-back.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

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

/** Extends the leases of the images this host is working on. */
export async function renewLeases(db: DatabasePool, host: string, ids: string[], leaseSeconds: number): Promise<void> {
  if (!ids.length) return;
  await db.query(sql.unsafe`
    update images_unprocessed set next_update_at = now() + make_interval(secs => ${leaseSeconds})
     where id = any(${sql.array(ids, 'uuid')}) and lease_owner = ${host} and next_update_at > now()`);
}

/**
 * Ends a processing round. The schedule is only changed when nothing happened
 * meanwhile (same generation, still our lease): a change or an edit during the
 * round has already made the image due again and must stay so.
 */
export async function finishImage(
  db: DatabasePool,
  p: { id: string; host: string; generation: number; nextUpdateAt: Date | null; attempts: number; error: string | null },
): Promise<void> {
  await db.query(sql.unsafe`
    update images_unprocessed set
      next_update_at = case when generation = ${p.generation} and lease_owner = ${p.host}
                            then ${p.nextUpdateAt ? p.nextUpdateAt.toISOString() : null}::timestamptz else next_update_at end,
      lease_owner = case when lease_owner = ${p.host} then null else lease_owner end,
      processed_generation = greatest(processed_generation, ${p.generation}),
      attempts = ${p.attempts}, last_error = ${p.error}, processed_at = now(), processed_by = ${p.host}, stitch_due = false
    where id = ${p.id}`);
}

/** Gives images back on shutdown: due now, for whichever host comes next. */
export async function releaseImages(db: DatabasePool, host: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db.query(sql.unsafe`
    update images_unprocessed set next_update_at = now(), lease_owner = null
     where id = any(${sql.array(ids, 'uuid')}) and lease_owner = ${host}`);
}

/** Makes images due now (user edit, re-run, neighbour change), bumping their generation. */
export async function makeDue(db: DatabasePool, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const r = await db.query(sql.unsafe`
    update images_unprocessed set next_update_at = now(), generation = generation + 1, attempts = 0
     where id = any(${sql.array(ids, 'uuid')})`);
  return r.rowCount;
}

export const QueueCounts = z.object({ due: z.number(), in_progress: z.number(), failed: z.number(), done: z.number(), waiting: z.number(), total: z.number() });

/**
 * Files by processing state. The states do not overlap, so they add up to
 * the total: in progress (leased), due (not leased, due now), failed (its
 * last round failed; retried at next_update_at with backoff, or never),
 * done (processed, perhaps with a refresh scheduled later), and waiting
 * (everything else: changed but not yet due).
 */
export async function queueCounts(db: DatabasePool) {
  return db.one(sql.type(QueueCounts)`
    with s as (
      select case
        when lease_owner is not null then 'in_progress'
        when next_update_at <= now() then 'due'
        when last_error is not null then 'failed'
        when processed_generation = generation then 'done'
        else 'waiting' end as state
      from images_unprocessed where missing_since is null) -- parked (vanished) files are not work
    select
      count(*) filter (where state = 'due')::int as due,
      count(*) filter (where state = 'in_progress')::int as in_progress,
      count(*) filter (where state = 'failed')::int as failed,
      count(*) filter (where state = 'done')::int as done,
      count(*) filter (where state = 'waiting')::int as waiting,
      count(*)::int as total
    from s`);
}
