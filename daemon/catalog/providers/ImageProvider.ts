/**
 * An image provider turns the files of one source into unprocessed image
 * records and keeps them in step with changes and deletions. Exactly one host
 * drives a provider at a time (see ProviderRunner); any host may read its
 * storage.
 */
import type { StorageBackend } from '../../storage/StorageBackend.ts';

export interface ImageProvider {
  readonly name: string;
  readonly kind: 'local' | 's3' | 'upload';
  readonly storage: StorageBackend;
  /** begin watching/polling; called on the host that holds the provider's lock */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** one full pass: list the storage, add/update what changed, remove what vanished */
  reconcile(): Promise<ReconcileReport>;
}

export interface ReconcileReport {
  listed: number;
  changed: number;
  removed: number;
  skippedUnstable: number;
  durationMs: number;
  /** set when (part of) the storage could not be seen: nothing was removed in this pass */
  degraded?: string;
}
