/**
 * The Koa application: request ids and logging, security headers, errors,
 * static files, then the route table (routes.ts).
 */
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Services } from '../Daemon.ts';
import { errorHandler } from './errors.ts';
import { createRouter } from './routes.ts';
import { createViews } from './views.ts';
import { serveStatic } from './static.ts';

export interface WebDeps {
  services: Services;
  config: Config;
  log: Logger;
}

export function createWebApp(deps: WebDeps): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  const views = createViews();
  app.use(async function requestContext(ctx, next) {
    const started = performance.now();
    ctx.state.requestId = ctx.get('x-request-id') || randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      if (ctx.path !== '/health') deps.log.info({ requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms }, 'request');
    }
  });
  app.use(async function securityHeaders(ctx, next) {
    await next();
    ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Frame-Options', 'DENY');
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000');
  });
  app.use(errorHandler(deps.log, (ctx, problem) => views.renderPage(ctx, 'pages/error', { title: problem.title, problem })));
  app.use(serveStatic());
  const router = createRouter({ ...deps, views });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
