/**
 * SQL of login rate limiting: failures per key in a window, and a lock-out.
 * In the database (not in memory) so that every web host sees the same counts.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** Seconds until the key may try again, or 0. */
export async function lockedFor(db: DatabasePool, keys: string[]): Promise<number> {
  const s = await db.maybeOneFirst(sql.type(z.object({ s: z.number().nullable() }))`
    select ceil(extract(epoch from max(locked_until) - now()))::int as s
      from login_attempts where key = any(${sql.array(keys, 'text')}) and locked_until > now()`);
  return s && s > 0 ? s : 0;
}

/**
 * Counts a failure for each key; a key that reaches its limit within the
 * window is locked for `lockSeconds`. A window that has passed starts over.
 */
export async function recordFailure(db: DatabasePool, limits: { key: string; max: number }[], windowSeconds: number, lockSeconds: number): Promise<void> {
  for (const { key, max } of limits) {
    await db.query(sql.unsafe`
      insert into login_attempts as a (key, failures, window_start) values (${key}, 1, now())
      on conflict (key) do update set
        failures = case when a.window_start < now() - make_interval(secs => ${windowSeconds}) then 1 else a.failures + 1 end,
        window_start = case when a.window_start < now() - make_interval(secs => ${windowSeconds}) then now() else a.window_start end`);
    await db.query(sql.unsafe`
      update login_attempts set locked_until = now() + make_interval(secs => ${lockSeconds}), failures = 0, window_start = now()
       where key = ${key} and failures >= ${max}`);
  }
}

export async function clearFailures(db: DatabasePool, keys: string[]): Promise<void> {
  await db.query(sql.unsafe`delete from login_attempts where key = any(${sql.array(keys, 'text')}) and (locked_until is null or locked_until <= now())`);
}
