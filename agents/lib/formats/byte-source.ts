/**
 * Sequential byte sources over a local file, plain or gzip-compressed.
 *
 * The FITS reader walks HDUs front to back, so a forward-only reader with
 * `skip` is all it needs; for gzip a skip has to inflate and discard, which is
 * why both kinds sit behind one interface. Memory held is one chunk of the
 * underlying stream plus what the caller asked for.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { AgentError } from '../../sdk/index.ts';

export interface ByteSource {
  /** bytes consumed so far (uncompressed offset) */
  readonly position: number;
  /** total uncompressed size when known without reading everything (plain files) */
  readonly size: number | null;
  /**
   * reads up to n bytes; returns fewer only at the end of the data. With
   * `into` (at least n bytes long) the bytes land there and a view of it is
   * returned: a caller reading band after band reuses one buffer.
   */
  read(n: number, into?: Uint8Array): Promise<Uint8Array>;
  /** skips up to n bytes; returns how many were skipped */
  skip(n: number): Promise<number>;
  close(): Promise<void>;
}

/** Positioned reads are possible on plain files: used for random access (XISF, .fz heaps). */
export interface RandomAccessFile {
  readonly size: number;
  /** reads `length` bytes at `position` (fewer at the end of the file), into `into` when given */
  readAt(position: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

export async function openRandomAccess(path: string): Promise<RandomAccessFile> {
  const fh = await openOrThrow(path);
  const size = (await fh.stat()).size;
  return {
    size,
    async readAt(position: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
      const len = Math.max(0, Math.min(length, size - position));
      const buf = into && into.length >= len ? into.subarray(0, len) : new Uint8Array(len);
      let done = 0;
      while (done < len) {
        const { bytesRead } = await fh.read(buf, done, len - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === len ? buf : buf.subarray(0, done);
    },
    close: () => fh.close(),
  };
}

async function openOrThrow(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (cause) {
    throw new AgentError(`cannot open file: ${(cause as Error).message}`, { permanent: false, cause });
  }
}

/** Bytes already read from the start of a file (by format detection), reused to avoid a second open. */
export interface Prefetched {
  head: Uint8Array;
  size: number;
}

/**
 * A plain file read forwards; `skip` is a seek. With `prefetched`, reads inside
 * the head are served from memory and the file is opened only when needed.
 */
export async function openFileSource(path: string, start = 0, prefetched?: Prefetched): Promise<ByteSource> {
  let raf: RandomAccessFile | null = prefetched ? null : await openRandomAccess(path);
  const size = prefetched ? prefetched.size : raf!.size;
  let pos = start;
  return {
    get position() {
      return pos;
    },
    size,
    async read(n: number, into?: Uint8Array) {
      const len = Math.max(0, Math.min(n, size - pos));
      let out: Uint8Array;
      if (prefetched && pos + len <= prefetched.head.length) {
        out = prefetched.head.slice(pos, pos + len);
      } else {
        raf ??= await openRandomAccess(path);
        out = await raf.readAt(pos, len, into);
      }
      pos += out.length;
      return out;
    },
    async skip(n: number) {
      const k = Math.max(0, Math.min(n, size - pos));
      pos += k;
      return k;
    },
    close: async () => {
      await raf?.close();
    },
  };
}

/** A gzip file inflated as a stream (multi-member gzip is handled by zlib). */
export function openGzipSource(path: string): ByteSource {
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  file.on('error', (e) => gunzip.destroy(e));
  file.pipe(gunzip);
  const it = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // queue of inflated chunks not yet consumed; `head` is the offset into chunks[0]
  const chunks: Uint8Array[] = [];
  let head = 0;
  let buffered = 0;
  let ended = false;
  let pos = 0;

  async function more(): Promise<boolean> {
    if (ended) return false;
    try {
      const r = await it.next();
      if (r.done) {
        ended = true;
        return false;
      }
      chunks.push(r.value);
      buffered += r.value.length;
      return true;
    } catch (cause) {
      ended = true;
      throw new AgentError(`corrupt gzip data: ${(cause as Error).message}`, { cause });
    }
  }

  /** consumes k buffered bytes, copying them into `out` at `at` when given */
  function take(k: number, out?: Uint8Array, at = 0): void {
    while (k > 0) {
      const c = chunks[0]!;
      const n = Math.min(k, c.length - head);
      if (out) out.set(c.subarray(head, head + n), at);
      at += n;
      head += n;
      k -= n;
      buffered -= n;
      pos += n;
      if (head === c.length) {
        chunks.shift();
        head = 0;
      }
    }
  }

  return {
    get position() {
      return pos;
    },
    size: null,
    async read(n: number, into?: Uint8Array) {
      while (buffered < n && (await more()));
      const k = Math.min(n, buffered);
      const out = into && into.length >= k ? into.subarray(0, k) : new Uint8Array(k);
      take(k, out);
      return out;
    },
    async skip(n: number) {
      let left = n;
      while (left > 0) {
        if (buffered === 0 && !(await more())) break;
        const k = Math.min(left, buffered);
        take(k);
        left -= k;
      }
      return n - left;
    },
    async close() {
      ended = true;
      file.destroy();
      gunzip.destroy();
    },
  };
}
