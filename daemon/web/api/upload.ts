/**
 * Receiving a multipart upload: every file part is streamed to storage as it
 * arrives (never buffered whole). Shared by the API and the upload page.
 */
import Busboy from 'busboy';
import type Koa from 'koa';
import type { Services } from '../../services/index.ts';
import { safeEqual } from '../../auth/secrets.ts';
import { DomainError, ForbiddenError, InvalidInputError, errorMessage } from '../../errors.ts';
import type { ImageUpload } from '../../services/ImageService.ts';

export interface Uploaded {
  id: string;
  path: string;
  name: string;
  /** the content was catalogued already: this is that image, nothing was stored */
  existing: boolean;
}

/** Uploads running per user in this process (SIDEREAL_UPLOAD_CONCURRENCY). */
const running = new Map<string, number>();

/** Uploads a user is running in this process now. */
export function runningUploads(userId: string): number {
  return running.get(userId) ?? 0;
}

export class TooManyUploadsError extends DomainError {
  readonly retryAfterSeconds = 10;
  constructor(limit: number) {
    super(429, 'too-many-uploads', `at most ${limit} uploads at once per user: wait for one to finish`);
  }
}

/**
 * Receives a multipart upload, all or nothing: every file is staged as it
 * arrives, and only when the whole request has arrived without an error are
 * they all stored and catalogued; otherwise none is. File names are read as
 * UTF-8 and normalized (catalog/providers/uploadBatch.ts).
 */
export async function receiveUpload(ctx: Koa.Context, services: Services, limits: { maxBytes: number; concurrency?: number }): Promise<Uploaded[]> {
  if (!ctx.is('multipart/form-data')) throw new InvalidInputError('send the files as multipart/form-data');
  const who = String(ctx.state.actor?.id ?? ctx.ip);
  const limit = limits.concurrency ?? 4;
  if ((running.get(who) ?? 0) >= limit) {
    // the refused body is read and dropped: closing at once would reset a client still sending
    ctx.req.resume();
    throw new TooManyUploadsError(limit);
  }
  running.set(who, (running.get(who) ?? 0) + 1);
  const upload = services.images.beginUpload();
  try {
    await receiveFiles(ctx, upload, limits.maxBytes);
    const results = await upload.commit();
    if (!results.length) throw new InvalidInputError('no file in the upload');
    return results;
  } catch (err) {
    await upload.abort();
    throw err;
  } finally {
    const n = (running.get(who) ?? 1) - 1;
    if (n > 0) running.set(who, n);
    else running.delete(who);
  }
}

async function receiveFiles(ctx: Koa.Context, upload: ImageUpload, maxBytes: number): Promise<void> {
  // a browser form without the X-CSRF-Token header must send `_csrf` before the files
  let csrfOk = !ctx.state.csrfFromForm;
  await new Promise<void>((resolve, reject) => {
    let bb: Busboy.Busboy;
    try {
      bb = Busboy({ headers: ctx.req.headers, defParamCharset: 'utf8', limits: { fileSize: maxBytes, files: 500, fields: 50 } });
    } catch (err) {
      reject(new InvalidInputError(`malformed upload: ${errorMessage(err)}`));
      return;
    }
    const pending: Promise<void>[] = [];
    let failed: unknown = null;
    bb.on('field', (name, value) => {
      if (name === '_csrf' && ctx.state.csrfFromForm && safeEqual(value, ctx.state.csrfFromForm as string)) csrfOk = true;
    });
    bb.on('file', (_field, stream, info) => {
      if (!csrfOk) failed ??= new ForbiddenError('the form has expired (missing or wrong CSRF token): reload the page and try again');
      if (failed) {
        stream.resume();
        return;
      }
      pending.push(
        upload.add(info.filename || 'upload', stream).catch((err) => {
          failed ??= err;
          stream.resume();
        }),
      );
    });
    bb.on('error', (err) => reject(new InvalidInputError(`malformed upload: ${errorMessage(err)}`)));
    bb.on('close', () => {
      Promise.all(pending).then(() => (failed ? reject(failed) : resolve()), reject);
    });
    ctx.req.on('aborted', () => reject(new InvalidInputError('the upload was interrupted')));
    ctx.req.pipe(bb);
  });
}
