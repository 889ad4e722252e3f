/**
 * Uploading: a form that works without JavaScript (POST /upload), improved by
 * static/upload.js (progress per file through XMLHttpRequest, which htmx 4's
 * fetch does not report). Uploaded images are listed by a partial that polls
 * itself until each one has been processed.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type { Services } from '../../services/index.ts';
import type { Config } from '../../config.ts';
import { NotFoundError } from '../../errors.ts';
import { receiveUpload } from '../api/upload.ts';
import type { Views } from '../views.ts';
import { redirectAfterPost } from './forms.ts';

async function uploadStatus(s: Services, ids: string[]) {
  const items = await Promise.all(
    ids.map(async (id) => {
      try {
        const image = await s.images.get(id);
        const agents = (image.agents ?? []) as { status: string; name: string; error: string | null }[];
        const state = await s.images.processingState(id);
        const failed = agents.filter((a) => a.status === 'failed');
        return { id, image, state: state === 'idle' ? (failed.length ? 'failed' : 'done') : 'processing', errors: failed.map((a) => `${a.name}: ${a.error ?? 'failed'}`) };
      } catch (err) {
        if (err instanceof NotFoundError) return { id, image: null, state: 'waiting', errors: [] as string[] };
        throw err;
      }
    }),
  );
  return { items, polling: items.some((i) => i.state === 'waiting' || i.state === 'processing'), ids: ids.join(',') };
}

function idsOf(v: unknown): string[] {
  return typeof v === 'string' ? v.split(',').filter((x) => /^[0-9a-f-]{36}$/i.test(x)).slice(0, 200) : [];
}

export function uploadPage(s: Services, views: Views, config: Config): Middleware {
  return async function uploadPage(ctx) {
    const ids = idsOf(ctx.query.ids);
    views.renderPage(ctx, 'pages/upload/index', { title: 'Upload', maxMb: Math.round(config.uploadMaxBytes / 1048576), status: ids.length ? await uploadStatus(s, ids) : null, progress: await s.images.processing() });
  };
}

export function uploadForm(s: Services, config: Config): Middleware {
  return async function uploadForm(ctx) {
    const items = await receiveUpload(ctx, s, { maxBytes: config.uploadMaxBytes, concurrency: config.uploadConcurrency });
    redirectAfterPost(ctx, `/upload?ids=${items.map((i) => i.id).join(',')}&notice=uploaded`);
  };
}

export function uploadStatusPartial(s: Services, views: Views): Middleware {
  return async function uploadStatusPartial(ctx) {
    views.renderPartial(ctx, 'partials/upload/status', { status: await uploadStatus(s, idsOf(ctx.query.ids)) });
  };
}
