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

/** Makes a safe file name from an uploaded name (keeps letters, digits, . _ - and spaces). */
export function safeFileName(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  const cleaned = base.normalize('NFC').replace(/[^\p{L}\p{N}._\- ()+]/gu, '_').replace(/^\.+/, '').slice(0, 200);
  return cleaned || 'upload';
}
