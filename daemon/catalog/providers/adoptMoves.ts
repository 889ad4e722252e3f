/**
 * Moves keep identity: a new file whose content (size, then sha256) equals a
 * parked row's (a file that vanished within the move window, from any
 * provider) takes that row over instead of becoming a new image. Only files
 * whose size matches a parked row are hashed, so an ordinary import reads
 * nothing here; an upload passes the sha256 it computed while streaming.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { adoptParked, parkedWithSizes } from '../../db/identity.ts';
import type { Logger } from '../../log.ts';
import type { StorageBackend, StorageEntry } from '../../storage/StorageBackend.ts';

export type ContentEntry = StorageEntry & { sha256?: string };

/** sha256 (hex) of a stored file, streamed. */
export async function sha256Of(storage: StorageBackend, key: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(await storage.read(key), h);
  return h.digest('hex');
}

/**
 * Adopts parked rows for the entries that are moves. Returns the adopted
 * files (id, key) and the entries left to record as usual.
 */
export async function adoptMoves(p: {
  db: DatabasePool;
  provider: string;
  storage: StorageBackend;
  entries: ContentEntry[];
  log: Logger;
}): Promise<{ adopted: { id: string; key: string }[]; rest: ContentEntry[] }> {
  const { db, provider, storage, entries, log } = p;
  if (entries.length === 0) return { adopted: [], rest: [] };
  const parked = await parkedWithSizes(db, entries.map((e) => e.size));
  if (parked.length === 0) return { adopted: [], rest: entries };
  // a key that has a row already (changed, or a parked file back in its place) is no move
  const existing = new Set(
    await db.anyFirst(sql.type(z.object({ storage_key: z.string() }))`
      select storage_key from images_unprocessed where provider = ${provider} and storage_key = any(${sql.array(entries.map((e) => e.key), 'text')})`),
  );
  const taken = new Set<string>();
  const adopted: { id: string; key: string }[] = [];
  const rest: ContentEntry[] = [];
  for (const e of entries) {
    const candidates = existing.has(e.key) ? [] : parked.filter((r) => r.size_bytes === e.size && !taken.has(r.id));
    let sha = e.sha256 ?? null;
    if (candidates.length && !sha) {
      try {
        sha = await sha256Of(storage, e.key);
      } catch (err) {
        log.warn({ key: e.key, err }, 'cannot read the file to compare it with moved files; recorded as a new file');
      }
    }
    const match = sha ? candidates.find((r) => r.content_sha256 === sha) : undefined;
    if (match && (await adoptParked(db, match.id, { provider, key: e.key, locationUri: storage.uri + e.key, modifiedAt: e.modifiedAt, fingerprint: e.fingerprint }))) {
      taken.add(match.id);
      adopted.push({ id: match.id, key: e.key });
      log.info({ imageId: match.id, key: e.key }, 'file moved: the image keeps its identity');
      continue;
    }
    rest.push(e);
  }
  return { adopted, rest };
}
