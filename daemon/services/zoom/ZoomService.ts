/**
 * Deep zoom for the image viewer: a full-resolution, stretched rendition of
 * the file cut into tiles (a Deep Zoom pyramid), made on demand the first time
 * someone opens the viewer and kept as a derived file ("zoom", one ZIP per
 * image) until the file changes. Tiles are read from the archive by byte range.
 *
 * Rendering runs in a worker thread of its own, one image at a time, so the
 * web process stays responsive; concurrent requests for the same image share
 * one rendering. The archive is tied to the preview it was made beside: when
 * the preview agent renders the file again (new content, new settings), the
 * next request renders a new pyramid and the old archive is deleted by the
 * derived-file janitor.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import type { DatabasePool } from 'slonik';
import { upsertDerived } from '../../db/results.ts';
import { loadZoomSource } from '../../db/zoom.ts';
import { NotFoundError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { StorageBackend } from '../../storage/StorageBackend.ts';
import { readZipEntry, readZipIndex, type RangeReader, type ZipEntry } from './zipIndex.ts';

export interface ZoomServiceOptions {
  db: DatabasePool;
  derived: StorageBackend;
  /** provider name → its storage (to read the original file) */
  storages: ReadonlyMap<string, StorageBackend>;
  tmpDir: string;
  log: Logger;
  /** V8 heap of the rendering thread, MB */
  memoryMb?: number;
}

export type ZoomDescriptor =
  | { status: 'ready'; width: number; height: number; tileSize: number; overlap: number; format: string }
  | { status: 'rendering' }
  | { status: 'failed'; message: string };

interface Archive {
  key: string;
  entries: Map<string, ZipEntry>;
  base: string;
  width: number;
  height: number;
  tileSize: number;
  overlap: number;
  format: string;
}

/** How long a failed rendering is remembered before it is tried again. */
const FAILURE_MEMORY_MS = 10 * 60 * 1000;
/** Archive indexes kept in memory (central directories: a few hundred kB for the largest). */
const INDEX_CACHE = 32;

export class ZoomService {
  private readonly rendering = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, { message: string; at: number }>();
  private readonly archives = new Map<string, Archive>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: ZoomServiceOptions) {}

  /** The pyramid's geometry when it is there; otherwise starts rendering it and says so. */
  async descriptor(id: string): Promise<ZoomDescriptor> {
    const source = await this.source(id);
    const key = zoomKey(id, source.preview_key);
    if (source.zoom_key === key && source.zoom_size !== null) {
      const a = await this.archive(key, source.zoom_size);
      return { status: 'ready', width: a.width, height: a.height, tileSize: a.tileSize, overlap: a.overlap, format: a.format };
    }
    const failed = this.failures.get(key);
    if (failed && Date.now() - failed.at < FAILURE_MEMORY_MS) return { status: 'failed', message: failed.message };
    if (!this.rendering.has(key)) {
      const job = this.enqueue(() => this.render(id, key, source))
        .catch((err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          this.failures.set(key, { message, at: Date.now() });
          this.o.log.warn({ err, image: id }, 'deep zoom rendering failed');
        })
        .finally(() => this.rendering.delete(key));
      this.rendering.set(key, job);
    }
    return { status: 'rendering' };
  }

  /** Waits for a rendering started by `descriptor` (tests, and callers that can wait). */
  async settled(id: string): Promise<ZoomDescriptor> {
    const first = await this.descriptor(id);
    if (first.status !== 'rendering') return first;
    const source = await this.source(id);
    await this.rendering.get(zoomKey(id, source.preview_key));
    return this.descriptor(id);
  }

  /** One tile (JPEG bytes) of the current pyramid. */
  async tile(id: string, level: number, col: number, row: number): Promise<{ data: Buffer; etag: string; contentType: string }> {
    const source = await this.source(id);
    const key = zoomKey(id, source.preview_key);
    if (source.zoom_key !== key || source.zoom_size === null) throw new NotFoundError('no deep zoom for this image yet');
    const a = await this.archive(key, source.zoom_size);
    const name = `${a.base}_files/${level}/${col}_${row}.${a.format}`;
    const entry = a.entries.get(name);
    if (!entry) throw new NotFoundError('no such tile');
    const data = await readZipEntry(this.reader(key), entry);
    return { data, etag: `"${key.split('/').pop()}-${level}-${col}-${row}"`, contentType: a.format === 'png' ? 'image/png' : 'image/jpeg' };
  }

  private async source(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('no such image');
    const source = await loadZoomSource(this.o.db, id);
    if (!source) throw new NotFoundError('no such image');
    if (!source.preview_key) throw new NotFoundError('this image has no preview (yet): nothing to zoom into');
    return source;
  }

  /** One rendering at a time: a full-resolution frame takes hundreds of MB while it is cut. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async render(id: string, key: string, source: NonNullable<Awaited<ReturnType<typeof loadZoomSource>>>): Promise<void> {
    const storage = this.o.storages.get(source.provider);
    if (!storage) throw new Error(`the storage of provider "${source.provider}" is not configured on this host`);
    const started = Date.now();
    let path = storage.localPath(source.storage_key);
    let cleanup = async () => {};
    if (!path) {
      await mkdir(this.o.tmpDir, { recursive: true });
      const tmp = join(this.o.tmpDir, `zoom-${id}`);
      await streamPipeline(await storage.read(source.storage_key), createWriteStream(tmp));
      path = tmp;
      cleanup = () => rm(tmp, { force: true });
    }
    try {
      const out = await this.runWorker(path, source.linear);
      await this.o.derived.write(key, out.zip, { contentType: 'application/zip' });
      if (!(await upsertDerived(this.o.db, { imageId: id, name: 'zoom', key, contentType: 'application/zip', size: out.zip.byteLength }))) {
        await this.o.derived.delete(key); // the image went away meanwhile
        return;
      }
      this.o.log.info({ image: id, width: out.width, height: out.height, bytes: out.zip.byteLength, ms: Date.now() - started }, 'deep zoom rendered');
    } finally {
      await cleanup();
    }
  }

  private runWorker(path: string, linear: boolean | null): Promise<{ zip: Uint8Array; width: number; height: number }> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./zoomWorker.mjs', import.meta.url), {
        workerData: { path, options: { linear: linear ?? undefined } },
        resourceLimits: { maxOldGenerationSizeMb: this.o.memoryMb ?? 512 },
      });
      let done = false;
      worker.once('message', (m: { ok: boolean; zip?: Uint8Array; width?: number; height?: number; message?: string }) => {
        done = true;
        if (m.ok) resolve({ zip: m.zip!, width: m.width!, height: m.height! });
        else reject(new Error(m.message ?? 'rendering failed'));
        void worker.terminate();
      });
      worker.once('error', (err) => {
        done = true;
        reject(err);
      });
      worker.once('exit', (code) => {
        if (!done) reject(new Error(`the rendering thread stopped (exit code ${code})`));
      });
    });
  }

  private reader(key: string): RangeReader {
    return async (offset, length) => {
      if (length <= 0) return Buffer.alloc(0);
      const chunks: Buffer[] = [];
      for await (const c of await this.o.derived.read(key, { start: offset, end: offset + length - 1 })) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
  }

  private async archive(key: string, size: number): Promise<Archive> {
    const cached = this.archives.get(key);
    if (cached) {
      // most recently used last
      this.archives.delete(key);
      this.archives.set(key, cached);
      return cached;
    }
    const read = this.reader(key);
    const entries = await readZipIndex(read, size);
    const dziName = [...entries.keys()].find((n) => n.endsWith('.dzi') && !n.includes('/'));
    if (!dziName) throw new Error('the deep-zoom archive has no descriptor');
    const dzi = (await readZipEntry(read, entries.get(dziName)!)).toString('utf8');
    const attr = (name: string) => new RegExp(`${name}="([^"]+)"`).exec(dzi)?.[1];
    const archive: Archive = {
      key,
      entries,
      base: dziName.slice(0, -4),
      width: Number(attr('Width')),
      height: Number(attr('Height')),
      tileSize: Number(attr('TileSize')),
      overlap: Number(attr('Overlap') ?? 0),
      format: attr('Format') ?? 'jpeg',
    };
    this.archives.set(key, archive);
    if (this.archives.size > INDEX_CACHE) this.archives.delete(this.archives.keys().next().value!);
    return archive;
  }
}

/** The archive's key: tied to the preview it was rendered beside (its content hash is in the preview's key). */
export function zoomKey(id: string, previewKey: string | null): string {
  const tag = (previewKey ?? 'none').split('/').pop()!.replace(/\.[a-z0-9]+$/i, '').replace(/[^\w-]/g, '').slice(-24);
  return `${id.slice(0, 2)}/${id}/zoom-${tag}.zip`;
}
