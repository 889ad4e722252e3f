/**
 * Local filesystem storage under one root folder. Symlinks that lead out of
 * the root are refused (realpath check), as are keys with "..".
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, opendir, realpath, rename, rm, stat, access } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../errors.ts';
import { normalizeKey } from './keys.ts';
import type { StorageBackend, StorageEntry } from './StorageBackend.ts';

export class LocalStorage implements StorageBackend {
  readonly kind = 'local' as const;
  readonly root: string;
  readonly uri: string;
  /** names skipped when listing (temporary files of writers, OS litter) */
  static readonly IGNORED = /(^|\/)(\.|~\$|Thumbs\.db$|desktop\.ini$)|\.(part|tmp|crdownload|partial)$/i;

  constructor(options: { root: string }) {
    this.root = resolve(options.root);
    this.uri = pathToFileURL(this.root + sep).href;
  }

  private path(key: string): string {
    return join(this.root, normalizeKey(key));
  }

  /** Resolves symlinks and refuses anything that ends up outside the root. */
  private async confined(key: string): Promise<string> {
    const p = this.path(key);
    const real = await realpath(p);
    const rootReal = await realpath(this.root);
    if (real !== rootReal && !real.startsWith(rootReal + sep)) throw new InvalidInputError(`"${key}" leads outside the storage root`);
    return real;
  }

  async ensureRoot(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  entry(key: string, st: { size: number; mtimeMs: number; mtime: Date }): StorageEntry {
    return { key, size: st.size, modifiedAt: st.mtime, fingerprint: `${st.size}:${Math.round(st.mtimeMs)}` };
  }

  async *list(prefix = ''): AsyncIterable<StorageEntry> {
    const start = prefix ? this.path(prefix) : this.root;
    const rootReal = await realpath(this.root).catch(() => null);
    if (!rootReal) return;
    const stack = [start];
    while (stack.length) {
      const dir = stack.pop()!;
      let handle;
      try {
        handle = await opendir(dir);
      } catch {
        continue; // vanished or unreadable folder
      }
      for await (const d of handle) {
        const full = join(dir, d.name);
        const key = relative(this.root, full).split(sep).join('/');
        if (LocalStorage.IGNORED.test(key)) continue;
        if (d.isDirectory()) stack.push(full);
        else if (d.isFile() || d.isSymbolicLink()) {
          try {
            const real = await realpath(full);
            if (!real.startsWith(rootReal + sep)) continue; // symlink escape
            const st = await stat(real);
            if (st.isFile()) yield this.entry(key, st);
            else if (st.isDirectory() && d.isSymbolicLink()) continue; // no following linked folders (loops)
          } catch {
            continue;
          }
        }
      }
    }
  }

  async stat(key: string): Promise<StorageEntry | null> {
    try {
      const st = await stat(await this.confined(key));
      return st.isFile() ? this.entry(normalizeKey(key), st) : null;
    } catch (err) {
      if (err instanceof InvalidInputError) throw err;
      return null;
    }
  }

  async read(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    const p = await this.confined(key);
    return createReadStream(p, range ? { start: range.start, end: range.end } : {});
  }

  async write(key: string, body: Readable | Uint8Array, _options?: { contentType?: string }): Promise<StorageEntry> {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    // write to a temporary name first, then rename: readers never see half a file
    const tmp = join(dirname(p), `.${randomUUID()}.part`);
    try {
      await pipeline(body instanceof Uint8Array ? Readable.from([body]) : body, createWriteStream(tmp));
      await rename(tmp, p);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    const st = await stat(p);
    return this.entry(normalizeKey(key), st);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  localPath(key: string): string {
    return this.path(key);
  }

  async check(): Promise<void> {
    await access(this.root);
  }
}
