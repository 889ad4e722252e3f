/**
 * JSON API handlers for images. Input decoding and output only; the rest is
 * in the services.
 */
import Busboy from 'busboy';
import type { RouterMiddleware as Middleware } from '@koa/router';
import type { Config } from '../../config.ts';
import type { Services } from '../../Daemon.ts';
import { InvalidInputError, PayloadTooLargeError, errorMessage } from '../../errors.ts';

export function listImages(s: Services): Middleware {
  return async function listImages(ctx) {
    const page = await s.images.list(ctx.query as Record<string, unknown>);
    ctx.body = { items: page.items, total: page.total, next: page.next };
  };
}

export function getImage(s: Services): Middleware {
  return async function getImage(ctx) {
    ctx.body = await s.images.get(ctx.params.id!);
  };
}

export function derivedFile(s: Services, name: string): Middleware {
  return async function derivedFile(ctx) {
    const f = await s.images.derivedFile(ctx.params.id!, name);
    ctx.set('ETag', f.etag);
    ctx.set('Cache-Control', 'private, max-age=86400');
    if (ctx.get('if-none-match') === f.etag) {
      f.stream.destroy();
      ctx.status = 304;
      return;
    }
    ctx.type = f.contentType;
    ctx.length = f.size;
    ctx.body = f.stream;
  };
}

/**
 * Multipart upload: every file part is streamed to storage as it arrives
 * (never buffered whole). Answers 202 with the new image ids; processing
 * happens in the background.
 */
export function uploadImages(s: Services, config: Config): Middleware {
  return async function uploadImages(ctx) {
    if (!ctx.is('multipart/form-data')) throw new InvalidInputError('send the files as multipart/form-data');
    const results: { id: string; path: string; name: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      let bb: Busboy.Busboy;
      try {
        bb = Busboy({ headers: ctx.req.headers, limits: { fileSize: config.uploadMaxBytes, files: 500, fields: 50 } });
      } catch (err) {
        reject(new InvalidInputError(`malformed upload: ${errorMessage(err)}`));
        return;
      }
      const pending: Promise<void>[] = [];
      let failed: unknown = null;
      bb.on('file', (_field, stream, info) => {
        if (failed) {
          stream.resume();
          return;
        }
        pending.push(
          s.images.storeUpload(info.filename || 'upload', stream).then(
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
    ctx.status = 202;
    ctx.body = { ids: results.map((r) => r.id), items: results };
  };
}

export function rerunAgent(s: Services): Middleware {
  return async function rerunAgent(ctx) {
    await s.images.get(ctx.params.id!);
    const r = await s.agents.rerun(ctx.params.agent!, { ids: [ctx.params.id!] as string[] });
    ctx.status = 202;
    ctx.body = r;
  };
}

export function listAgents(s: Services): Middleware {
  return async function listAgents(ctx) {
    ctx.body = await s.agents.list();
  };
}

export { PayloadTooLargeError };
