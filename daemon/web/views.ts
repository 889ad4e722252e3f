/**
 * Eta templates from views/: layouts, pages and partials. Views receive plain
 * view models and never call services. A request from htmx gets the partial
 * (`Vary: HX-Request`), anything else the whole page.
 */
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type Koa from 'koa';
import * as format from './format.ts';

export interface Views {
  eta: Eta;
  render(name: string, data: Record<string, unknown>): string;
  renderPage(ctx: Koa.Context, page: string, data: Record<string, unknown>): void;
}

export function createViews(): Views {
  const eta = new Eta({ views: fileURLToPath(new URL('../../views/', import.meta.url)), cache: process.env.SIDEREAL_DEV !== '1', autoTrim: false });
  const render = (name: string, data: Record<string, unknown>) => eta.render(name, { ...data, f: format });
  return {
    eta,
    render,
    renderPage(ctx, page, data) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = render(page, { ...data, user: ctx.state.user ?? null, csrf: ctx.state.csrf ?? '', path: ctx.path });
    },
  };
}
