/**
 * S3-compatible storage (AWS, MinIO, Garage, Ceph…) under a bucket and key
 * prefix. Checksums are computed only when required: several S3-compatible
 * servers store streamed uploads corrupted otherwise (see docs/storage.md).
 */
import { Readable } from 'node:stream';
import {
  S3Client,
  ListObjectsV2Command,
  HeadObjectCommand,
  GetObjectCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { normalizeKey } from './keys.ts';
import { StorageUnavailableError, type StorageBackend, type StorageEntry } from './StorageBackend.ts';

export interface S3StorageOptions {
  bucket: string;
  prefix?: string;
  endpoint?: string | null;
  region?: string;
  accessKeyId?: string | null;
  secretAccessKey?: string | null;
  forcePathStyle?: boolean;
}

export class S3Storage implements StorageBackend {
  readonly kind = 's3' as const;
  readonly uri: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    const p = (options.prefix ?? '').replace(/^\/+/, '');
    this.prefix = p && !p.endsWith('/') ? p + '/' : p;
    const endpointHost = options.endpoint ? new URL(options.endpoint).host : 'aws';
    this.uri = `s3://${endpointHost}/${this.bucket}/${this.prefix}`;
    const config: S3ClientConfig = {
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (options.endpoint) config.endpoint = options.endpoint;
    if (options.accessKeyId && options.secretAccessKey) {
      config.credentials = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
    }
    this.client = new S3Client(config);
  }

  private objectKey(key: string): string {
    return this.prefix + normalizeKey(key);
  }

  private static etag(e: string | undefined): string {
    return (e ?? '').replace(/"/g, '');
  }

  async *list(prefix = ''): AsyncIterable<StorageEntry> {
    let token: string | undefined;
    const full = this.prefix + (prefix ? normalizeKey(prefix) + '/' : '');
    do {
      let out;
      try {
        out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, ContinuationToken: token }));
      } catch (err) {
        // throttling, 5xx, auth, network: nothing can be concluded about what is not listed
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        throw new StorageUnavailableError(`S3 listing of ${this.uri} failed: ${(err as Error).name}${status ? ` (HTTP ${status})` : ''}: ${(err as Error).message}`, { cause: err });
      }
      for (const o of out.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue;
        const key = o.Key.slice(this.prefix.length);
        try {
          normalizeKey(key);
        } catch {
          continue; // keys with ".." segments are never exposed
        }
        yield { key, size: o.Size ?? 0, modifiedAt: o.LastModified ?? null, fingerprint: S3Storage.etag(o.ETag) || `${o.Size}:${o.LastModified?.getTime()}` };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async stat(key: string): Promise<StorageEntry | null> {
    try {
      const o = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { key: normalizeKey(key), size: o.ContentLength ?? 0, modifiedAt: o.LastModified ?? null, fingerprint: S3Storage.etag(o.ETag) };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (err as Error).name === 'NotFound' || (err as Error).name === 'NoSuchKey') return null;
      throw err;
    }
  }

  async read(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    const out = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
      }),
    );
    return out.Body as Readable;
  }

  async write(key: string, body: Readable | Uint8Array, options?: { contentType?: string }): Promise<StorageEntry> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.objectKey(key), Body: body, ContentType: options?.contentType },
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
    });
    await upload.done();
    const st = await this.stat(key);
    if (!st) throw new Error(`S3 object ${key} missing right after upload`);
    return st;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  localPath(): null {
    return null;
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }
}
