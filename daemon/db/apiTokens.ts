/**
 * SQL of API tokens (stored as SHA-256 hashes; shown once at creation).
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const TokenRow = z.object({
  id: z.string(),
  user_id: z.string(),
  username: z.string(),
  name: z.string(),
  prefix: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  expires_at: z.string().nullable(),
});
export type TokenRow = z.infer<typeof TokenRow>;

const SELECT = sql.fragment`select t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.last_used_at, t.expires_at
  from api_tokens t join users u on u.id = t.user_id`;

export async function insertToken(db: DatabasePool, t: { userId: string; name: string; hash: string; prefix: string; ttlSeconds: number | null }): Promise<TokenRow> {
  const id = await db.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into api_tokens (user_id, name, token_hash, prefix, expires_at)
    values (${t.userId}, ${t.name}, ${t.hash}, ${t.prefix}, ${t.ttlSeconds === null ? null : sql.fragment`now() + make_interval(secs => ${t.ttlSeconds})`})
    returning id`);
  return db.one(sql.type(TokenRow)`${SELECT} where t.id = ${id}`);
}

export async function listTokens(db: DatabasePool, userId: string | null): Promise<TokenRow[]> {
  return [...(await db.any(sql.type(TokenRow)`${SELECT} ${userId ? sql.fragment`where t.user_id = ${userId}` : sql.fragment``} order by t.created_at desc`))];
}

export async function findToken(db: DatabasePool, id: string): Promise<TokenRow | null> {
  return db.maybeOne(sql.type(TokenRow)`${SELECT} where t.id = ${id}`);
}

export async function deleteToken(db: DatabasePool, id: string): Promise<boolean> {
  const r = await db.query(sql.unsafe`delete from api_tokens where id = ${id}`);
  return r.rowCount > 0;
}

/** Revokes every token of a user (password change or reset), except one; returns how many. */
export async function deleteUserTokens(db: DatabasePool, userId: string, exceptId: string | null = null): Promise<number> {
  const r = await db.query(sql.unsafe`delete from api_tokens where user_id = ${userId} and id is distinct from ${exceptId}`);
  return r.rowCount;
}

export const TokenUserRow = z.object({ token_id: z.string(), last_used_at: z.string().nullable(), user_id: z.string(), username: z.string(), role: z.enum(['admin', 'member']) });

/** The (enabled) user of a live token, by the token's hash. */
export async function findTokenUser(db: DatabasePool, hash: string) {
  return db.maybeOne(sql.type(TokenUserRow)`
    select t.id as token_id, t.last_used_at, u.id as user_id, u.username, u.role
      from api_tokens t join users u on u.id = t.user_id
     where t.token_hash = ${hash} and (t.expires_at is null or t.expires_at > now()) and not u.disabled`);
}

export async function touchToken(db: DatabasePool, id: string): Promise<void> {
  await db.query(sql.unsafe`update api_tokens set last_used_at = now() where id = ${id}`);
}
