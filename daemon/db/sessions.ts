/**
 * SQL of browser sessions (the cookie's random id is stored only as a hash).
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const SessionUserRow = z.object({
  id_hash: z.string(),
  csrf_token: z.string(),
  mfa_pending: z.boolean(),
  last_seen_at: z.string(),
  expires_at: z.string(),
  user_id: z.string(),
  username: z.string(),
  role: z.enum(['admin', 'member']),
});
export type SessionUserRow = z.infer<typeof SessionUserRow>;

export async function insertSession(
  db: DatabasePool,
  s: { idHash: string; userId: string; csrfToken: string; mfaPending: boolean; ip: string | null; userAgent: string | null; ttlSeconds: number },
): Promise<void> {
  await db.query(sql.unsafe`
    insert into sessions (id_hash, user_id, csrf_token, mfa_pending, ip, user_agent, expires_at)
    values (${s.idHash}, ${s.userId}, ${s.csrfToken}, ${s.mfaPending}, ${s.ip}, ${s.userAgent}, now() + make_interval(secs => ${s.ttlSeconds}))`);
}

/** The live session and its (enabled) user, or null. */
export async function findSession(db: DatabasePool, idHash: string): Promise<SessionUserRow | null> {
  return db.maybeOne(sql.type(SessionUserRow)`
    select s.id_hash, s.csrf_token, s.mfa_pending, s.last_seen_at, s.expires_at, u.id as user_id, u.username, u.role
      from sessions s join users u on u.id = s.user_id
     where s.id_hash = ${idHash} and s.expires_at > now() and not u.disabled`);
}

/** Sliding expiry: pushes the end forward (called at most once a minute per session). */
export async function touchSession(db: DatabasePool, idHash: string, ttlSeconds: number): Promise<void> {
  await db.query(sql.unsafe`
    update sessions set last_seen_at = now(), expires_at = now() + make_interval(secs => ${ttlSeconds}) where id_hash = ${idHash}`);
}

export async function completeMfa(db: DatabasePool, idHash: string): Promise<void> {
  await db.query(sql.unsafe`update sessions set mfa_pending = false, last_seen_at = now() where id_hash = ${idHash}`);
}

export async function deleteSession(db: DatabasePool, idHash: string): Promise<void> {
  await db.query(sql.unsafe`delete from sessions where id_hash = ${idHash}`);
}

/** Ends every session of a user (password change, disabled account), except one. */
export async function deleteUserSessions(db: DatabasePool, userId: string, exceptHash: string | null = null): Promise<number> {
  const r = await db.query(sql.unsafe`delete from sessions where user_id = ${userId} and id_hash is distinct from ${exceptHash}`);
  return r.rowCount;
}

export async function deleteExpiredSessions(db: DatabasePool): Promise<number> {
  const r = await db.query(sql.unsafe`delete from sessions where expires_at <= now()`);
  return r.rowCount;
}
