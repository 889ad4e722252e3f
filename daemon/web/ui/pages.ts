/**
 * HTML pages. Each works as a plain link first; htmx requests get the partial.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type { Services } from '../../Daemon.ts';
import type { Views } from '../views.ts';

export function gallery(s: Services, views: Views): Middleware {
  return async function gallery(ctx) {
    const page = await s.images.list(ctx.query as Record<string, unknown>);
    ctx.set('Vary', 'HX-Request');
    const data = { title: 'Gallery', page, query: ctx.query };
    if (ctx.get('HX-Request') && !ctx.get('HX-History-Restore-Request')) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = views.render('partials/images/grid', data);
      return;
    }
    views.renderPage(ctx, 'pages/images/index', data);
  };
}

export function imagePage(s: Services, views: Views): Middleware {
  return async function imagePage(ctx) {
    const image = await s.images.get(ctx.params.id!);
    views.renderPage(ctx, 'pages/images/show', { title: String(image.fileName ?? 'Image'), image });
  };
}
