/**
 * Retries work that PostgreSQL aborted for a transient reason: a serialization
 * failure (40001) or a deadlock (40P01) — two transactions touched the same
 * rows in a different order, and running one of them again succeeds. The
 * pause grows and is jittered so that the two do not collide again.
 * The callback must be safe to run again (a whole transaction, a claim).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.ts';

export const TRANSIENT_SQLSTATES = new Set(['40001', '40P01']);

/** The SQLSTATE of an error from pg or slonik (slonik keeps pg's error as `cause`). */
export function sqlState(err: unknown): string | null {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return null;
}

export function isTransientSqlError(err: unknown): boolean {
  const code = sqlState(err);
  return code !== null && TRANSIENT_SQLSTATES.has(code);
}

export async function retryTransient<T>(
  what: string,
  fn: () => Promise<T>,
  o: { log?: Logger; attempts?: number; baseMs?: number; random?: () => number } = {},
): Promise<T> {
  const attempts = o.attempts ?? 5;
  const base = o.baseMs ?? 20;
  const random = o.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isTransientSqlError(err)) throw err;
      const ms = Math.round(base * 2 ** (attempt - 1) * (0.5 + random()));
      o.log?.debug({ err, what, attempt, retryInMs: ms, sqlState: sqlState(err) }, 'transient database error: retrying');
      await sleep(ms);
    }
  }
}
