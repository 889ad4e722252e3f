/**
 * Logging in and out in the browser: the login form (double-submit CSRF
 * cookie), the second-factor step, logout.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type Koa from 'koa';
import type { Services } from '../../services/index.ts';
import { checkLoginCsrf, cookieOptions, loginCsrfToken, SESSION_COOKIE } from '../auth.ts';
import type { Views } from '../views.ts';
import { field, formBody, redirectAfterPost, userError } from './forms.ts';
import { TooManyAttemptsError } from '../../services/AuthService.ts';

/** Only local paths may be a `next`: no open redirect. */
export function safeNext(v: unknown): string {
  return typeof v === 'string' && /^\/(?![/\\])/.test(v) && !v.startsWith('/login') ? v : '/';
}

function renderLogin(ctx: Koa.Context, views: Views, data: { error?: string; username?: string; next: string }, status?: number) {
  views.renderPage(ctx, 'pages/session/login', { title: 'Log in', loginCsrf: loginCsrfToken(ctx), ...data }, status);
}

export function loginPage(views: Views): Middleware {
  return async function loginPage(ctx) {
    if (ctx.state.actor) return ctx.redirect(safeNext(ctx.query.next));
    if (ctx.state.pendingSession) return ctx.redirect(`/login/code?next=${encodeURIComponent(safeNext(ctx.query.next))}`);
    renderLogin(ctx, views, { next: safeNext(ctx.query.next) });
  };
}

export function login(s: Services, views: Views): Middleware {
  return async function login(ctx) {
    const b = formBody(ctx);
    const next = safeNext(field(b, 'next'));
    checkLoginCsrf(ctx, b._csrf);
    const username = field(b, 'username') ?? '';
    try {
      const { cookie, session } = await s.auth.startSession({ username, password: typeof b.password === 'string' ? b.password : '', ip: ctx.ip || null, userAgent: ctx.get('user-agent') || null });
      ctx.cookies.set(SESSION_COOKIE, cookie, cookieOptions(ctx, session.mfaPending ? 600_000 : s.auth.sessionTtlSeconds * 1000));
      redirectAfterPost(ctx, session.mfaPending ? `/login/code?next=${encodeURIComponent(next)}` : next);
    } catch (err) {
      const e = userError(err);
      if (err instanceof TooManyAttemptsError) ctx.set('Retry-After', String(err.retryAfterSeconds));
      renderLogin(ctx, views, { error: e.message, username, next }, err instanceof TooManyAttemptsError ? 429 : 401);
    }
  };
}

export function codePage(views: Views): Middleware {
  return async function codePage(ctx) {
    if (ctx.state.actor) return ctx.redirect(safeNext(ctx.query.next));
    if (!ctx.state.pendingSession) return ctx.redirect('/login');
    views.renderPage(ctx, 'pages/session/code', { title: 'Second factor', next: safeNext(ctx.query.next) });
  };
}

export function submitCode(s: Services, views: Views): Middleware {
  return async function submitCode(ctx) {
    const pending = ctx.state.pendingSession;
    if (!pending) return redirectAfterPost(ctx, '/login');
    const b = formBody(ctx);
    const next = safeNext(field(b, 'next'));
    try {
      await s.auth.completeSecondFactor(pending, field(b, 'code') ?? '', ctx.ip || null);
      ctx.cookies.set(SESSION_COOKIE, ctx.cookies.get(SESSION_COOKIE)!, cookieOptions(ctx, s.auth.sessionTtlSeconds * 1000));
      redirectAfterPost(ctx, next);
    } catch (err) {
      const e = userError(err);
      views.renderPage(ctx, 'pages/session/code', { title: 'Second factor', next, error: e.message }, err instanceof TooManyAttemptsError ? 429 : 401);
    }
  };
}

export function logout(s: Services): Middleware {
  return async function logout(ctx) {
    const session = ctx.state.session ?? ctx.state.pendingSession;
    if (session) await s.auth.endSession(session.idHash);
    ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0 });
    redirectAfterPost(ctx, '/login');
  };
}
