/**
 * Names and rotation of the dumps in the backup folder. Rotation touches only
 * files named like the ones `sidereal backup` writes, so a backup folder shared
 * with other files (or safety dumps taken before a restore) is safe.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const ROTATED = /^sidereal-(\d{8})-(\d{6})(?:-(\d+))?\.dump$/;

/** `sidereal-20250102-030405.dump` (UTC, so names sort by time). */
export function backupFileName(date: Date, prefix = 'sidereal'): string {
  const iso = date.toISOString(); // 2025-01-02T03:04:05.678Z
  return `${prefix}-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}.dump`;
}

/** True for the files rotation may delete. */
export function isRotatedBackup(name: string): boolean {
  return ROTATED.test(name);
}

/** Rotated backups in `dir`, oldest first. */
export async function listBackups(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const key = (n: string) => {
    const m = ROTATED.exec(n)!;
    return `${m[1]}${m[2]}${(m[3] ?? '0').padStart(6, '0')}`;
  };
  return names.filter(isRotatedBackup).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Deletes all but the `keep` newest rotated backups (keep 0: delete nothing); returns the deleted names. */
export async function rotateBackups(dir: string, keep: number): Promise<string[]> {
  if (keep <= 0) return [];
  const all = await listBackups(dir);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const name of old) await rm(join(dir, name), { force: true });
  return old;
}
