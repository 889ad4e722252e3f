/**
 * Storage keys: relative, forward slashes, no empty, "." or ".." segments,
 * no NUL. Every backend passes keys through normalizeKey before use, so a key
 * can never name anything outside the backend's root.
 */
import { InvalidInputError } from '../errors.ts';

export function normalizeKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidInputError('empty storage key');
  if (key.includes('\0')) throw new InvalidInputError('storage key contains NUL');
  const parts = key.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw new InvalidInputError(`invalid storage key "${key}"`);
  if (parts.some((p) => p === '..')) throw new InvalidInputError(`storage key escapes its root: "${key}"`);
  return parts.join('/');
}
