/**
 * Random secrets (session ids, API tokens, CSRF tokens, recovery codes) and
 * their stored form: only a SHA-256 hash is kept in the database, so a leaked
 * database does not leak usable credentials. (Secrets are 256-bit random, so a
 * fast hash is enough; passwords use argon2id.)
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Prefix of API tokens: recognizable in logs and secret scanners. */
export const API_TOKEN_PREFIX = 'sdr_';

export function newApiToken(): string {
  return API_TOKEN_PREFIX + randomSecret(32);
}

/** Recovery codes: ten groups like "7kq2-m9xd", easy to type, 40 bits each. */
export function newRecoveryCodes(count = 10): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: count }, () => {
    const b = randomBytes(8);
    const chars = [...b].map((x) => alphabet[x % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}`;
  });
}

/** The one-time first-run set-up code: "k7qm-2xdp-9rtw" (about 59 bits), printed at start-up. */
export function newSetupCode(): string {
  const [a, b] = newRecoveryCodes(2);
  return `${a}-${b!.slice(0, 4)}`;
}

export function normalizeRecoveryCode(code: string): string {
  return code.trim().toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Compares two strings in constant time (for CSRF tokens). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
