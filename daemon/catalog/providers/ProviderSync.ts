/**
 * What every provider does against the database: record changed files, remove
 * vanished ones, and reconcile a full listing. Shared by the local, S3 and
 * upload providers.
 */
import type { DatabasePool } from 'slonik';
import type { Logger } from '../../log.ts';
import { knownFingerprints, removeFiles, setProviderState, upsertFiles, type FileRecordInput } from '../../db/files.ts';
import type { StorageBackend, StorageEntry } from '../../storage/StorageBackend.ts';
import type { ReconcileReport } from './ImageProvider.ts';

const BATCH = 500;

export class ProviderSync {
  constructor(
    private readonly options: {
      db: DatabasePool;
      name: string;
      storage: StorageBackend;
      log: Logger;
      /** called after records became due (to wake processing loops) */
      onDue?: () => void;
      /** files modified more recently than this are left for the next pass (still being written) */
      stableMs?: number;
      /** keys to ignore (e.g. hidden and temporary files) */
      ignore?: (key: string) => boolean;
    },
  ) {}

  get name(): string {
    return this.options.name;
  }

  private toInput(e: StorageEntry): FileRecordInput {
    return { key: e.key, size: e.size, modifiedAt: e.modifiedAt, fingerprint: e.fingerprint };
  }

  async upsert(entries: StorageEntry[]): Promise<{ id: string; key: string }[]> {
    const { db, name, storage, log } = this.options;
    const kept = entries.filter((e) => !this.options.ignore?.(e.key));
    const changed: { id: string; key: string }[] = [];
    for (let i = 0; i < kept.length; i += BATCH) {
      changed.push(...(await upsertFiles(db, name, storage.uri, kept.slice(i, i + BATCH).map((e) => this.toInput(e)))));
    }
    if (changed.length) {
      log.debug({ count: changed.length }, 'files changed');
      this.options.onDue?.();
    }
    return changed;
  }

  async remove(keys: string[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < keys.length; i += BATCH) n += await removeFiles(this.options.db, this.options.name, keys.slice(i, i + BATCH));
    if (n) this.options.log.info({ count: n }, 'files removed');
    return n;
  }

  async reconcile(): Promise<ReconcileReport> {
    const { db, name, storage, log } = this.options;
    const started = Date.now();
    const known = await knownFingerprints(db, name);
    const seen = new Set<string>();
    const stableBefore = Date.now() - (this.options.stableMs ?? 0);
    let pending: StorageEntry[] = [];
    let listed = 0;
    let changed = 0;
    let skippedUnstable = 0;
    for await (const e of storage.list()) {
      if (this.options.ignore?.(e.key)) continue;
      listed++;
      seen.add(e.key);
      if (known.get(e.key) === e.fingerprint) continue;
      if (this.options.stableMs && e.modifiedAt && e.modifiedAt.getTime() > stableBefore) {
        skippedUnstable++;
        continue;
      }
      pending.push(e);
      if (pending.length >= BATCH) {
        changed += (await this.upsert(pending)).length;
        pending = [];
      }
    }
    changed += (await this.upsert(pending)).length;
    const gone = [...known.keys()].filter((k) => !seen.has(k));
    const removed = await this.remove(gone);
    const report = { listed, changed, removed, skippedUnstable, durationMs: Date.now() - started };
    await setProviderState(db, name, { lastReconcile: new Date().toISOString(), ...report, lastError: null });
    log.info(report, 'reconciled');
    return report;
  }
}
