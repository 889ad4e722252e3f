/**
 * What every provider does against the database: record changed files, remove
 * vanished ones, and reconcile a full listing. Shared by the local, S3 and
 * upload providers.
 *
 * Deletions are only ever concluded from a listing that saw everything. A
 * provider whose storage cannot be seen, or only in part, is *degraded*: it
 * still adds and updates what it sees but removes nothing until a later pass
 * lists the whole storage again (see docs/storage.md, "Degraded storage"):
 *  - the root is missing or unreadable, or the S3 listing fails → degraded;
 *  - a folder or file under the root cannot be read (EIO, EACCES) → degraded;
 *  - the root lists no file at all while files of it are catalogued, and it is
 *    not the very folder (device and inode) of the last complete listing →
 *    degraded: that is what an unmounted NAS (an empty mount point) or a
 *    re-created folder looks like. It stays so until the root lists files
 *    again or an admin confirms that it is really empty
 *    (`sidereal storage confirm-empty <provider>`).
 */
import type { DatabasePool } from 'slonik';
import type { Logger } from '../../log.ts';
import { getProviderState, knownFingerprints, removeFiles, setProviderState, upsertFiles, type FileRecordInput } from '../../db/files.ts';
import { parkFiles, purgeParked, purgeRetainedEdits } from '../../db/identity.ts';
import { adoptMoves, type ContentEntry } from './adoptMoves.ts';
import { IncompleteListingError, StorageUnavailableError, type StorageBackend, type StorageEntry } from '../../storage/StorageBackend.ts';
import type { ReconcileReport } from './ImageProvider.ts';

const BATCH = 500;

export class ProviderSync {
  /** why the storage cannot be (fully) seen right now; null after a complete listing */
  degraded: string | null = null;
  /** identity of the root at the last complete listing (local folders) */
  private rootIdentity: string | null = null;

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
      /**
       * how long a vanished file's row stays parked, waiting for the same
       * content elsewhere (a move), before it is deleted; 0: deleted at once
       */
      moveWindowSeconds?: number;
      /** how long the edits of a really deleted file are kept by content */
      editRetentionDays?: number;
    },
  ) {}

  get name(): string {
    return this.options.name;
  }

  private toInput(e: StorageEntry): FileRecordInput {
    return { key: e.key, size: e.size, modifiedAt: e.modifiedAt, fingerprint: e.fingerprint };
  }

  /** Records new and changed files; a new file with the content of a parked row is that row, moved. */
  async upsert(entries: ContentEntry[]): Promise<{ id: string; key: string }[]> {
    const { db, name, storage, log } = this.options;
    const kept = entries.filter((e) => !this.options.ignore?.(e.key));
    const changed: { id: string; key: string }[] = [];
    for (let i = 0; i < kept.length; i += BATCH) {
      const { adopted, rest } = await adoptMoves({ db, provider: name, storage, entries: kept.slice(i, i + BATCH), log });
      changed.push(...adopted);
      changed.push(...(await upsertFiles(db, name, storage.uri, rest.map((e) => this.toInput(e)))));
    }
    if (changed.length) {
      log.debug({ count: changed.length }, 'files changed');
      this.options.onDue?.();
    }
    return changed;
  }

  /**
   * Files the storage really no longer has: parked for the move window (see
   * docs/storage.md), or deleted at once when the window is 0.
   */
  async remove(keys: string[]): Promise<number> {
    const { db, name, moveWindowSeconds = 0 } = this.options;
    let n = 0;
    for (let i = 0; i < keys.length; i += BATCH) {
      const part = keys.slice(i, i + BATCH);
      n += moveWindowSeconds > 0 ? await parkFiles(db, name, part, moveWindowSeconds) : await removeFiles(db, name, part);
    }
    if (n) this.options.log.info({ count: n }, 'files removed');
    return n;
  }

  /**
   * After a complete listing: parked rows whose window has passed are deleted
   * for real (their edits are kept by content), and kept edits older than the
   * retention are forgotten. Never while degraded.
   */
  private async purgeExpired(): Promise<void> {
    const { db, name, log, moveWindowSeconds = 0, editRetentionDays } = this.options;
    const purged = await purgeParked(db, name, moveWindowSeconds);
    if (purged) log.info({ count: purged }, 'moved-file window passed: files removed');
    if (editRetentionDays !== undefined) {
      const forgotten = await purgeRetainedEdits(db, editRetentionDays);
      if (forgotten) log.info({ count: forgotten }, 'kept edits of deleted files expired');
    }
  }

  /**
   * Whether a file missing from the storage right now may be taken as deleted
   * (watcher events): only while the provider is not degraded and the root is
   * still the folder of the last complete listing.
   */
  async absenceIsTrustworthy(): Promise<boolean> {
    if (this.degraded) return false;
    const { storage } = this.options;
    if (!storage.rootIdentity) return true;
    if (this.rootIdentity === null) return false; // no complete listing yet
    try {
      return (await storage.rootIdentity()) === this.rootIdentity;
    } catch {
      return false;
    }
  }

  private async degrade(reason: string, report: ReconcileReport): Promise<ReconcileReport> {
    const { db, name, log } = this.options;
    if (this.degraded !== reason) log.warn({ reason }, 'storage degraded: nothing is removed until a complete listing');
    this.degraded = reason;
    await setProviderState(db, name, { degraded: reason, degradedAt: new Date().toISOString(), lastError: null, lastListed: report.listed }).catch((err) =>
      log.warn({ err }, 'could not record the degraded state'),
    );
    return { ...report, degraded: reason };
  }

  async reconcile(): Promise<ReconcileReport> {
    const { db, name, storage, log } = this.options;
    const started = Date.now();
    const state = await getProviderState(db, name);
    const known = await knownFingerprints(db, name);
    const seen = new Set<string>();
    const stableBefore = Date.now() - (this.options.stableMs ?? 0);
    let pending: StorageEntry[] = [];
    const fresh: StorageEntry[] = [];
    let listed = 0;
    let changed = 0;
    let skippedUnstable = 0;
    let identity: string | null = null;
    let incomplete: IncompleteListingError | null = null;
    const report = (removed = 0) => ({ listed, changed, removed, skippedUnstable, durationMs: Date.now() - started });
    try {
      if (storage.rootIdentity) identity = await storage.rootIdentity();
      for await (const e of storage.list()) {
        if (this.options.ignore?.(e.key)) continue;
        listed++;
        seen.add(e.key);
        if (known.get(e.key) === e.fingerprint) continue;
        if (this.options.stableMs && e.modifiedAt && e.modifiedAt.getTime() > stableBefore) {
          skippedUnstable++;
          continue;
        }
        // new keys wait until the vanished ones are parked: a rename is both, and must be seen as a move
        if (!known.has(e.key) && known.size > 0 && this.options.moveWindowSeconds) {
          fresh.push(e);
          continue;
        }
        pending.push(e);
        if (pending.length >= BATCH) {
          changed += (await this.upsert(pending)).length;
          pending = [];
        }
      }
    } catch (err) {
      if (err instanceof IncompleteListingError) incomplete = err;
      else if (err instanceof StorageUnavailableError) {
        changed += (await this.upsert([...pending, ...fresh])).length;
        return this.degrade(err.message, report());
      } else throw err;
    }
    changed += (await this.upsert(pending)).length;
    if (incomplete) {
      changed += (await this.upsert(fresh)).length;
      return this.degrade(`incomplete listing: ${incomplete.message}`, report());
    }
    const remembered = this.rootIdentity ?? (typeof state.rootIdentity === 'string' ? state.rootIdentity : null);
    if (listed === 0 && known.size > 0 && identity !== null && identity !== remembered && state.confirmEmpty !== true) {
      return this.degrade(
        `the storage root lists no files while ${known.size} of it are catalogued, and it is not the folder of the last complete listing (not mounted?); ` +
          `nothing is removed until it lists files again or an admin runs \`sidereal storage confirm-empty ${name}\``,
        report(),
      );
    }
    const gone = [...known.keys()].filter((k) => !seen.has(k));
    const removed = await this.remove(gone);
    changed += (await this.upsert(fresh)).length;
    await this.purgeExpired();
    const done = report(removed);
    await setProviderState(db, name, { lastReconcile: new Date().toISOString(), ...done, lastError: null, degraded: null, degradedAt: null, confirmEmpty: null, rootIdentity: identity });
    if (this.degraded) log.info('storage fully listed again: deletions resume');
    this.degraded = null;
    this.rootIdentity = identity;
    log.info(done, 'reconciled');
    return done;
  }
}
