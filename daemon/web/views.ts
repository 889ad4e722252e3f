/**
 * Eta templates from views/: layouts, pages and partials. Views receive plain
 * view models and never call services. A request from htmx gets the partial
 * (`Vary: HX-Request`), anything else the whole page; a history-restore
 * request gets the page.
 */
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { paths } from '../paths.ts';
import type Koa from 'koa';
import * as format from './format.ts';

export interface Views {
  eta: Eta;
  render(name: string, data: Record<string, unknown>): string;
  /** a whole page, with the layout's common data (actor, CSRF token, path) */
  renderPage(ctx: Koa.Context, page: string, data: Record<string, unknown>, status?: number): void;
  /** a fragment, with the same common data */
  renderPartial(ctx: Koa.Context, partial: string, data: Record<string, unknown>, status?: number): void;
  /** the partial for htmx, the page otherwise */
  pageOrPartial(ctx: Koa.Context, page: string, partial: string, data: Record<string, unknown>, status?: number): void;
}

export function isHtmx(ctx: Koa.Context): boolean {
  return !!ctx.get('HX-Request') && !ctx.get('HX-History-Restore-Request');
}

const NOTICES: Record<string, string> = {
  saved: 'Saved.',
  created: 'Created.',
  deleted: 'Deleted.',
  merged: 'Merged.',
  password: 'Your password is changed: your other sessions have ended and your API tokens (30-day login tokens included) are revoked.',
  password_reset: "The password is set: the user's sessions have ended and their API tokens are revoked.",
  revoked: 'The token is revoked.',
  rerun: 'Queued: the images will be processed again.',
  totp_off: 'The second factor is off.',
  account_deleted: 'Your account is deleted.',
  uploaded: 'Uploaded: the files are being processed.',
  welcome: 'Welcome: you are the administrator. Drop image files or folders into the library folder (./library, or the folders in SIDEREAL_WATCH_DIRS) or use Upload; add users under Admin.',
};

export function createViews(): Views {
  const eta = new Eta({ views: paths.views, cache: process.env.SIDEREAL_DEV !== '1', autoTrim: false });
  const render = (name: string, data: Record<string, unknown>) => eta.render(name, { ...data, f: format });
  const common = (ctx: Koa.Context) => {
    const actor = ctx.state.actor ?? null;
    const notice = typeof ctx.query.notice === 'string' ? (NOTICES[ctx.query.notice] ?? null) : null;
    return { actor, isAdmin: actor?.role === 'admin', csrf: ctx.state.csrf ?? '', path: ctx.path, notice };
  };
  const send = (ctx: Koa.Context, name: string, data: Record<string, unknown>, status?: number) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = render(name, { ...common(ctx), ...data });
    if (status) ctx.status = status;
  };
  return {
    eta,
    render,
    renderPage: (ctx, page, data, status) => send(ctx, page, data, status),
    renderPartial: (ctx, partial, data, status) => send(ctx, partial, data, status),
    pageOrPartial(ctx, page, partial, data, status) {
      ctx.set('Vary', 'HX-Request');
      send(ctx, isHtmx(ctx) ? partial : page, data, status);
    },
  };
}
