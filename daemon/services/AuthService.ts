/**
 * Authentication: password logins (rate limited, with an optional TOTP second
 * factor), browser sessions, and API tokens. Who may do what is decided by
 * the other services from the Actor this one produces.
 */
import type { DatabasePool } from 'slonik';
import { burnPasswordCheck, verifyPassword } from '../auth/passwords.ts';
import { newApiToken, normalizeRecoveryCode, randomSecret, sha256Hex } from '../auth/secrets.ts';
import { totpStep } from '../auth/totp.ts';
import { isAdmin, requireActor, type Actor } from '../auth/permissions.ts';
import { consumeRecoveryCode, findUserById, findUserByName, touchLogin, useTotpStep, type UserRow } from '../db/users.ts';
import { completeMfa, deleteExpiredSessions, deleteSession, findSession, insertSession, touchSession } from '../db/sessions.ts';
import { deleteToken, findToken, findTokenUser, insertToken, listTokens, touchToken, type TokenRow } from '../db/apiTokens.ts';
import { deleteStaleAttempts, recordFailure, releaseAttempt, reserveAttempt, type RateLimit } from '../db/loginAttempts.ts';
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
  /**
   * failed logins of one account from any address before it is slowed down:
   * a short lock that doubles with each lock-out in a row, up to
   * accountMaxLockSeconds, so that an attacker cannot lock the owner out for long
   */
  perAccount: number;
  accountLockSeconds: number;
  accountMaxLockSeconds: number;
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = { perUser: 5, perIp: 30, windowSeconds: 900, lockSeconds: 900, perAccount: 10, accountLockSeconds: 30, accountMaxLockSeconds: 300 };

/** The rate-limit keys of an attempt to prove who one is (login, second factor, re-authentication). */
export function loginLimits(limits: AuthLimits, username: string, ip: string | null): RateLimit[] {
  const addr = ip ?? 'unknown';
  const user = username.toLowerCase().slice(0, 200);
  const { windowSeconds, lockSeconds } = limits;
  return [
    { key: `u:${addr}|${user}`, max: limits.perUser, windowSeconds, lockSeconds },
    { key: `ip:${addr}`, max: limits.perIp, windowSeconds, lockSeconds },
    { key: `a:${user}`, max: limits.perAccount, windowSeconds, lockSeconds: limits.accountLockSeconds, maxLockSeconds: limits.accountMaxLockSeconds },
  ];
}

/**
 * Runs one secret check (password, code) under the login rate limits: the
 * attempt is reserved before the check (a burst gets no more checks than the
 * limit), a failure counts, a success gives the reservation back and clears
 * the user's own keys.
 */
export async function limitedCheck(db: DatabasePool, limits: RateLimit[], check: () => Promise<boolean>): Promise<boolean> {
  const wait = await reserveAttempt(db, limits);
  if (wait > 0) throw new TooManyAttemptsError(wait);
  let ok = false;
  try {
    ok = await check();
  } finally {
    if (ok) await releaseAttempt(db, limits.map((l) => l.key), limits.filter((l) => !l.key.startsWith('ip:')).map((l) => l.key));
    else await recordFailure(db, limits);
  }
  return ok;
}

export class AuthService {
  readonly sessionTtlSeconds = 14 * 86400;
  private readonly limits: AuthLimits;

  constructor(private readonly deps: { db: DatabasePool; limits?: Partial<AuthLimits> }) {
    this.limits = { ...DEFAULT_AUTH_LIMITS, ...deps.limits };
  }

  private lastSweep = 0;

  /** At most hourly, on a login: expired sessions and stale rate-limit keys go. */
  private sweep(): void {
    if (Date.now() - this.lastSweep < 3_600_000) return;
    this.lastSweep = Date.now();
    void Promise.all([deleteExpiredSessions(this.deps.db), deleteStaleAttempts(this.deps.db)]).catch(() => (this.lastSweep = 0));
  }

  /** Runs a secret check for `username` from `ip` under the login rate limits (429 when over). */
  limited(username: string, ip: string | null, check: () => Promise<boolean>): Promise<boolean> {
    return limitedCheck(this.deps.db, loginLimits(this.limits, username, ip), check);
  }

  /**
   * Checks a user name and password (and the second factor when given).
   * Returns the user and whether a second factor is still needed.
   */
  async checkPassword(input: LoginInput): Promise<{ user: UserRow; needsCode: boolean }> {
    const { db } = this.deps;
    if (!input.username || !input.password) throw new InvalidInputError('give a user name and a password');
    this.sweep();
    let user: UserRow | null = null;
    let wrong = 'wrong user name or password';
    const ok = await limitedCheck(db, loginLimits(this.limits, input.username, input.ip), async () => {
      user = await findUserByName(db, input.username);
      const passed = user && !user.disabled ? await verifyPassword(user.password_hash, input.password) : (await burnPasswordCheck(input.password), false);
      if (!passed || !user) return false;
      if (user.totp_enabled && input.code !== undefined && input.code !== '' && !(await this.checkCode(user, input.code))) {
        wrong = 'wrong code';
        return false;
      }
      return true;
    });
    if (!ok || !user) throw new UnauthorizedError(wrong);
    const u: UserRow = user;
    return { user: u, needsCode: u.totp_enabled && (input.code === undefined || input.code === '') };
  }

  /** A TOTP code (of a time step not used before) or an unused recovery code (which is then used up). */
  private async checkCode(user: UserRow, code: string): Promise<boolean> {
    if (!user.totp_secret) return false;
    if (/^\s*\d{6}\s*$/.test(code)) {
      const step = totpStep(user.totp_secret, code);
      return step !== null && (await useTotpStep(this.deps.db, user.id, step));
    }
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
    if (!(await limitedCheck(db, loginLimits(this.limits, user.username, ip), () => this.checkCode(user, code)))) throw new UnauthorizedError('wrong code');
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
    return { ...toActor({ id: row.user_id, username: row.username, role: row.role }, 'token'), tokenId: row.token_id };
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
