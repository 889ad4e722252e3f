/**
 * SQL of login rate limiting. In the database (not in memory) so that every
 * web host sees the same counts.
 *
 * An attempt is *reserved* before the password is checked: one upsert per key
 * adds it to the key's window under the row lock, and the attempt goes on only
 * when no key is locked and none is over its limit. Concurrent attempts on a
 * key therefore queue on its row, and a burst gets no more password checks
 * than the limit (a count-then-insert would let all of them through). A failed
 * check keeps its reservation (it is the failure); a success gives it back.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export interface RateLimit {
  key: string;
  /** attempts in a window before the key is locked */
  max: number;
  windowSeconds: number;
  /** the first lock-out; each further one in a row doubles it, up to maxLockSeconds */
  lockSeconds: number;
  maxLockSeconds?: number;
}

class Refused extends Error {
  constructor(readonly waitSeconds: number) {
    super('refused');
  }
}

const lockLength = (l: RateLimit, lockouts: number) => Math.min(l.lockSeconds * 2 ** Math.min(lockouts, 20), l.maxLockSeconds ?? l.lockSeconds);

const Reserved = z.object({ failures: z.number(), lockouts: z.number(), wait: z.number().nullable() });

/**
 * Reserves one attempt on every key. Returns 0 when the attempt may go on,
 * else the seconds to wait (and then nothing is counted).
 */
export async function reserveAttempt(db: DatabasePool, limits: RateLimit[]): Promise<number> {
  // keys in a fixed order: two attempts never wait on each other's rows crosswise
  const sorted = [...limits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  try {
    await db.transaction(async (tx) => {
      for (const l of sorted) {
        const r = await tx.one(sql.type(Reserved)`
          insert into login_attempts as a (key, failures, window_start) values (${l.key}, 1, now())
          on conflict (key) do update set
            failures = case when a.window_start < now() - make_interval(secs => ${l.windowSeconds}) then 1 else a.failures + 1 end,
            lockouts = case when a.window_start < now() - interval '1 day' then 0 else a.lockouts end,
            window_start = case when a.window_start < now() - make_interval(secs => ${l.windowSeconds}) then now() else a.window_start end
          returning failures, lockouts, ceil(extract(epoch from locked_until - now()))::int as wait`);
        if (r.wait !== null && r.wait > 0) throw new Refused(r.wait);
        // over the limit while earlier attempts are still being checked: they decide the lock
        if (r.failures > l.max) throw new Refused(lockLength(l, r.lockouts));
      }
    });
    return 0;
  } catch (err) {
    if (err instanceof Refused) return err.waitSeconds; // rolled back: the refused attempt is not counted
    throw err;
  }
}

/** A reserved attempt failed: a key that reached its limit is locked (longer after each lock-out in a row). */
export async function recordFailure(db: DatabasePool, limits: RateLimit[]): Promise<void> {
  for (const l of limits) {
    const max = l.maxLockSeconds ?? l.lockSeconds;
    await db.query(sql.unsafe`
      update login_attempts
         set locked_until = now() + make_interval(secs => least(${l.lockSeconds}::float8 * power(2, least(lockouts, 20)), ${max}::float8)),
             lockouts = lockouts + 1, failures = 0, window_start = now()
       where key = ${l.key} and failures >= ${l.max} and (locked_until is null or locked_until <= now())`);
  }
}

/**
 * A reserved attempt succeeded: the keys in `clear` start over (unless locked),
 * the others get the reservation back.
 */
export async function releaseAttempt(db: DatabasePool, keys: string[], clear: string[]): Promise<void> {
  const keep = keys.filter((k) => !clear.includes(k));
  if (clear.length) await db.query(sql.unsafe`delete from login_attempts where key = any(${sql.array(clear, 'text')}) and (locked_until is null or locked_until <= now())`);
  if (keep.length) await db.query(sql.unsafe`update login_attempts set failures = greatest(failures - 1, 0) where key = any(${sql.array(keep, 'text')})`);
}

/** Forgets keys quiet for a day and not locked (attackers can invent user names: the table must not grow forever). */
export async function deleteStaleAttempts(db: DatabasePool): Promise<number> {
  const r = await db.query(sql.unsafe`
    delete from login_attempts where window_start < now() - interval '1 day' and (locked_until is null or locked_until < now())`);
  return r.rowCount;
}
