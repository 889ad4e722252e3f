/**
 * Targets (a page per object with its integration by filter and its images),
 * the object catalog, and the sky map.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type Koa from 'koa';
import type { Services } from '../../services/index.ts';
import { constellationNames } from '../../../agents/lib/sky/constellation.ts';
import type { Views } from '../views.ts';
import { cleanQuery } from './forms.ts';
import { skyMapModel } from './skyMapSvg.ts';
import { qs } from '../format.ts';

const str = (ctx: Koa.Context, k: string) => (typeof ctx.query[k] === 'string' && (ctx.query[k] as string).trim() ? (ctx.query[k] as string).trim() : undefined);

export function targetList(s: Services, views: Views): Middleware {
  return async function targetList(ctx) {
    const q = str(ctx, 'q');
    const result = await s.targets.list({ q, cursor: str(ctx, 'cursor') });
    // per target of the page: its sessions and the nights they were taken
    const sessions = await s.gallery.sessionTotals(result.items.map((t) => t.id));
    views.pageOrPartial(ctx, 'pages/targets/index', 'partials/targets/list', { title: 'Targets', result, sessions, q: q ?? '' });
  };
}

export function targetPage(s: Services, views: Views): Middleware {
  return async function targetPage(ctx) {
    const id = decodeURIComponent(ctx.params.id!);
    const [target, sessions, stacks] = await Promise.all([s.targets.get(id, { cursor: str(ctx, 'cursor') }), s.sessions.ofTarget(id), s.gallery.stacksOfTarget(id)]);
    const nextUrl = target.images.next ? `/targets/${encodeURIComponent(id)}${qs({ cursor: target.images.next })}` : null;
    // the timeline: sessions (by night) and stacks (by capture date), oldest first
    const timeline = [
      ...sessions.map((session) => ({ kind: 'session' as const, date: session.night, session })),
      ...stacks.map((image) => ({ kind: 'stack' as const, date: image.dates?.captured?.slice(0, 10) ?? null, image })),
    ].sort((a, b) => (a.date ?? '9999').localeCompare(b.date ?? '9999') || (a.kind === b.kind ? 0 : a.kind === 'session' ? -1 : 1));
    views.renderPage(ctx, 'pages/targets/show', { title: target.object?.name ? `${id} · ${target.object.name}` : id, target, sessions, stacks, timeline, nextUrl });
  };
}

export function objectList(s: Services, views: Views): Middleware {
  return async function objectList(ctx) {
    const query = cleanQuery(ctx.query as Record<string, unknown>) as Record<string, string>;
    const result = await s.objects.list({ q: query.q, type: query.type, constellation: query.constellation, imaged: query.imaged as 'true' | 'false' | undefined, cursor: query.cursor });
    const { cursor: _c, ...base } = query;
    const nextUrl = result.next ? `/objects${qs(base, { cursor: result.next })}` : null;
    views.pageOrPartial(ctx, 'pages/objects/index', 'partials/objects/list', {
      title: 'Object catalog',
      result,
      query,
      nextUrl,
      types: await s.objects.typeNames(),
      constellations: [...constellationNames()].map(([abbr, name]) => ({ abbr, name })).sort((a, b) => a.name.localeCompare(b.name)),
    });
  };
}

export function skyMapPage(s: Services, views: Views): Middleware {
  return async function skyMapPage(ctx) {
    const { items, total, truncated } = await s.skymap.footprints(5000);
    views.renderPage(ctx, 'pages/sky/index', { title: 'Sky map', map: skyMapModel(items), total, shown: items.length, truncated });
  };
}
