/**
 * Authentication: password logins (rate limited, with an optional TOTP second
 * factor), browser sessions, and API tokens. Who may do what is decided by
 * the other services from the Actor this one produces.
 */
import type { DatabasePool } from 'slonik';
import { burnPasswordCheck, verifyPassword } from '../auth/passwords.ts';
import { newApiToken, normalizeRecoveryCode, randomSecret, sha256Hex } from '../auth/secrets.ts';
import { verifyTotp } from '../auth/totp.ts';
import { isAdmin, requireActor, type Actor } from '../auth/permissions.ts';
import { consumeRecoveryCode, findUserById, findUserByName, touchLogin, type UserRow } from '../db/users.ts';
import { completeMfa, deleteSession, findSession, insertSession, touchSession } from '../db/sessions.ts';
import { deleteToken, findToken, findTokenUser, insertToken, listTokens, touchToken, type TokenRow } from '../db/apiTokens.ts';
import { clearFailures, lockedFor, recordFailure } from '../db/loginAttempts.ts';
import { DomainError, ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError } from '../errors.ts';

export class TooManyAttemptsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'too-many-attempts', `too many failed logins: try again in ${Math.ceil(retryAfterSeconds / 60)} min`);
  }
}

export interface LoginInput {
  username: string;
  password: string;
  /** TOTP code or recovery code, when the user has a second factor */
  code?: string;
  ip: string | null;
}

export interface SessionInfo {
  actor: Actor;
  idHash: string;
  csrfToken: string;
  mfaPending: boolean;
}

export interface TokenInfo {
  id: string;
  name: string;
  prefix: string;
  username: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

const toActor = (u: { id: string; username: string; role: 'admin' | 'member' }, via: Actor['via']): Actor => ({ id: u.id, username: u.username, role: u.role, via });

export const tokenInfo = (t: TokenRow): TokenInfo => ({ id: t.id, name: t.name, prefix: t.prefix, username: t.username, createdAt: t.created_at, lastUsedAt: t.last_used_at, expiresAt: t.expires_at });

export interface AuthLimits {
  /** failed logins of one user from one address before a lock-out */
  perUser: number;
  /** failed logins from one address (any user) before a lock-out */
  perIp: number;
  windowSeconds: number;
  lockSeconds: number;
}

export class AuthService {
  readonly sessionTtlSeconds = 14 * 86400;
  private readonly limits: AuthLimits;

  constructor(private readonly deps: { db: DatabasePool; limits?: Partial<AuthLimits> }) {
    this.limits = { perUser: 5, perIp: 30, windowSeconds: 900, lockSeconds: 900, ...deps.limits };
  }

  private rateKeys(username: string, ip: string | null): { key: string; max: number }[] {
    const addr = ip ?? 'unknown';
    return [
      { key: `u:${addr}|${username.toLowerCase()}`, max: this.limits.perUser },
      { key: `ip:${addr}`, max: this.limits.perIp },
    ];
  }

  /**
   * Checks a user name and password (and the second factor when given).
   * Returns the user and whether a second factor is still needed.
   */
  async checkPassword(input: LoginInput): Promise<{ user: UserRow; needsCode: boolean }> {
    const { db } = this.deps;
    if (!input.username || !input.password) throw new InvalidInputError('give a user name and a password');
    const keys = this.rateKeys(input.username, input.ip);
    const wait = await lockedFor(db, keys.map((k) => k.key));
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const user = await findUserByName(db, input.username);
    const ok = user && !user.disabled ? await verifyPassword(user.password_hash, input.password) : (await burnPasswordCheck(input.password), false);
    if (!ok || !user) {
      await recordFailure(db, keys, this.limits.windowSeconds, this.limits.lockSeconds);
      throw new UnauthorizedError('wrong user name or password');
    }
    if (user.totp_enabled && input.code !== undefined && input.code !== '') {
      if (!(await this.checkCode(user, input.code))) {
        await recordFailure(db, keys, this.limits.windowSeconds, this.limits.lockSeconds);
        throw new UnauthorizedError('wrong code');
      }
      await clearFailures(db, keys.map((k) => k.key));
      return { user, needsCode: false };
    }
    if (!user.totp_enabled) await clearFailures(db, keys.map((k) => k.key));
    return { user, needsCode: user.totp_enabled };
  }

  /** A TOTP code or an unused recovery code (which is then used up). */
  private async checkCode(user: UserRow, code: string): Promise<boolean> {
    if (!user.totp_secret) return false;
    if (/^\s*\d{6}\s*$/.test(code)) return verifyTotp(user.totp_secret, code);
    return consumeRecoveryCode(this.deps.db, user.id, sha256Hex(normalizeRecoveryCode(code)));
  }

  /** Browser login: a new session (pending the second factor when the user has one). Returns the cookie value. */
  async startSession(input: LoginInput & { userAgent: string | null }): Promise<{ cookie: string; session: SessionInfo }> {
    const { user, needsCode } = await this.checkPassword(input);
    const cookie = randomSecret(32);
    const idHash = sha256Hex(cookie);
    const csrfToken = randomSecret(24);
    await insertSession(this.deps.db, { idHash, userId: user.id, csrfToken, mfaPending: needsCode, ip: input.ip, userAgent: input.userAgent?.slice(0, 300) ?? null, ttlSeconds: needsCode ? 600 : this.sessionTtlSeconds });
    if (!needsCode) await touchLogin(this.deps.db, user.id);
    return { cookie, session: { actor: toActor(user, 'session'), idHash, csrfToken, mfaPending: needsCode } };
  }

  /** Second step of a browser login for users with TOTP. */
  async completeSecondFactor(session: SessionInfo, code: string, ip: string | null): Promise<void> {
    const { db } = this.deps;
    const user = await findUserById(db, session.actor.id);
    if (!user || user.disabled) throw new UnauthorizedError('log in again');
    const keys = this.rateKeys(user.username, ip);
    const wait = await lockedFor(db, keys.map((k) => k.key));
    if (wait > 0) throw new TooManyAttemptsError(wait);
    if (!(await this.checkCode(user, code))) {
      await recordFailure(db, keys, this.limits.windowSeconds, this.limits.lockSeconds);
      throw new UnauthorizedError('wrong code');
    }
    await clearFailures(db, keys.map((k) => k.key));
    await completeMfa(db, session.idHash);
    await touchSession(db, session.idHash, this.sessionTtlSeconds);
    await touchLogin(db, user.id);
  }

  /** The session behind a cookie value, or null. Expiry slides, written at most once a minute. */
  async session(cookie: string): Promise<SessionInfo | null> {
    if (!cookie || cookie.length > 100) return null;
    const idHash = sha256Hex(cookie);
    const row = await findSession(this.deps.db, idHash);
    if (!row) return null;
    if (!row.mfa_pending && Date.now() - Date.parse(row.last_seen_at) > 60_000) await touchSession(this.deps.db, idHash, this.sessionTtlSeconds);
    return { actor: toActor({ id: row.user_id, username: row.username, role: row.role }, 'session'), idHash, csrfToken: row.csrf_token, mfaPending: row.mfa_pending };
  }

  async endSession(idHash: string): Promise<void> {
    await deleteSession(this.deps.db, idHash);
  }

  /** The actor behind an API token, or null. */
  async tokenActor(token: string): Promise<Actor | null> {
    if (!token || token.length > 200) return null;
    const row = await findTokenUser(this.deps.db, sha256Hex(token));
    if (!row) return null;
    if (!row.last_used_at || Date.now() - Date.parse(row.last_used_at) > 60_000) await touchToken(this.deps.db, row.token_id);
    return toActor({ id: row.user_id, username: row.username, role: row.role }, 'token');
  }

  /** `POST /api/v1/auth/login`: a token (valid 30 days) for the user. */
  async tokenLogin(input: LoginInput): Promise<{ token: string; expiresAt: string | null }> {
    const { user, needsCode } = await this.checkPassword(input);
    if (needsCode) throw new UnauthorizedError('this account has a second factor: send "code" (TOTP or recovery code) as well');
    await touchLogin(this.deps.db, user.id);
    const { token, info } = await this.issueToken(user.id, `login ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`, 30 * 86400);
    return { token, expiresAt: info.expiresAt };
  }

  private async issueToken(userId: string, name: string, ttlSeconds: number | null): Promise<{ token: string; info: TokenInfo }> {
    const token = newApiToken();
    const row = await insertToken(this.deps.db, { userId, name, hash: sha256Hex(token), prefix: token.slice(0, 10), ttlSeconds });
    return { token, info: tokenInfo(row) };
  }

  /** A named token for automation, shown once. */
  async createToken(actor: Actor | null, input: { name: string; expiresInDays?: number | null }): Promise<{ token: string; info: TokenInfo }> {
    const a = requireActor(actor);
    const name = input.name.trim();
    if (!name || name.length > 100) throw new InvalidInputError('name: 1 to 100 characters');
    const days = input.expiresInDays ?? null;
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new InvalidInputError('expiresInDays: a whole number of days from 1 to 3650');
    return this.issueToken(a.id, name, days === null ? null : days * 86400);
  }

  /** The actor's tokens; admins may list everyone's (`all`). */
  async listTokens(actor: Actor | null, options: { all?: boolean } = {}): Promise<TokenInfo[]> {
    const a = requireActor(actor);
    if (options.all && !isAdmin(a)) throw new ForbiddenError('only administrators may list every token');
    return (await listTokens(this.deps.db, options.all ? null : a.id)).map(tokenInfo);
  }

  /** Revokes a token: its owner or an admin. */
  async revokeToken(actor: Actor | null, id: string): Promise<void> {
    const a = requireActor(actor);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('no such token');
    const t = await findToken(this.deps.db, id);
    if (!t || (t.user_id !== a.id && !isAdmin(a))) throw new NotFoundError('no such token');
    await deleteToken(this.deps.db, id);
  }
}
