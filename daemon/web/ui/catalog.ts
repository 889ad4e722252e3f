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
    views.pageOrPartial(ctx, 'pages/targets/index', 'partials/targets/list', { title: 'Targets', result, q: q ?? '' });
  };
}

export function targetPage(s: Services, views: Views): Middleware {
  return async function targetPage(ctx) {
    const id = decodeURIComponent(ctx.params.id!);
    const [target, sessions] = await Promise.all([s.targets.get(id, { cursor: str(ctx, 'cursor') }), s.sessions.ofTarget(id)]);
    const nextUrl = target.images.next ? `/targets/${encodeURIComponent(id)}${qs({ cursor: target.images.next })}` : null;
    views.renderPage(ctx, 'pages/targets/show', { title: target.object?.name ? `${id} · ${target.object.name}` : id, target, sessions, nextUrl });
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
