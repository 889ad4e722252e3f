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
}
