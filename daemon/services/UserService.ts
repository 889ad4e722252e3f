/**
 * User accounts: administration (admins only), one's own password, and the
 * optional TOTP second factor with recovery codes.
 */
import type { DatabasePool } from 'slonik';
import QRCode from 'qrcode';
import { checkPasswordPolicy, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { newRecoveryCodes, normalizeRecoveryCode, sha256Hex } from '../auth/secrets.ts';
import { newTotpSecret, totpStep, totpUri } from '../auth/totp.ts';
import { requireActor, requireAdmin, ROLES, type Actor, type Role } from '../auth/permissions.ts';
import { countUsers, deleteUser, findUserById, insertFirstUser, insertUser, listUsers, updateUser, useTotpStep, type UserRow } from '../db/users.ts';
import { deleteUserSessions } from '../db/sessions.ts';
import { deleteUserTokens } from '../db/apiTokens.ts';
import { DEFAULT_AUTH_LIMITS, limitedCheck, loginLimits, type AuthLimits } from './AuthService.ts';
import { ConflictError, InvalidInputError, NotFoundError, UnauthorizedError } from '../errors.ts';

export interface UserInfo {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  totpEnabled: boolean;
  recoveryCodesLeft: number;
  createdAt: string;
  lastLoginAt: string | null;
}

export const userInfo = (u: UserRow): UserInfo => ({
  id: u.id,
  username: u.username,
  role: u.role,
  disabled: u.disabled,
  totpEnabled: u.totp_enabled,
  recoveryCodesLeft: u.totp_enabled ? u.recovery_codes.length : 0,
  createdAt: u.created_at,
  lastLoginAt: u.last_login_at,
});

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function checkUsername(username: string): string {
  const u = username.trim();
  if (!USERNAME.test(u)) throw new InvalidInputError('user name: 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit');
  return u;
}

function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new InvalidInputError(`role must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

/** What a password change ended: the other sessions and the API tokens (login tokens included). */
export interface PasswordChanged {
  sessionsEnded: number;
  tokensRevoked: number;
}

export class UserService {
  private readonly limits: AuthLimits;

  constructor(private readonly deps: { db: DatabasePool; limits?: Partial<AuthLimits> }) {
    this.limits = { ...DEFAULT_AUTH_LIMITS, ...deps.limits };
  }

  /** Re-authentication (password, code) of a logged-in user: the same rate limits as a login. */
  private reauth(user: UserRow, ip: string | null, check: () => Promise<boolean>): Promise<boolean> {
    return limitedCheck(this.deps.db, loginLimits(this.limits, user.username, ip), check);
  }

  private async getRow(id: string): Promise<UserRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('no such user');
    const u = await findUserById(this.deps.db, id);
    if (!u) throw new NotFoundError('no such user');
    return u;
  }

  /** Creates the first administrator when no user exists yet (start-up, from the environment). */
  async ensureFirstAdmin(username: string | null, password: string | null): Promise<UserInfo | null> {
    if (!username || !password) return null;
    checkPasswordPolicy(password);
    const row = await insertFirstUser(this.deps.db, { username: checkUsername(username), passwordHash: await hashPassword(password) });
    return row ? userInfo(row) : null;
  }

  private usersExist = false;

  /** Whether no user exists yet, so that the first-run page is offered (once false, it stays false). */
  async needsSetup(): Promise<boolean> {
    if (!this.usersExist) this.usersExist = (await countUsers(this.deps.db)) > 0;
    return !this.usersExist;
  }

  /**
   * First run: creates the administrator while no user exists. Of two
   * concurrent submissions one wins; the other gets a 409.
   */
  async createFirstAdmin(input: { username: string; password: string }): Promise<UserInfo> {
    const username = checkUsername(input.username);
    checkPasswordPolicy(input.password);
    const row = await insertFirstUser(this.deps.db, { username, passwordHash: await hashPassword(input.password) });
    this.usersExist = true;
    if (!row) throw new ConflictError('the administrator exists already: log in');
    return userInfo(row);
  }

  async count(): Promise<number> {
    return countUsers(this.deps.db);
  }

  async me(actor: Actor | null): Promise<UserInfo> {
    const a = requireActor(actor);
    return userInfo(await this.getRow(a.id));
  }

  async list(actor: Actor | null): Promise<UserInfo[]> {
    requireAdmin(actor);
    return (await listUsers(this.deps.db)).map(userInfo);
  }

  async get(actor: Actor | null, id: string): Promise<UserInfo> {
    requireAdmin(actor);
    return userInfo(await this.getRow(id));
  }

  async create(actor: Actor | null, input: { username: string; password: string; role: string }): Promise<UserInfo> {
    requireAdmin(actor);
    const username = checkUsername(input.username);
    const role = checkRole(input.role);
    checkPasswordPolicy(input.password);
    const row = await insertUser(this.deps.db, { username, role, passwordHash: await hashPassword(input.password) });
    if (!row) throw new ConflictError(`a user named "${username}" exists already`);
    return userInfo(row);
  }

  /** Changes role, disabled state or password; the last active admin cannot be demoted or disabled. */
  async update(actor: Actor | null, id: string, patch: { role?: string; disabled?: boolean; password?: string }): Promise<UserInfo> {
    requireAdmin(actor);
    const user = await this.getRow(id);
    const role = patch.role === undefined ? undefined : checkRole(patch.role);
    if (patch.password !== undefined) checkPasswordPolicy(patch.password);
    const losesAdmin = user.role === 'admin' && !user.disabled && ((role !== undefined && role !== 'admin') || patch.disabled === true);
    if (losesAdmin && (await countUsers(this.deps.db, 'admin')) <= 1) throw new ConflictError('this is the last administrator: make another user admin first');
    const row = await updateUser(this.deps.db, id, { role, disabled: patch.disabled, passwordHash: patch.password === undefined ? undefined : await hashPassword(patch.password) });
    if (!row) throw new NotFoundError('no such user');
    if (patch.disabled || patch.password !== undefined) await deleteUserSessions(this.deps.db, id);
    // a password reset also revokes the user's API tokens (30-day login tokens included)
    if (patch.password !== undefined) await deleteUserTokens(this.deps.db, id);
    return userInfo(row);
  }

  async remove(actor: Actor | null, id: string): Promise<void> {
    requireAdmin(actor);
    await this.deleteRow(await this.getRow(id), 'this is the last administrator: it cannot be deleted');
  }

  /** One's own account (any role); its sessions and API tokens go with it. The last active admin cannot. */
  async removeSelf(actor: Actor | null): Promise<void> {
    const a = requireActor(actor);
    await this.deleteRow(await this.getRow(a.id), 'you are the last administrator: make another user admin before deleting your account');
  }

  private async deleteRow(user: UserRow, lastAdminMessage: string): Promise<void> {
    if (user.role === 'admin' && !user.disabled && (await countUsers(this.deps.db, 'admin')) <= 1) throw new ConflictError(lastAdminMessage);
    // sessions and tokens reference the user with on delete cascade
    await deleteUser(this.deps.db, user.id);
  }

  /**
   * One's own password. Every other session of the user ends and every API
   * token is revoked (30-day login tokens included), except the session or
   * token making the change.
   */
  async changePassword(actor: Actor | null, input: { current: string; password: string }, keepSessionHash: string | null = null, ip: string | null = null): Promise<PasswordChanged> {
    const a = requireActor(actor);
    const user = await this.getRow(a.id);
    checkPasswordPolicy(input.password);
    if (!(await this.reauth(user, ip, () => verifyPassword(user.password_hash, input.current)))) throw new InvalidInputError('the current password is wrong');
    await updateUser(this.deps.db, a.id, { passwordHash: await hashPassword(input.password) });
    const sessionsEnded = await deleteUserSessions(this.deps.db, a.id, keepSessionHash);
    const tokensRevoked = await deleteUserTokens(this.deps.db, a.id, a.via === 'token' ? (a.tokenId ?? null) : null);
    return { sessionsEnded, tokensRevoked };
  }

  /** Starts TOTP enrolment: a new secret (not active until confirmed with a code) and its QR code. */
  async beginTotp(actor: Actor | null): Promise<{ secret: string; uri: string; qrSvg: string }> {
    const a = requireActor(actor);
    const user = await this.getRow(a.id);
    if (user.totp_enabled) throw new ConflictError('the second factor is already on: turn it off first to enrol again');
    const secret = newTotpSecret();
    await updateUser(this.deps.db, a.id, { totpSecret: secret });
    const uri = totpUri(secret, user.username);
    const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret, uri, qrSvg };
  }

  /** Confirms enrolment with a code from the app; returns recovery codes (shown once). */
  async confirmTotp(actor: Actor | null, code: string, ip: string | null = null): Promise<{ recoveryCodes: string[] }> {
    const a = requireActor(actor);
    const user = await this.getRow(a.id);
    if (user.totp_enabled) throw new ConflictError('the second factor is already on');
    const secret = user.totp_secret;
    if (!secret) throw new InvalidInputError('start the enrolment first');
    const matches = async () => {
      const step = totpStep(secret, code);
      return step !== null && (await useTotpStep(this.deps.db, a.id, step));
    };
    if (!(await this.reauth(user, ip, matches))) throw new InvalidInputError('the code does not match: check the time on your phone and try the next code');
    const codes = newRecoveryCodes();
    await updateUser(this.deps.db, a.id, { totpEnabled: true, recoveryCodes: codes.map((c) => sha256Hex(normalizeRecoveryCode(c))) });
    return { recoveryCodes: codes };
  }

  /** Turns the second factor off (needs the password). Admins can reset it for others with `resetTotp`. */
  async disableTotp(actor: Actor | null, password: string, ip: string | null = null): Promise<void> {
    const a = requireActor(actor);
    const user = await this.getRow(a.id);
    if (!(await this.reauth(user, ip, () => verifyPassword(user.password_hash, password)))) throw new UnauthorizedError('the password is wrong');
    await updateUser(this.deps.db, a.id, { totpEnabled: false, totpSecret: null, recoveryCodes: [] });
  }

  async resetTotp(actor: Actor | null, id: string): Promise<UserInfo> {
    requireAdmin(actor);
    await this.getRow(id);
    const row = await updateUser(this.deps.db, id, { totpEnabled: false, totpSecret: null, recoveryCodes: [] });
    return userInfo(row!);
  }
}
