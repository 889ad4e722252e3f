/**
 * Receiving a multipart upload: every file part is streamed to storage as it
 * arrives (never buffered whole). Shared by the API and the upload page.
 */
import Busboy from 'busboy';
import type Koa from 'koa';
import type { Services } from '../../services/index.ts';
import { safeEqual } from '../../auth/secrets.ts';
import { ForbiddenError, InvalidInputError, errorMessage } from '../../errors.ts';

export interface Uploaded {
  id: string;
  path: string;
  name: string;
}

export async function receiveUpload(ctx: Koa.Context, services: Services, limits: { maxBytes: number }): Promise<Uploaded[]> {
  if (!ctx.is('multipart/form-data')) throw new InvalidInputError('send the files as multipart/form-data');
  // a browser form without the X-CSRF-Token header must send `_csrf` before the files
  let csrfOk = !ctx.state.csrfFromForm;
  const results: Uploaded[] = [];
  await new Promise<void>((resolve, reject) => {
    let bb: Busboy.Busboy;
    try {
      bb = Busboy({ headers: ctx.req.headers, limits: { fileSize: limits.maxBytes, files: 500, fields: 50 } });
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
        services.images.storeUpload(info.filename || 'upload', stream).then(
          (r) => void results.push({ ...r, name: info.filename || 'upload' }),
          (err) => {
            failed ??= err;
            stream.resume();
          },
        ),
      );
    });
    bb.on('error', (err) => reject(new InvalidInputError(`malformed upload: ${errorMessage(err)}`)));
    bb.on('close', () => {
      Promise.all(pending).then(() => (failed ? reject(failed) : resolve()), reject);
    });
    ctx.req.pipe(bb);
  });
  if (!results.length) throw new InvalidInputError('no file in the upload');
  return results;
}
