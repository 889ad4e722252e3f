/**
 * Static files: `static/` of the repository, plus htmx from its npm package
 * (served as /static/htmx.min.js so that its version lives in the lockfile).
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
};
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
