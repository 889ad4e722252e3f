/**
 * An S3 bucket/prefix, polled: each pass lists the objects and compares ETags
 * with the database (S3 has no portable change notification).
 */
import type { DatabasePool } from 'slonik';
import type { Logger } from '../../log.ts';
import { S3Storage, type S3StorageOptions } from '../../storage/S3Storage.ts';
import type { ImageProvider, ReconcileReport } from './ImageProvider.ts';
import { ProviderSync } from './ProviderSync.ts';
import { isImageFile } from './imageFiles.ts';
import { setProviderState } from '../../db/files.ts';
import { errorMessage } from '../../errors.ts';

export class S3Provider implements ImageProvider {
  readonly kind = 's3' as const;
  readonly name: string;
  readonly storage: S3Storage;
  readonly sync: ProviderSync;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReconcileReport> | null = null;

  constructor(private readonly options: { name: string; s3: S3StorageOptions; pollSeconds: number; db: DatabasePool; log: Logger; onDue?: () => void; moveWindowSeconds?: number; editRetentionDays?: number }) {
    this.name = options.name;
    this.storage = new S3Storage(options.s3);
    this.sync = new ProviderSync({ db: options.db, name: options.name, storage: this.storage, log: options.log, onDue: options.onDue,
      moveWindowSeconds: options.moveWindowSeconds,
      editRetentionDays: options.editRetentionDays,
      ignore: (k) => !isImageFile(k),
    });
  }

  async start(): Promise<void> {
    await this.reconcile().catch(() => {});
    this.timer = setInterval(() => void this.reconcile().catch(() => {}), this.options.pollSeconds * 1000);
    this.timer.unref();
  }

  reconcile(): Promise<ReconcileReport> {
    this.running ??= this.sync
      .reconcile()
      .catch(async (err) => {
        this.options.log.error({ err }, 'S3 reconcile failed');
        await setProviderState(this.options.db, this.name, { lastError: errorMessage(err) }).catch(() => {});
        throw err;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => {});
  }
}
