/**
 * Static files: `static/` of the repository, plus htmx and OpenSeadragon from
 * their npm packages (served as /static/htmx.min.js and /static/openseadragon.min.js
 * so that their versions live in the lockfile).
 * No build step for the front end.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';
import { paths } from '../paths.ts';

const STATIC_DIR = paths.static + sep;
const require = createRequire(import.meta.url);
const EXTRA: Record<string, string> = {
  'htmx.min.js': join(require.resolve('htmx.org/package.json'), '..', 'dist', 'htmx.min.js'),
  // the deep-zoom viewer, loaded by static/viewer.js when the full-resolution view opens
  'openseadragon.min.js': join(require.resolve('openseadragon/package.json'), '..', 'build', 'openseadragon', 'openseadragon.min.js'),
};
/**
 * OpenSeadragon adds one small <style> block of its own (no focus outline on touch screens).
 * The Content-Security-Policy allows exactly that block by its hash and no other inline style;
 * the viewer's browser test fails on any violation, so an upgrade that changes the block shows.
 */
export const OPENSEADRAGON_STYLE_HASH = "'sha256-9xTiqzfwFaL2SGb1rmr8gysEwVVjIvqWAgmZgqFqpEE='";
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json' };

export function serveStatic(): Koa.Middleware {
  return async function staticFiles(ctx, next) {
    if (!ctx.path.startsWith('/static/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const rel = decodeURIComponent(ctx.path.slice('/static/'.length));
    const file = EXTRA[rel] ?? normalize(join(STATIC_DIR, rel));
    if (!EXTRA[rel] && !file.startsWith(STATIC_DIR.endsWith(sep) ? STATIC_DIR : STATIC_DIR + sep)) return next();
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) return next();
    ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
    ctx.length = st.size;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.lastModified = st.mtime;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = createReadStream(file);
  };
}
