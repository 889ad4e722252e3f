/**
 * A watched drop folder: chokidar events (after the file has kept its size for
 * `stableMs`, so half-written files are not read) plus a periodic full
 * reconcile, because watchers miss events on NAS and network mounts.
 *
 * A root that is gone (unmounted, renamed) deletes nothing: watcher deletions
 * are applied only while the root is still the folder of the last complete
 * listing (ProviderSync.absenceIsTrustworthy), and the reconcile removes
 * nothing it could not see. A missing root is not re-created once files of
 * it are catalogued (that would hide an unmounted NAS behind an empty folder);
 * the watcher starts (again) after the next complete listing.
 *
 * A folder that appears is listed once its files can have settled: a watcher
 * sets up a new folder's own watch only after reading it, and files put into
 * it in between (a capture program that creates the night's folder and
 * writes, or a script that hard-links a night into place at once) raise no
 * event. The listing queues what it finds like watcher events, so known,
 * unchanged files cost a stat.
 */
import { watch, type FSWatcher } from 'chokidar';
import { relative, sep } from 'node:path';
import type { DatabasePool } from 'slonik';
import type { Logger } from '../../log.ts';
import { LocalStorage } from '../../storage/LocalStorage.ts';
import { errorMessage } from '../../errors.ts';
import { getProviderState, setProviderState } from '../../db/files.ts';
import type { ImageProvider, ReconcileReport } from './ImageProvider.ts';
import { ProviderSync } from './ProviderSync.ts';
import { isImageFile } from './imageFiles.ts';

export interface LocalFolderProviderOptions {
  name: string;
  root: string;
  db: DatabasePool;
  log: Logger;
  reconcileSeconds: number;
  stableMs: number;
  polling?: boolean;
  onDue?: () => void;
  kind?: 'local' | 'upload';
  /** the storage to watch (default: a LocalStorage on `root`); fault-injection tests pass a subclass */
  storage?: LocalStorage;
  /** see ProviderSync: parking of vanished files, and kept edits */
  moveWindowSeconds?: number;
  editRetentionDays?: number;
}

export class LocalFolderProvider implements ImageProvider {
  readonly name: string;
  readonly kind: 'local' | 'upload';
  readonly storage: LocalStorage;
  readonly sync: ProviderSync;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pending = new Map<string, 'upsert' | 'delete'>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** new folders waiting for their listing (folder key → timer) */
  private newFolders = new Map<string, NodeJS.Timeout>();
  private reconciling: Promise<ReconcileReport> | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: LocalFolderProviderOptions) {
    this.name = options.name;
    this.kind = options.kind ?? 'local';
    this.storage = options.storage ?? new LocalStorage({ root: options.root });
    this.sync = new ProviderSync({
      db: options.db,
      name: options.name,
      storage: this.storage,
      log: options.log,
      onDue: options.onDue,
      stableMs: options.stableMs,
      moveWindowSeconds: options.moveWindowSeconds,
      editRetentionDays: options.editRetentionDays,
      ignore: (k) => LocalStorage.IGNORED.test(k) || !isImageFile(k),
    });
  }

  async start(): Promise<void> {
    const { log } = this.options;
    // create the folder on first use (and always the upload folder), but never
    // re-create a root that has held catalogued files: it may be an unmounted NAS
    // (state unknown when the database does not answer: then never create the folder)
    const state = await getProviderState(this.options.db, this.name).catch(() => ({ rootIdentity: 'unknown' }));
    if (this.kind === 'upload' || !state.rootIdentity) await this.storage.ensureRoot();
    // watch first, so that nothing written during the first listing is missed
    const reachable = await this.storage.rootIdentity().then(() => true, () => false);
    if (reachable) await this.startWatcher();
    await this.reconcile().catch((err) => log.error({ err }, 'initial reconcile failed'));
    this.timer = setInterval(() => void this.reconcile().catch(() => {}), this.options.reconcileSeconds * 1000);
    this.timer.unref();
    log.info({ root: this.storage.root, degraded: this.sync.degraded ?? undefined }, 'watching drop folder');
  }

  private async startWatcher(): Promise<void> {
    const { log, stableMs } = this.options;
    const watcher = watch(this.storage.root, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      usePolling: this.options.polling ?? false,
      interval: 2000,
      awaitWriteFinish: stableMs > 0 ? { stabilityThreshold: stableMs, pollInterval: Math.min(500, Math.max(50, stableMs / 4)) } : false,
      ignored: (p: string) => LocalStorage.IGNORED.test(p.split(sep).pop() ?? ''),
    });
    this.watcher = watcher;
    const queue = (type: 'upsert' | 'delete') => (path: string) => {
      const key = relative(this.storage.root, path).split(sep).join('/');
      if (key && !key.startsWith('..')) this.enqueue(key, type);
    };
    watcher.on('add', queue('upsert')).on('change', queue('upsert')).on('unlink', queue('delete'));
    watcher.on('addDir', (path: string) => {
      const key = relative(this.storage.root, path).split(sep).join('/');
      if (key && !key.startsWith('..')) this.scanFolderLater(key);
    });
    watcher.on('unlinkDir', () => void this.reconcile().catch(() => {}));
    watcher.on('error', (err) => log.warn({ err }, 'watcher error'));
    await new Promise<void>((r) => watcher.once('ready', () => r()));
  }

  /** A watcher event (or a listed file of a new folder), recorded in the next batch. */
  private enqueue(key: string, type: 'upsert' | 'delete'): void {
    this.pending.set(key, type);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }, 100);
  }

  /** Lists a new folder after `stableMs` (again while files in it are still being written). */
  private scanFolderLater(key: string, attempt = 0): void {
    clearTimeout(this.newFolders.get(key));
    const delay = Math.max(this.options.stableMs, 100) + 200;
    const timer = setTimeout(() => {
      this.newFolders.delete(key);
      void this.scanFolder(key, attempt).catch((err) => this.options.log.warn({ folder: key, err }, 'cannot list a new folder; the next reconcile will'));
    }, delay);
    timer.unref();
    this.newFolders.set(key, timer);
  }

  private async scanFolder(key: string, attempt: number): Promise<void> {
    if (!this.watcher) return;
    const stableBefore = Date.now() - this.options.stableMs;
    let unsettled = false;
    for await (const e of this.storage.list(key)) {
      if (!isImageFile(e.key)) continue;
      if (this.options.stableMs && e.modifiedAt && e.modifiedAt.getTime() > stableBefore) unsettled = true;
      else this.enqueue(e.key, 'upsert');
    }
    // files still being written: look once more when they can have settled (a few times, then the reconcile's turn)
    if (unsettled && attempt < 5) this.scanFolderLater(key, attempt + 1);
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    const upserts = [];
    const deletes: string[] = [];
    for (const [key, type] of batch) {
      if (type === 'delete') {
        deletes.push(key);
        continue;
      }
      try {
        const st = await this.storage.stat(key);
        if (st) upserts.push(st);
        else deletes.push(key);
      } catch (err) {
        this.options.log.warn({ key, err }, 'cannot stat file');
      }
    }
    try {
      // deletions first: a rename is a delete and an add, and the add must find the parked row (a move)
      if (deletes.length && !(await this.sync.absenceIsTrustworthy())) {
        // the root itself is gone or replaced (unmounted, renamed): these files were not deleted
        this.options.log.warn({ count: deletes.length }, 'files vanished with their storage root: nothing removed; checking the root');
        void this.reconcile().catch(() => {});
      } else await this.sync.remove(deletes);
      await this.sync.upsert(upserts);
    } catch (err) {
      this.options.log.error({ err }, 'recording file events failed; the next reconcile repairs it');
    }
  }

  reconcile(): Promise<ReconcileReport> {
    // one pass at a time; a caller during a pass gets that pass
    this.reconciling ??= this.sync
      .reconcile()
      .catch(async (err) => {
        await setProviderState(this.options.db, this.name, { lastError: errorMessage(err) }).catch(() => {});
        this.options.log.error({ err }, 'reconcile failed');
        throw err;
      })
      .then(async (report) => {
        if (report.degraded) {
          // the watcher of a vanished root watches nothing (or the wrong folder): drop it
          await this.stopWatcher();
        } else if (!this.watcher && this.timer) {
          // back after being degraded: watch again (start() starts the first watcher itself)
          await this.startWatcher().catch((err) => this.options.log.warn({ err }, 'cannot watch the folder'));
        }
        // files still being written were left out: look again once they can have settled
        if (report.skippedUnstable > 0 && this.watcher) {
          setTimeout(() => void this.reconcile().catch(() => {}), this.options.stableMs + 200).unref();
        }
        return report;
      })
      .finally(() => {
        this.reconciling = null;
      });
    return this.reconciling;
  }

  private async stopWatcher(): Promise<void> {
    const w = this.watcher;
    this.watcher = null;
    await w?.close();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const t of this.newFolders.values()) clearTimeout(t);
    this.newFolders.clear();
    await this.stopWatcher();
    await this.flushing;
  }
}
