/**
 * The Koa application: request ids and logging, security headers, errors,
 * static files, body parsing, who is asking (session or token), the login
 * requirement and CSRF, then the route table (routes.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Koa from 'koa';
import { join } from 'node:path';
import { paths } from '../paths.ts';
import { bodyParser } from '@koa/bodyparser';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Services } from '../services/index.ts';
import { errorHandler } from './errors.ts';
import { createRouter } from './routes.ts';
import { createViews, isHtmx } from './views.ts';
import { OPENSEADRAGON_STYLE_HASH, serveStatic } from './static.ts';
import { authenticate, csrfProtection, requireLogin } from './auth.ts';
import { rejectNul } from './input.ts';
import { requestTimeouts } from './timeouts.ts';
import { firstRunRedirect, type FirstRun } from './ui/setup.ts';
import { newSetupCode } from '../auth/secrets.ts';

export interface WebDeps {
  services: Services;
  config: Config;
  log: Logger;
  /** Prometheus text, when SIDEREAL_METRICS is on */
  metrics?: () => Promise<string>;
}

const VERSION = (JSON.parse(readFileSync(join(paths.root, 'package.json'), 'utf8')) as { version: string }).version;

const firstRuns = new WeakMap<Koa, FirstRun>();

/** The first-run state of an app: the set-up code printed at start-up (server.ts). */
export function firstRunOf(app: Koa): FirstRun | undefined {
  return firstRuns.get(app);
}

export function createWebApp(deps: WebDeps): Koa {
  // behind N trusted proxies the client is the address the outermost of them saw:
  // the N-th X-Forwarded-For entry from the right (entries further left are the client's own words)
  const hops = deps.config.trustProxy;
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  const views = createViews();
  // the first administrator from the environment, before the first request is served
  const ready = deps.services.users.ensureFirstAdmin(deps.config.adminUser, deps.config.adminPassword).then(
    (u) => {
      if (u) deps.log.info({ username: u.username }, 'first administrator created');
    },
    (err) => deps.log.error({ err }, 'could not create the first administrator'),
  );
  const firstRun: FirstRun = { code: newSetupCode(), trustProxy: hops, needsSetup: () => ready.then(() => deps.services.users.needsSetup()) };
  firstRuns.set(app, firstRun);
  app.use(requestTimeouts(deps.config));
  app.use(async function requestContext(ctx, next) {
    const started = performance.now();
    ctx.state.requestId = ctx.get('x-request-id') || randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    try {
      await next();
      // the handler's time (body streams excluded), for benchmarks and browser dev tools
      ctx.set('Server-Timing', `app;dur=${(performance.now() - started).toFixed(1)}`);
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      if (ctx.path !== '/health') deps.log.info({ requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms, user: ctx.state.actor?.username }, 'request');
    }
  });
  app.use(async function securityHeaders(ctx, next) {
    await next();
    ctx.set('Content-Security-Policy', `default-src 'self'; img-src 'self' data: blob:; style-src 'self' ${OPENSEADRAGON_STYLE_HASH}; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'`);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000');
    // pages that show private data are not kept by shared caches
    if (!ctx.path.startsWith('/static/') && !ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store');
  });
  app.use(
    errorHandler(deps.log, (ctx, problem) => {
      if (isHtmx(ctx)) return views.renderPartial(ctx, 'partials/error', { problem }, problem.status);
      views.renderPage(ctx, 'pages/error', { title: problem.title, problem }, problem.status);
    }),
  );
  app.use(serveStatic());
  app.use(async function whenReady(_ctx, next) {
    await ready;
    return next();
  });
  app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '1mb', formLimit: '1mb', parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'] }));
  app.use(rejectNul());
  app.use(async function statusWhenDatabaseDown(ctx, next) {
    // the login check needs the database: when it is down, /status says so (503) rather than 500 or hanging
    const down = ctx.path === '/status' && ctx.method === 'GET' ? await deps.services.status.databaseDown() : null;
    if (!down) return next();
    ctx.status = 503;
    ctx.body = down;
  });
  app.use(firstRunRedirect(deps.services));
  app.use(authenticate(deps.services));
  app.use(requireLogin());
  app.use(csrfProtection());
  const router = createRouter({ ...deps, views, version: VERSION, firstRun });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
