/**
 * The upload provider's side of an upload: names made safe, and all or
 * nothing. Each file of a request is written under a hidden staging folder
 * (`.staging/<batch>/`, which listings and the watcher ignore); only when every
 * file has arrived are they moved to their final keys together. Any failure
 * (a file over the size limit, an unsupported name, a broken connection)
 * removes every file of the request.
 */
import { Transform, pipeline, type Readable } from 'node:stream';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StorageBackend, StorageEntry } from '../../storage/StorageBackend.ts';
import { IMAGE_EXTENSIONS } from './imageFiles.ts';

/** Longest stored file name, in UTF-8 bytes (file systems allow 255; the key adds a unique prefix). */
export const UPLOAD_NAME_MAX_BYTES = 180;

const EXT = new RegExp(`\\.(${[...IMAGE_EXTENSIONS].sort((a, b) => b.length - a.length).map((e) => e.replace('.', '\\.')).join('|')})$`, 'i');

/**
 * The stored name of an uploaded file: the last path segment, Unicode NFC,
 * control characters removed, characters that file systems or shares refuse
 * (`/ \ : * ? " < > |`) and other white space than a plain space replaced by
 * `_`, no leading dots, at most UPLOAD_NAME_MAX_BYTES bytes with the extension
 * kept; a name with no stem (".fits") gets a generated one ("upload-1a2b3c4d.fits").
 */
export function normalizeUploadName(name: string): string {
  const base = (name.replace(/\\/g, '/').split('/').pop() ?? '').normalize('NFC');
  const clean = (t: string) => t.replace(/[\p{Cc}\p{Cf}]/gu, '').replace(/[/\\:*?"<>|]|[^\S ]/gu, '_');
  const m = EXT.exec(base) ?? /\.[\p{L}\p{N}]{1,10}$/u.exec(base);
  const ext = m ? clean(m[0]) : '';
  let stem = clean(m ? base.slice(0, m.index) : base)
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  const chars = Array.from(stem);
  while (chars.length && Buffer.byteLength(chars.join('') + ext) > UPLOAD_NAME_MAX_BYTES) chars.pop();
  stem = chars.join('').replace(/[.\s]+$/, '');
  if (!stem) stem = `upload-${randomUUID().slice(0, 8)}`;
  return stem + ext;
}

export interface StagedFile {
  /** the name as sent by the client */
  originalName: string;
  key: string;
  stagedKey: string;
  /** sha256 (hex) of the content, computed while it was written */
  sha256: string;
}

export class UploadBatch {
  readonly id = randomUUID();
  private readonly staged: StagedFile[] = [];
  private readonly committed: string[] = [];

  constructor(private readonly storage: StorageBackend) {}

  private get stagingPrefix(): string {
    return `.staging/${this.id}`;
  }

  /** The final key of a file: uploads/YYYY/MM/DD/<unique>-<normalized name>. */
  static keyFor(fileName: string, now = new Date()): string {
    const d = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;
    return `${d}/${randomUUID().slice(0, 8)}-${normalizeUploadName(fileName)}`;
  }

  /** Writes one file to the staging area (streamed), hashing it on the way (no second read). */
  async stage(fileName: string, body: Readable): Promise<StorageEntry & StagedFile> {
    const file: StagedFile = { originalName: fileName, key: UploadBatch.keyFor(fileName), stagedKey: `${this.stagingPrefix}/${this.staged.length}`, sha256: '' };
    this.staged.push(file);
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // an error of the body (a broken connection) fails the write too
    pipeline(body, tap, () => {});
    const entry = await this.storage.write(file.stagedKey, tap);
    file.sha256 = hash.digest('hex');
    return { ...entry, ...file };
  }

  /** Leaves a staged file out of the batch (its content is in the catalog already). */
  async discard(stagedKey: string): Promise<void> {
    const i = this.staged.findIndex((f) => f.stagedKey === stagedKey);
    if (i < 0) return;
    this.staged.splice(i, 1);
    await this.storage.delete(stagedKey).catch(() => undefined);
  }

  /** The staged files, in order (with their content hashes). */
  get files(): readonly StagedFile[] {
    return this.staged;
  }

  /** Moves every staged file to its final key; on a failure, nothing stays. */
  async commit(): Promise<(StorageEntry & { sha256: string })[]> {
    const out: (StorageEntry & { sha256: string })[] = [];
    try {
      for (const f of this.staged) {
        await this.move(f.stagedKey, f.key);
        this.committed.push(f.key);
        const st = await this.storage.stat(f.key);
        if (!st) throw new Error(`upload ${f.key} vanished while being committed`);
        out.push({ ...st, sha256: f.sha256 });
      }
    } catch (err) {
      await this.abort();
      throw err;
    }
    await this.cleanStaging();
    return out;
  }

  /** Removes every file of the batch, staged or already moved. */
  async abort(): Promise<void> {
    for (const key of [...this.committed, ...this.staged.map((f) => f.stagedKey)]) await this.storage.delete(key).catch(() => undefined);
    await this.cleanStaging();
  }

  private async move(from: string, to: string): Promise<void> {
    const src = this.storage.localPath(from);
    const dst = this.storage.localPath(to);
    if (src && dst) {
      await mkdir(dirname(dst), { recursive: true });
      await rename(src, dst);
      return;
    }
    await this.storage.write(to, await this.storage.read(from));
    await this.storage.delete(from);
  }

  /** Removes staging folders left by a crash (older than `olderThanMs`); local storage only. */
  static async sweep(storage: StorageBackend, olderThanMs = 86_400_000): Promise<void> {
    const root = storage.localPath('.staging');
    if (!root) return;
    for (const name of await readdir(root).catch(() => [] as string[])) {
      const dir = join(root, name);
      const st = await stat(dir).catch(() => null);
      if (st && Date.now() - st.mtimeMs > olderThanMs) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async cleanStaging(): Promise<void> {
    const dir = this.storage.localPath(this.stagingPrefix);
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
