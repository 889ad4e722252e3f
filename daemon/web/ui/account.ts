/**
 * One's account: password, API tokens (shown once), the TOTP second factor
 * (QR code, recovery codes).
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type Koa from 'koa';
import type { Services } from '../../services/index.ts';
import type { Views } from '../views.ts';
import { field, formBody, redirectAfterPost, userError } from './forms.ts';
import { cookieOptions, SESSION_COOKIE } from '../auth.ts';
import { InvalidInputError } from '../../errors.ts';

async function renderAccount(ctx: Koa.Context, s: Services, views: Views, extra: Record<string, unknown> = {}, status?: number) {
  const [me, tokens] = await Promise.all([s.users.me(ctx.state.actor), s.auth.listTokens(ctx.state.actor)]);
  views.renderPage(ctx, 'pages/account/index', { title: 'Account', me, tokens, ...extra }, status);
}

export function accountPage(s: Services, views: Views): Middleware {
  return async function accountPage(ctx) {
    await renderAccount(ctx, s, views);
  };
}

export function changePassword(s: Services, views: Views): Middleware {
  return async function changePassword(ctx) {
    const b = formBody(ctx);
    const current = typeof b.current === 'string' ? b.current : '';
    const password = typeof b.password === 'string' ? b.password : '';
    try {
      if (password !== b.confirm) throw new InvalidInputError('the two new passwords differ');
      await s.users.changePassword(ctx.state.actor, { current, password }, ctx.state.session?.idHash ?? null, ctx.ip || null);
      redirectAfterPost(ctx, '/account?notice=password');
    } catch (err) {
      const e = userError(err);
      await renderAccount(ctx, s, views, { passwordError: e.message }, e.status);
    }
  };
}

export function createToken(s: Services, views: Views): Middleware {
  return async function createToken(ctx) {
    const b = formBody(ctx);
    const days = field(b, 'expiresInDays');
    try {
      const { token, info } = await s.auth.createToken(ctx.state.actor, { name: field(b, 'name') ?? '', expiresInDays: days ? Number(days) : null });
      // the secret is shown in this answer only: never in a URL, never again
      await renderAccount(ctx, s, views, { newToken: { token, info } });
    } catch (err) {
      const e = userError(err);
      await renderAccount(ctx, s, views, { tokenError: e.message }, e.status);
    }
  };
}

export function revokeToken(s: Services, back: string): Middleware {
  return async function revokeToken(ctx) {
    await s.auth.revokeToken(ctx.state.actor, ctx.params.id!);
    redirectAfterPost(ctx, `${back}?notice=revoked`);
  };
}

export function beginTotp(s: Services, views: Views): Middleware {
  return async function beginTotp(ctx) {
    try {
      const enrol = await s.users.beginTotp(ctx.state.actor);
      await renderAccount(ctx, s, views, { enrol });
    } catch (err) {
      const e = userError(err);
      await renderAccount(ctx, s, views, { totpError: e.message }, e.status);
    }
  };
}

export function confirmTotp(s: Services, views: Views): Middleware {
  return async function confirmTotp(ctx) {
    try {
      const { recoveryCodes } = await s.users.confirmTotp(ctx.state.actor, field(formBody(ctx), 'code') ?? '', ctx.ip || null);
      await renderAccount(ctx, s, views, { recoveryCodes });
    } catch (err) {
      const e = userError(err);
      await renderAccount(ctx, s, views, { totpError: e.message }, e.status);
    }
  };
}

export function disableTotp(s: Services, views: Views): Middleware {
  return async function disableTotp(ctx) {
    const b = formBody(ctx);
    try {
      await s.users.disableTotp(ctx.state.actor, typeof b.password === 'string' ? b.password : '', ctx.ip || null);
      redirectAfterPost(ctx, '/account?notice=totp_off');
    } catch (err) {
      const e = userError(err);
      await renderAccount(ctx, s, views, { totpError: e.message }, e.status === 401 ? 422 : e.status);
    }
  };
}

/**
 * Deleting one's own account asks first: a POST without `confirm=yes` shows
 * a confirmation page (works without JavaScript). Then the account, its
 * sessions and tokens are gone, and the browser is logged out.
 */
export function deleteAccount(s: Services, views: Views): Middleware {
  return async function deleteAccount(ctx) {
    if (field(formBody(ctx), 'confirm') !== 'yes') {
      const me = await s.users.me(ctx.state.actor);
      return views.renderPage(ctx, 'pages/confirm/index', {
        title: 'Delete your account?',
        confirm: {
          question: `Delete your account “${me.username}”?`,
          lines: [
            'You are logged out, and your sessions and API tokens end at once, on every device.',
            'Images, equipment and corrections stay in the library.',
          ],
          warning: 'This cannot be undone: you cannot log in again unless an administrator makes a new account.',
          action: '/account/delete',
          button: 'Delete my account',
          danger: true,
          cancel: '/account',
        },
      });
    }
    try {
      await s.users.removeSelf(ctx.state.actor);
    } catch (err) {
      const e = userError(err);
      return renderAccount(ctx, s, views, { deleteError: e.message }, e.status);
    }
    ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0 });
    redirectAfterPost(ctx, '/login?notice=account_deleted');
  };
}
