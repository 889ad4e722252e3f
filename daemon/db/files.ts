/**
 * SQL of ingestion: what providers tell the database when files appear,
 * change or vanish. A change makes the image due (image_mark_due, reason 'file').
 */
import { sql, UniqueIntegrityConstraintViolationError, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { markImagesDue } from './imageState.ts';

export interface FileRecordInput {
  key: string;
  size: number;
  modifiedAt: Date | null;
  fingerprint: string;
}

export async function ensureProvider(db: DatabasePool, p: { name: string; kind: string; rootUri: string }): Promise<void> {
  await db.query(sql.unsafe`
    insert into providers (name, kind, root_uri) values (${p.name}, ${p.kind}, ${p.rootUri})
    on conflict (name) do update set kind = excluded.kind, root_uri = excluded.root_uri, updated_at = now()`);
}

export async function setProviderState(db: DatabasePool, name: string, state: Record<string, unknown>): Promise<void> {
  await db.query(sql.unsafe`update providers set state = state || ${sql.jsonb(state as never)}, updated_at = now() where name = ${name}`);
}

export async function getProviderState(db: DatabasePool, name: string): Promise<Record<string, unknown>> {
  const state = await db.maybeOneFirst(sql.type(z.object({ state: z.record(z.unknown()) }))`select state from providers where name = ${name}`);
  return state ?? {};
}

export class LocationClaimedError extends Error {
  constructor(readonly locationUri: string, cause: unknown) {
    super(`${locationUri} already belongs to another provider`, { cause });
    this.name = 'LocationClaimedError';
  }
}

/**
 * Inserts or updates file records in one statement. Unchanged fingerprints are
 * left alone (no generation bump, nothing becomes due). Returns ids of rows that
 * were inserted or changed.
 */
export async function upsertFiles(db: DatabasePool, provider: string, rootUri: string, files: FileRecordInput[]): Promise<{ id: string; key: string }[]> {
  if (files.length === 0) return [];
  try {
    // one transaction: a changed fingerprint and its due mark are written together
    const rows = await db.transaction(async (tx) => {
      const rows = await tx.any(sql.type(z.object({ id: z.string(), storage_key: z.string(), inserted: z.boolean() }))`
        insert into images_unprocessed (provider, storage_key, location_uri, size_bytes, modified_at, fingerprint, next_update_at)
        select ${provider}, f.key, ${rootUri} || f.key, f.size, f.modified, f.fp, now()
        from ${sql.unnest(
          files.map((f) => [f.key, f.size, f.modifiedAt ? f.modifiedAt.toISOString() : null, f.fingerprint]),
          ['text', 'int8', 'timestamptz', 'text'],
        )} as f(key, size, modified, fp)
        on conflict (provider, storage_key) do update set
          size_bytes = excluded.size_bytes, modified_at = excluded.modified_at, fingerprint = excluded.fingerprint, updated_at = now(),
          missing_since = null
        -- a parked row (db/identity.ts) whose file is back in its place is taken back too
        where images_unprocessed.fingerprint is distinct from excluded.fingerprint or images_unprocessed.missing_since is not null
        returning id, storage_key, (xmax = 0) as inserted`);
      // a new row is due from its insert (generation 1); a changed one goes through the one "make due"
      await markImagesDue(tx, rows.filter((r) => !r.inserted).map((r) => r.id), 'file');
      return rows;
    });
    return rows.map((r) => ({ id: r.id, key: r.storage_key }));
  } catch (err) {
    if (err instanceof UniqueIntegrityConstraintViolationError) {
      if (files.length === 1) throw new LocationClaimedError(rootUri + files[0]!.key, err);
      // one of the batch is claimed elsewhere: retry one by one to save the others
      const out: { id: string; key: string }[] = [];
      for (const f of files) {
        try {
          out.push(...(await upsertFiles(db, provider, rootUri, [f])));
        } catch (e) {
          if (!(e instanceof LocationClaimedError)) throw e;
        }
      }
      return out;
    }
    throw err;
  }
}

/** Eager delete (no parking, see identity.ts): the record, its results, links and final image go in one statement (cascades). */
export async function removeFiles(db: DatabasePool, provider: string, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const r = await db.query(sql.unsafe`
    delete from images_unprocessed where provider = ${provider} and storage_key = any(${sql.array(keys, 'text')})`);
  return r.rowCount;
}

export async function knownFingerprints(db: DatabasePool, provider: string): Promise<Map<string, string>> {
  const rows = await db.any(sql.type(z.object({ storage_key: z.string(), fingerprint: z.string() }))`
    select storage_key, fingerprint from images_unprocessed where provider = ${provider} and missing_since is null`);
  return new Map(rows.map((r) => [r.storage_key, r.fingerprint]));
}
