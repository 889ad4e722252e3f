/**
 * SQL of user accounts.
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';

type Db = DatabasePool | DatabaseTransactionConnection;

export const UserRow = z.object({
  id: z.string(),
  username: z.string(),
  password_hash: z.string(),
  role: z.enum(['admin', 'member']),
  disabled: z.boolean(),
  totp_secret: z.string().nullable(),
  totp_enabled: z.boolean(),
  recovery_codes: z.array(z.string()),
  created_at: z.string(),
  last_login_at: z.string().nullable(),
});
export type UserRow = z.infer<typeof UserRow>;

const COLUMNS = sql.fragment`id, username, password_hash, role, disabled, totp_secret, totp_enabled, recovery_codes, created_at, last_login_at`;

export async function findUserByName(db: Db, username: string): Promise<UserRow | null> {
  return db.maybeOne(sql.type(UserRow)`select ${COLUMNS} from users where lower(username) = lower(${username})`);
}

export async function findUserById(db: Db, id: string): Promise<UserRow | null> {
  return db.maybeOne(sql.type(UserRow)`select ${COLUMNS} from users where id = ${id}`);
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return [...(await db.any(sql.type(UserRow)`select ${COLUMNS} from users order by lower(username)`))];
}

export async function countUsers(db: Db, role?: 'admin'): Promise<number> {
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from users where ${role ? sql.fragment`role = ${role} and not disabled` : sql.fragment`true`}`);
}

/** Inserts a user; returns null when the name is taken (case-insensitively). */
export async function insertUser(db: Db, u: { username: string; passwordHash: string; role: 'admin' | 'member' }): Promise<UserRow | null> {
  return db.maybeOne(sql.type(UserRow)`
    insert into users (username, password_hash, role) values (${u.username}, ${u.passwordHash}, ${u.role})
    on conflict do nothing
    returning ${COLUMNS}`);
}

/**
 * Creates the first administrator only while no user exists. The advisory
 * lock makes two hosts starting together create one user, not two.
 */
export async function insertFirstUser(db: DatabasePool, u: { username: string; passwordHash: string }): Promise<UserRow | null> {
  return db.transaction(async (tx) => {
    await tx.query(sql.unsafe`select pg_advisory_xact_lock(727002)`);
    if ((await countUsers(tx)) > 0) return null;
    return insertUser(tx, { ...u, role: 'admin' });
  });
}

export async function updateUser(
  db: Db,
  id: string,
  patch: { role?: 'admin' | 'member'; disabled?: boolean; passwordHash?: string; totpSecret?: string | null; totpEnabled?: boolean; recoveryCodes?: string[] },
): Promise<UserRow | null> {
  const sets = [sql.fragment`updated_at = now()`];
  if (patch.role !== undefined) sets.push(sql.fragment`role = ${patch.role}`);
  if (patch.disabled !== undefined) sets.push(sql.fragment`disabled = ${patch.disabled}`);
  if (patch.passwordHash !== undefined) sets.push(sql.fragment`password_hash = ${patch.passwordHash}`);
  if (patch.totpSecret !== undefined) sets.push(sql.fragment`totp_secret = ${patch.totpSecret}`);
  if (patch.totpEnabled !== undefined) sets.push(sql.fragment`totp_enabled = ${patch.totpEnabled}`);
  if (patch.recoveryCodes !== undefined) sets.push(sql.fragment`recovery_codes = ${sql.array(patch.recoveryCodes, 'text')}`);
  return db.maybeOne(sql.type(UserRow)`update users set ${sql.join(sets, sql.fragment`, `)} where id = ${id} returning ${COLUMNS}`);
}

/** Uses up one recovery code (by hash); true when it was there. */
export async function consumeRecoveryCode(db: Db, id: string, codeHash: string): Promise<boolean> {
  const r = await db.query(sql.unsafe`
    update users set recovery_codes = array_remove(recovery_codes, ${codeHash}), updated_at = now()
     where id = ${id} and ${codeHash} = any(recovery_codes)`);
  return r.rowCount > 0;
}

/**
 * Marks a TOTP time step as used; false when that step or a later one was
 * used already (a replayed code). One statement: two requests with the same
 * code cannot both pass.
 */
export async function useTotpStep(db: Db, id: string, step: number): Promise<boolean> {
  const r = await db.query(sql.unsafe`
    update users set totp_last_step = ${step} where id = ${id} and (totp_last_step is null or totp_last_step < ${step})`);
  return r.rowCount > 0;
}

export async function touchLogin(db: Db, id: string): Promise<void> {
  await db.query(sql.unsafe`update users set last_login_at = now() where id = ${id}`);
}

export async function deleteUser(db: Db, id: string): Promise<boolean> {
  const r = await db.query(sql.unsafe`delete from users where id = ${id}`);
  return r.rowCount > 0;
}
