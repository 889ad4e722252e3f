/**
 * Who is asking, for every request: an API token (`Authorization: Bearer`)
 * or a session cookie. Then: everything but a few public paths needs a login,
 * and every state-changing request made with a session cookie needs the
 * session's CSRF token (header `X-CSRF-Token`, sent by htmx from
 * `hx-headers` on <body>, or a `_csrf` form field).
 */
import type Koa from 'koa';
import type { Services } from '../services/index.ts';
import { safeEqual, randomSecret } from '../auth/secrets.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';

export const SESSION_COOKIE = 'sidereal_session';
/** the pre-login CSRF cookie (double submit) of the login form */
export const LOGIN_CSRF_COOKIE = 'sidereal_login_csrf';

// /metrics is only served when SIDEREAL_METRICS is on; restrict it at the proxy (docs/operations.md)
const PUBLIC: RegExp[] = [/^\/login(\/.*)?$/, /^\/setup$/, /^\/health$/, /^\/metrics$/, /^\/static\//, /^\/api\/v1\/auth\/login$/];
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isPublicPath(path: string): boolean {
  return PUBLIC.some((r) => r.test(path));
}

export function cookieOptions(ctx: Koa.Context, maxAgeMs?: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: ctx.secure, path: '/', overwrite: true, signed: false, ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}

export function authenticate(services: Services): Koa.Middleware {
  return async function authenticate(ctx, next) {
    ctx.state.actor = null;
    ctx.state.session = null;
    ctx.state.csrf = '';
    const header = ctx.get('authorization');
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const actor = m ? await services.auth.tokenActor(m[1]!) : null;
      if (!actor) {
        ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
        throw new UnauthorizedError('the API token is not valid (revoked, expired or mistyped)');
      }
      ctx.state.actor = actor;
      return next();
    }
    const cookie = ctx.cookies.get(SESSION_COOKIE);
    if (cookie) {
      const session = await services.auth.session(cookie);
      if (session && !session.mfaPending) {
        ctx.state.actor = session.actor;
        ctx.state.session = session;
        ctx.state.csrf = session.csrfToken;
      } else if (session) {
        ctx.state.pendingSession = session;
        ctx.state.csrf = session.csrfToken;
      }
    }
    return next();
  };
}

/** Everything but the public paths needs a login: a page redirects to /login, the rest gets 401. */
export function requireLogin(): Koa.Middleware {
  return async function requireLogin(ctx, next) {
    if (ctx.state.actor || isPublicPath(ctx.path)) return next();
    const wantsPage = (ctx.method === 'GET' || ctx.method === 'HEAD') && !ctx.path.startsWith('/api/') && ctx.path !== '/status' && ctx.accepts('html') === 'html';
    if (wantsPage) {
      const nextUrl = ctx.originalUrl;
      const to = `/login${nextUrl && nextUrl !== '/' ? `?next=${encodeURIComponent(nextUrl)}` : ''}`;
      if (ctx.get('HX-Request')) {
        ctx.set('HX-Redirect', to);
        ctx.status = 401;
        ctx.body = '';
        return;
      }
      ctx.redirect(to);
      return;
    }
    throw new UnauthorizedError('log in first: a session cookie or an `Authorization: Bearer` token');
  };
}

/**
 * CSRF check for requests authenticated by the session cookie. (A bearer
 * token is never sent by a browser on its own, so it needs none.) Multipart
 * uploads without the header are checked by the upload handler, which reads
 * `_csrf` as the first form field before any file.
 */
export function csrfProtection(): Koa.Middleware {
  return async function csrfProtection(ctx, next) {
    if (SAFE.has(ctx.method)) return next();
    const session = ctx.state.session ?? ctx.state.pendingSession;
    if (!session) return next();
    const body = (ctx.request as { body?: Record<string, unknown> }).body;
    const sent = ctx.get('x-csrf-token') || (body && typeof body._csrf === 'string' ? body._csrf : '');
    if (body && typeof body === 'object' && '_csrf' in body) delete body._csrf;
    if (!sent && ctx.is('multipart/form-data')) {
      ctx.state.csrfFromForm = session.csrfToken;
      return next();
    }
    if (!sent || !safeEqual(sent, session.csrfToken)) throw new ForbiddenError('the form has expired (missing or wrong CSRF token): reload the page and try again');
    return next();
  };
}

/** The pre-login CSRF token: a cookie and the same value in the login form. */
export function loginCsrfToken(ctx: Koa.Context): string {
  let t = ctx.cookies.get(LOGIN_CSRF_COOKIE);
  if (!t || !/^[\w-]{20,60}$/.test(t)) {
    t = randomSecret(24);
    ctx.cookies.set(LOGIN_CSRF_COOKIE, t, cookieOptions(ctx));
  }
  return t;
}

export function checkLoginCsrf(ctx: Koa.Context, sent: unknown): void {
  const t = ctx.cookies.get(LOGIN_CSRF_COOKIE);
  if (!t || typeof sent !== 'string' || !safeEqual(sent, t)) throw new ForbiddenError('the login form has expired: reload the page and try again');
}
