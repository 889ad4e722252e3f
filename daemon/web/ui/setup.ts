/**
 * First run: while no user exists, every page leads to /setup, a one-time
 * form that creates the administrator and logs them in. From the machine
 * itself (loopback) the form is enough; from any other address it also needs
 * the set-up code printed on the console at start-up. "The machine itself" is
 * the client address after trusted proxy hops (SIDEREAL_TRUST_PROXY): a request
 * that carries forwarding headers without a trusted proxy is never local,
 * since a local reverse proxy would make every visitor look like loopback.
 * Once the administrator exists, /setup is gone (404) and the code is void.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type Koa from 'koa';
import type { Services } from '../../services/index.ts';
import { safeEqual } from '../../auth/secrets.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../errors.ts';
import { TooManyAttemptsError } from '../../services/AuthService.ts';
import { checkLoginCsrf, cookieOptions, loginCsrfToken, SESSION_COOKIE } from '../auth.ts';
import type { Views } from '../views.ts';
import { field, formBody, redirectAfterPost, userError } from './forms.ts';

export interface FirstRun {
  /** the one-time code for set-up from another machine */
  code: string;
  /** trusted proxy hops (config.trustProxy) */
  trustProxy: number;
  /** whether no user exists yet (after the administrator from the environment, if any, is made) */
  needsSetup(): Promise<boolean>;
}

const FORWARDING = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-real-ip'];

export function isLoopbackAddress(addr: string | undefined | null): boolean {
  if (!addr) return false;
  const a = addr.replace(/^::ffff:/i, '');
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** Whether the request comes from this machine itself (after trusted proxies). */
export function isLocalRequest(ctx: Koa.Context, trustProxy: number): boolean {
  if (trustProxy === 0 && FORWARDING.some((h) => ctx.get(h))) return false;
  return isLoopbackAddress(ctx.ip) && (trustProxy > 0 || isLoopbackAddress(ctx.req.socket.remoteAddress));
}

/** While no user exists, pages (and the login page) lead to the set-up page. */
export function firstRunRedirect(s: Services): Koa.Middleware {
  return async function firstRunRedirect(ctx, next) {
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && (ctx.path === '/' || ctx.path === '/login') && ctx.accepts('html') === 'html' && (await s.users.needsSetup())) {
      return ctx.redirect('/setup');
    }
    return next();
  };
}

function render(ctx: Koa.Context, views: Views, fr: FirstRun, data: { error?: string; username?: string } = {}, status?: number) {
  views.renderPage(ctx, 'pages/setup/index', { title: 'Welcome to Sidereal', loginCsrf: loginCsrfToken(ctx), needsCode: !isLocalRequest(ctx, fr.trustProxy), ...data }, status);
}

export function setupPage(s: Services, views: Views, fr: FirstRun): Middleware {
  return async function setupPage(ctx) {
    if (!(await s.users.needsSetup())) return ctx.redirect('/login');
    render(ctx, views, fr);
  };
}

export function setup(s: Services, views: Views, fr: FirstRun): Middleware {
  return async function setup(ctx) {
    if (!(await s.users.needsSetup())) throw new NotFoundError('Sidereal is set up already: log in');
    const b = formBody(ctx);
    checkLoginCsrf(ctx, b._csrf);
    const username = field(b, 'username') ?? '';
    const password = typeof b.password === 'string' ? b.password : '';
    const ip = ctx.ip || null;
    try {
      if (!isLocalRequest(ctx, fr.trustProxy)) {
        const sent = (field(b, 'code') ?? '').trim().toLowerCase();
        // guessing the code is rate limited like a login
        if (!(await s.auth.limited('(setup)', ip, async () => safeEqual(sent, fr.code)))) throw new ForbiddenError('the set-up code is wrong: it is printed on the console where Sidereal was started');
      }
      if (password !== b.confirm) throw new InvalidInputError('the two passwords differ');
      await s.users.createFirstAdmin({ username, password });
      const { cookie } = await s.auth.startSession({ username, password, ip, userAgent: ctx.get('user-agent') || null });
      ctx.cookies.set(SESSION_COOKIE, cookie, cookieOptions(ctx, s.auth.sessionTtlSeconds * 1000));
      redirectAfterPost(ctx, '/?notice=welcome');
    } catch (err) {
      const e = userError(err);
      if (e.status === 409) return redirectAfterPost(ctx, '/login');
      if (err instanceof TooManyAttemptsError) ctx.set('Retry-After', String(err.retryAfterSeconds));
      render(ctx, views, fr, { error: e.message, username }, err instanceof TooManyAttemptsError ? 429 : e.status);
    }
  };
}
