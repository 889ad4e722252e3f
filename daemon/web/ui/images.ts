/**
 * The image page: preview with zoom and the objects overlay, location,
 * acquisition, integration by filter, equipment, objects, description, file
 * facts and header, calibration frames, agents (admins re-run them and watch
 * the progress in a partial that polls itself), and the user's corrections.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type Koa from 'koa';
import { FRAME_TYPES } from '../../../agents/sdk/index.ts';
import type { Services } from '../../services/index.ts';
import { isAdmin } from '../../auth/permissions.ts';
import type { Views } from '../views.ts';
import { field, formBody, redirectAfterPost, userError } from './forms.ts';
import { overlayModel } from './overlay.ts';
import { hoursToSeconds } from './gallery.ts';
import { cleanQuery } from './forms.ts';
import { encodeCursor } from '../../services/imageQuery.ts';

type Rec = Record<string, any>;

/** The integration table like AstroBin's: per filter, frames × exposure = total. */
export function integrationRows(image: Rec) {
  return ((image.integration?.byFilter ?? []) as Rec[]).map((f) => ({
    filter: f.filter,
    frames: f.frames,
    exposure: f.frames ? f.seconds / f.frames : null,
    seconds: f.seconds,
  }));
}

export interface GalleryNav {
  prev: string | null;
  next: string | null;
  /** 1-based place in the gallery query, and its size */
  position: number;
  total: number;
  back: string;
}

/**
 * Previous and next image within the gallery query the image was opened from (`from`: the
 * gallery's query string, `at`: the image's place in it). The neighbours are looked up at
 * that place; when the image moved (new files arrived), there is no navigation rather than
 * a wrong one.
 */
export async function galleryNav(s: Services, ctx: Koa.Context, id: string): Promise<GalleryNav | null> {
  const from = typeof ctx.query.from === 'string' ? ctx.query.from : null;
  const at = Number(ctx.query.at);
  if (from === null || !Number.isInteger(at) || at < 0 || at > 10_000_000) return null;
  const params = new URLSearchParams(from);
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    if (key === 'cursor' || key === 'limit') continue;
    const all = params.getAll(key);
    query[key] = all.length === 1 ? all[0]! : all;
  }
  const start = Math.max(0, at - 1);
  let page;
  try {
    page = await s.images.list({ ...hoursToSeconds(cleanQuery(query)), ...(start ? { cursor: encodeCursor(start) } : {}), limit: '3' });
  } catch {
    return null; // a stale or hand-made query: the page works without navigation
  }
  const items = page.items as Rec[];
  const here = items.findIndex((x) => x.id === id);
  if (here < 0) return null;
  const link = (x: Rec | undefined, pos: number) => (x ? `/images/${x.id}?from=${encodeURIComponent(from)}&at=${pos}` : null);
  return { prev: link(items[here - 1], at - 1), next: link(items[here + 1], at + 1), position: at + 1, total: page.total, back: `/${from ? '?' + from : ''}` };
}

async function agentsModel(s: Services, ctx: Koa.Context, id: string) {
  const image = await s.images.get(id);
  const state = await s.images.processingState(id);
  const admin = isAdmin(ctx.state.actor);
  return { image, agents: (image.agents ?? []) as Rec[], state, polling: state !== 'idle', canRerun: admin, stacks: admin ? await s.images.errorStacks(id) : {} };
}

export function imagePage(s: Services, views: Views): Middleware {
  return async function imagePage(ctx) {
    const id = ctx.params.id!;
    const image = (await s.images.get(id)) as Rec;
    const [file, state, calibration, nav] = await Promise.all([s.images.fileFacts(id), s.images.processingState(id), s.images.calibration(id), galleryNav(s, ctx, id)]);
    views.renderPage(ctx, 'pages/images/show', {
      title: String(image.target ?? image.acquisition?.object ?? image.fileName ?? 'Image'),
      image,
      file,
      overlay: overlayModel(image),
      nav,
      integration: integrationRows(image),
      agents: image.agents ?? [],
      factSections: s.agents.factSections(image),
      calibration,
      state,
      polling: state !== 'idle',
      canRerun: isAdmin(ctx.state.actor),
      stacks: isAdmin(ctx.state.actor) ? await s.images.errorStacks(id) : {},
      frameTypes: FRAME_TYPES,
    });
  };
}

/**
 * The viewer's deep zoom: the pyramid's geometry as an OpenSeadragon tile source (200), or
 * 202 while it is being rendered (the viewer asks again), or 422 when it cannot be made.
 */
export function zoomDescriptor(s: Services): Middleware {
  return async function zoomDescriptor(ctx) {
    const id = ctx.params.id!;
    await s.images.get(id); // visibility rules of the image itself
    const d = await s.zoom.descriptor(id);
    ctx.set('Cache-Control', 'no-store');
    if (d.status === 'rendering') {
      ctx.status = 202;
      ctx.body = { status: 'rendering' };
    } else if (d.status === 'failed') {
      ctx.status = 422;
      ctx.body = { status: 'failed', message: d.message };
    } else {
      ctx.body = {
        status: 'ready',
        tileSource: {
          Image: {
            xmlns: 'http://schemas.microsoft.com/deepzoom/2008',
            Url: `/images/${id}/zoom/`,
            Format: d.format,
            Overlap: String(d.overlap),
            TileSize: String(d.tileSize),
            Size: { Width: String(d.width), Height: String(d.height) },
          },
        },
      };
    }
  };
}

/** One deep-zoom tile: /images/{id}/zoom/{level}/{col}_{row}.jpeg */
export function zoomTile(s: Services): Middleware {
  return async function zoomTile(ctx) {
    const m = /^(\d{1,4})_(\d{1,4})\.(jpeg|jpg|png)$/.exec(ctx.params.tile ?? '');
    const level = Number(ctx.params.level);
    if (!m || !Number.isInteger(level) || level < 0 || level > 40) {
      ctx.status = 404;
      return;
    }
    const t = await s.zoom.tile(ctx.params.id!, level, Number(m[1]), Number(m[2]));
    ctx.set('Cache-Control', 'private, max-age=86400');
    ctx.etag = t.etag;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.type = t.contentType;
    ctx.body = t.data;
  };
}

/** The agents table of one image: polls itself while the image is due or processing. */
export function imageAgents(s: Services, views: Views): Middleware {
  return async function imageAgents(ctx) {
    views.renderPartial(ctx, 'partials/images/agents', await agentsModel(s, ctx, ctx.params.id!));
  };
}

/** Admin: run one agent again on this image; answers with the (polling) agents table. */
export function rerunImageAgent(s: Services, views: Views): Middleware {
  return async function rerunImageAgent(ctx) {
    const id = ctx.params.id!;
    await s.images.get(id);
    await s.agents.rerun(ctx.state.actor, ctx.params.agent!, { ids: [id] });
    if (!ctx.get('HX-Request')) return redirectAfterPost(ctx, `/images/${id}?notice=rerun#agents`);
    views.renderPartial(ctx, 'partials/images/agents', { ...(await agentsModel(s, ctx, id)), polling: true });
  };
}

/** The corrections form (notes, target, frame type). */
export function editImage(s: Services, views: Views): Middleware {
  return async function editImage(ctx) {
    const id = ctx.params.id!;
    const b = formBody(ctx);
    try {
      await s.images.edit(ctx.state.actor, id, {
        notes: field(b, 'notes') ?? null,
        target: field(b, 'target') ?? null,
        frameType: field(b, 'frameType') ?? null,
      });
      redirectAfterPost(ctx, `/images/${id}?notice=saved`);
    } catch (err) {
      const e = userError(err);
      const image = (await s.images.get(id)) as Rec;
      views.renderPage(
        ctx,
        'pages/images/show',
        {
          title: String(image.target ?? image.fileName),
          image,
          file: await s.images.fileFacts(id),
          calibration: await s.images.calibration(id),
          overlay: overlayModel(image),
          integration: integrationRows(image),
          agents: image.agents ?? [],
          state: 'idle',
          polling: false,
          canRerun: isAdmin(ctx.state.actor),
          frameTypes: FRAME_TYPES,
          editError: e.message,
          editValues: { notes: field(b, 'notes'), target: field(b, 'target'), frameType: field(b, 'frameType') },
        },
        e.status,
      );
    }
  };
}
