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
import { IncompleteListingError, StorageUnavailableError, type StorageBackend, type StorageEntry } from './StorageBackend.ts';
import type { Dir } from 'node:fs';

/** errors of a path that is simply gone (deleted while we listed) or a symlink loop: not a fault of the storage */
const GONE = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);
const code = (err: unknown) => (err as NodeJS.ErrnoException)?.code ?? '';
const describe = (err: unknown) => (err as Error)?.message ?? String(err);

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

  /** Opens a folder for listing (a seam for fault-injection tests: a subclass may fail it, as a NAS does with EIO). */
  protected openFolder(path: string): Promise<Dir> {
    return opendir(path);
  }

  async rootIdentity(): Promise<string> {
    let st;
    try {
      st = await stat(this.root);
    } catch (err) {
      throw new StorageUnavailableError(`storage root ${this.root} cannot be reached: ${describe(err)}`, { cause: err });
    }
    if (!st.isDirectory()) throw new StorageUnavailableError(`storage root ${this.root} is not a folder`);
    return `${st.dev}:${st.ino}`;
  }

  /**
   * Every file under the root (or `prefix`). A missing or unreadable root
   * throws StorageUnavailableError before anything is yielded; folders or
   * files that cannot be read (EACCES, EIO, …) are skipped and reported at
   * the end as an IncompleteListingError, after everything readable.
   */
  async *list(prefix = ''): AsyncIterable<StorageEntry> {
    const start = prefix ? this.path(prefix) : this.root;
    const identity = await this.rootIdentity();
    const rootReal = await realpath(this.root).catch((err) => {
      throw new StorageUnavailableError(`storage root ${this.root} cannot be resolved: ${describe(err)}`, { cause: err });
    });
    const unreadable: { path: string; error: string }[] = [];
    const stack = [start];
    while (stack.length) {
      const dir = stack.pop()!;
      let handle;
      try {
        handle = await this.openFolder(dir);
      } catch (err) {
        if (dir === this.root) throw new StorageUnavailableError(`storage root ${this.root} cannot be read: ${describe(err)}`, { cause: err });
        // a folder deleted meanwhile is simply gone; any other failure hides files we cannot see
        if (!GONE.has(code(err))) unreadable.push({ path: relative(this.root, dir).split(sep).join('/') || '.', error: describe(err) });
        continue;
      }
      try {
        for await (const d of handle) {
          const full = join(dir, d.name);
          const key = relative(this.root, full).split(sep).join('/');
          if (LocalStorage.IGNORED.test(key)) continue;
          if (d.isDirectory()) stack.push(full);
          else if (d.isFile() || d.isSymbolicLink()) {
            let st;
            try {
              const real = await realpath(full);
              if (!real.startsWith(rootReal + sep)) continue; // symlink escape
              st = await stat(real);
            } catch (err) {
              // dangling symlinks and files deleted meanwhile are gone; an I/O or permission error is not
              if (!GONE.has(code(err))) unreadable.push({ path: key, error: describe(err) });
              continue;
            }
            if (st.isFile()) yield this.entry(key, st);
            // linked folders are not followed (loops)
          }
        }
      } catch (err) {
        // reading the folder failed part-way (EIO on a NAS)
        unreadable.push({ path: relative(this.root, dir).split(sep).join('/') || '.', error: describe(err) });
      }
    }
    // the root must still be the folder we started on (unmounted or renamed during the listing)
    if ((await this.rootIdentity()) !== identity) throw new StorageUnavailableError(`storage root ${this.root} was replaced during the listing (unmounted or renamed)`);
    if (unreadable.length) throw new IncompleteListingError(unreadable);
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
