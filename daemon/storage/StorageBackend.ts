/**
 * One interface for every place files live (local folders, S3 buckets).
 * Keys are relative, use forward slashes, and are confined to the backend's
 * root (see keys.ts).
 */
import type { Readable } from 'node:stream';

export interface StorageEntry {
  key: string;
  size: number;
  modifiedAt: Date | null;
  /** changes whenever the content changes: "size:mtimeMs" locally, the ETag on S3 */
  fingerprint: string;
}

export interface StorageBackend {
  /** a URI naming the root: file:///abs/dir/ or s3://bucket/prefix/ */
  readonly uri: string;
  readonly kind: 'local' | 's3';
  list(prefix?: string): AsyncIterable<StorageEntry>;
  stat(key: string): Promise<StorageEntry | null>;
  /** reads the object, or the byte range [start, end] (inclusive end, like HTTP ranges) */
  read(key: string, range?: { start: number; end?: number }): Promise<Readable>;
  write(key: string, body: Readable | Uint8Array, options?: { contentType?: string }): Promise<StorageEntry>;
  delete(key: string): Promise<void>;
  /** the path of the object on this machine, when there is one */
  localPath(key: string): string | null;
  /** a quick check for /status */
  check(): Promise<void>;
  /**
   * Identity of the root folder ("device:inode"), for backends where a root
   * can be replaced by another folder of the same name (an unmounted NAS
   * leaves its empty mount point). Throws StorageUnavailableError when the
   * root is missing or not a readable folder. Absent on S3.
   */
  rootIdentity?(): Promise<string>;
}

/** The storage root cannot be seen at all (missing, unmounted, unreadable, listing refused). */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/**
 * Thrown by `list()` after every readable entry has been yielded, when some
 * folders or files could not be read: the listing is incomplete, so nothing
 * it did not show may be taken as deleted.
 */
export class IncompleteListingError extends Error {
  constructor(readonly unreadable: { path: string; error: string }[]) {
    super(`${unreadable.length} unreadable path${unreadable.length === 1 ? '' : 's'} in the listing, e.g. ${unreadable[0]?.path}: ${unreadable[0]?.error}`);
    this.name = 'IncompleteListingError';
  }
}
