/**
 * Input that no handler should see: a NUL character in any text the request
 * carries (path, query, the headers we read, form and JSON bodies, keys
 * included). PostgreSQL cannot store NUL in text, so without this check it
 * became a 500 deep inside; here it is a 400 problem at the edge.
 * Multipart uploads are checked where they are read (api/upload.ts).
 */
import type Koa from 'koa';
import { InvalidInputError } from '../errors.ts';

const HEADERS = ['cookie', 'authorization', 'x-csrf-token', 'user-agent', 'hx-request', 'hx-current-url', 'hx-target', 'x-request-id', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'];

/** The first place where a value holds a NUL (e.g. "body.username"), or null. */
export function findNul(value: unknown, where: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\0') ? where : null;
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\0')) return where;
    const hit = findNul(v, `${where}.${k}`, depth + 1);
    if (hit) return hit;
  }
  return null;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // malformed escapes are the router's business
  }
}

export function rejectNul(): Koa.Middleware {
  return async function rejectNul(ctx, next) {
    const hit =
      (decoded(ctx.path).includes('\0') ? 'path' : null) ??
      findNul(ctx.query, 'query') ??
      HEADERS.map((h) => (ctx.get(h).includes('\0') ? `header ${h}` : null)).find(Boolean) ??
      findNul((ctx.request as { body?: unknown }).body, 'body');
    if (hit) throw new InvalidInputError(`${hit}: text may not contain NUL characters`);
    return next();
  };
}
