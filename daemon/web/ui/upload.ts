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

/** `existing`: the ids that answered files already in the library (nothing was stored for them). */
async function uploadStatus(s: Services, ids: string[], existing: ReadonlySet<string> = new Set()) {
  const items = await Promise.all(
    ids.map(async (id) => {
      try {
        const image = await s.images.get(id);
        const agents = (image.agents ?? []) as { status: string; name: string; error: string | null }[];
        const state = await s.images.processingState(id);
        const failed = agents.filter((a) => a.status === 'failed');
        return { id, image, existing: existing.has(id), state: state === 'idle' ? (failed.length ? 'failed' : 'done') : 'processing', errors: failed.map((a) => `${a.name}: ${a.error ?? 'failed'}`) };
      } catch (err) {
        if (err instanceof NotFoundError) return { id, image: null, existing: existing.has(id), state: 'waiting', errors: [] as string[] };
        throw err;
      }
    }),
  );
  const known = ids.filter((id) => existing.has(id));
  return { items, polling: items.some((i) => i.state === 'waiting' || i.state === 'processing'), ids: ids.join(','), existing: known.join(','), existingCount: known.length };
}

function idsOf(v: unknown): string[] {
  return typeof v === 'string' ? v.split(',').filter((x) => /^[0-9a-f-]{36}$/i.test(x)).slice(0, 200) : [];
}

export function uploadPage(s: Services, views: Views, config: Config): Middleware {
  return async function uploadPage(ctx) {
    const ids = idsOf(ctx.query.ids);
    const status = ids.length ? await uploadStatus(s, ids, new Set(idsOf(ctx.query.existing))) : null;
    views.renderPage(ctx, 'pages/upload/index', { title: 'Upload', maxMb: Math.round(config.uploadMaxBytes / 1048576), status, progress: await s.images.processing() });
  };
}

export function uploadForm(s: Services, config: Config): Middleware {
  return async function uploadForm(ctx) {
    const items = await receiveUpload(ctx, s, { maxBytes: config.uploadMaxBytes, concurrency: config.uploadConcurrency });
    const existing = items.filter((i) => i.existing).map((i) => i.id);
    redirectAfterPost(ctx, `/upload?ids=${items.map((i) => i.id).join(',')}${existing.length ? `&existing=${existing.join(',')}` : ''}&notice=uploaded`);
  };
}

export function uploadStatusPartial(s: Services, views: Views): Middleware {
  return async function uploadStatusPartial(ctx) {
    views.renderPartial(ctx, 'partials/upload/status', { status: await uploadStatus(s, idsOf(ctx.query.ids), new Set(idsOf(ctx.query.existing))) });
  };
}
