/**
 * The engine's result store: earlier results, user edits and the agents'
 * caches from PostgreSQL; results and artifacts written only while the image
 * still exists (a write for a deleted image answers false and the round stops).
 */
import type { DatabasePool } from 'slonik';
import type { Facts, Json } from '../../../agents/sdk/index.ts';
import { cacheGet, cacheSet, loadResults, upsertDerived, writeResult } from '../../db/results.ts';
import { loadUserEdits } from '../../db/edits.ts';
import type { StorageBackend } from '../../storage/StorageBackend.ts';
import type { ResultStore } from './round.ts';

const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/png': 'png', 'image/svg+xml': 'svg', 'application/json': 'json' };

export function dbResultStore(db: DatabasePool, derived: StorageBackend, imageId: string): ResultStore {
  return {
    async previous() {
      return new Map((await loadResults(db, imageId)).map((r) => [`${r.agent}/${r.stage}`, r]));
    },
    async userEdits() {
      return ((await loadUserEdits(db, imageId)) as Facts | null) ?? null;
    },
    write: (s) => writeResult(db, { ...s, imageId }),
    async artifact(a) {
      const key = `${imageId.slice(0, 2)}/${imageId}/${a.agent}-${a.name}-${a.inputHash.slice(0, 12)}.${EXT[a.contentType] ?? 'bin'}`;
      await derived.write(key, a.data, { contentType: a.contentType });
      if (await upsertDerived(db, { imageId, name: a.name, key, contentType: a.contentType, size: a.data.byteLength })) return true;
      await derived.delete(key);
      return false;
    },
    cache: (agent) => ({
      get: async (k) => (await cacheGet(db, agent, k)) as Json | undefined,
      set: (k, v, o) => cacheSet(db, agent, k, v, o?.ttlSeconds),
    }),
  };
}
