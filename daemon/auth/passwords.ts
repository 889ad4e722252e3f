/**
 * Password hashing with argon2id (@node-rs/argon2: prebuilt, no compiler).
 * Parameters follow the OWASP minimum for argon2id (19 MiB, 2 passes, 1 lane);
 * the hash string carries them, so they can be raised later without breaking
 * existing hashes.
 */
import { hash, verify, Algorithm } from '@node-rs/argon2';
import { InvalidInputError } from '../errors.ts';

const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;

/** Throws InvalidInputError when a new password is unacceptable. */
export function checkPasswordPolicy(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) throw new InvalidInputError(`the password needs at least ${PASSWORD_MIN_LENGTH} characters`);
  if (password.length > PASSWORD_MAX_LENGTH) throw new InvalidInputError(`the password may have at most ${PASSWORD_MAX_LENGTH} characters`);
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/**
 * How many password verifications this process has run (real and burnt):
 * the rate limiter's tests count them, and it costs nothing.
 */
export const passwordChecks = { count: 0 };

/** Constant-time verification; a malformed stored hash counts as a mismatch. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  passwordChecks.count++;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;
/**
 * Spends the same time as a real verification, for unknown users: the login
 * must not reveal which user names exist through its timing.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword('not-a-real-password-placeholder');
  const stored = await dummy;
  await verifyPassword(stored, password);
}
