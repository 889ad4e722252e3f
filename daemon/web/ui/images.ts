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

type Rec = Record<string, any>;

export interface OverlayShape {
  id: string;
  label: string;
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
  primary: boolean;
  labelX: number;
  labelY: number;
  /** labels near the right edge go to the left of their object */
  anchor: 'start' | 'end';
}

/**
 * The objects overlay in the image's own pixel space (x right, y down, as
 * displayed): the SVG's viewBox is the full image, so it scales with the
 * preview whatever its size.
 */
export function overlayModel(image: Rec): { width: number; height: number; stroke: number; font: number; shapes: OverlayShape[] } | null {
  const w = Number(image.width);
  const h = Number(image.height);
  if (!(w > 0 && h > 0)) return null;
  const min = Math.max(w, h) / 250;
  const shapes: OverlayShape[] = [];
  for (const o of (image.objects ?? []) as Rec[]) {
    if (typeof o.x !== 'number' || typeof o.y !== 'number') continue;
    if (o.x < -w * 0.1 || o.x > w * 1.1 || o.y < -h * 0.1 || o.y > h * 1.1) continue;
    const rx = Math.max(typeof o.rx === 'number' ? o.rx : 0, min);
    const ry = Math.max(typeof o.ry === 'number' ? o.ry : rx, min);
    shapes.push({
      id: o.id,
      label: o.name ? `${o.id} · ${o.name}` : o.id,
      cx: o.x,
      cy: o.y,
      rx,
      ry,
      angle: typeof o.angleDeg === 'number' ? o.angleDeg : 0,
      primary: !!o.primary,
      labelX: o.x > w * 0.7 ? o.x - rx * 0.75 : o.x + rx * 0.75,
      labelY: Math.max(o.y - ry * 0.75, Math.max(w, h) / 50),
      anchor: o.x > w * 0.7 ? 'end' : 'start',
    });
  }
  return { width: w, height: h, stroke: Math.max(w, h) / 600, font: Math.max(w, h) / 55, shapes };
}

/** The integration table like AstroBin's: per filter, frames × exposure = total. */
export function integrationRows(image: Rec) {
  return ((image.integration?.byFilter ?? []) as Rec[]).map((f) => ({
    filter: f.filter,
    frames: f.frames,
    exposure: f.frames ? f.seconds / f.frames : null,
    seconds: f.seconds,
  }));
}

async function agentsModel(s: Services, ctx: Koa.Context, id: string) {
  const image = await s.images.get(id);
  const state = await s.images.processingState(id);
  return { image, agents: (image.agents ?? []) as Rec[], state, polling: state !== 'idle', canRerun: isAdmin(ctx.state.actor) };
}

export function imagePage(s: Services, views: Views): Middleware {
  return async function imagePage(ctx) {
    const id = ctx.params.id!;
    const image = (await s.images.get(id)) as Rec;
    const [file, state] = await Promise.all([s.images.fileFacts(id), s.images.processingState(id)]);
    views.renderPage(ctx, 'pages/images/show', {
      title: String(image.target ?? image.acquisition?.object ?? image.fileName ?? 'Image'),
      image,
      file,
      overlay: overlayModel(image),
      integration: integrationRows(image),
      agents: image.agents ?? [],
      factSections: s.agents.factSections(image),
      state,
      polling: state !== 'idle',
      canRerun: isAdmin(ctx.state.actor),
      frameTypes: FRAME_TYPES,
    });
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
