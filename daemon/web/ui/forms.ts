/**
 * Small helpers of the HTML handlers: form values, redirects after a POST,
 * and turning a domain error into a message for the re-rendered form.
 */
import type Koa from 'koa';
import { DomainError } from '../../errors.ts';
import { isHtmx } from '../views.ts';

export type FormBody = Record<string, string | string[] | undefined>;

export function formBody(ctx: Koa.Context): FormBody {
  const b = (ctx.request as { body?: unknown }).body;
  return b && typeof b === 'object' ? (b as FormBody) : {};
}

/** One text value of a form field (the first, trimmed), or undefined when empty. */
export function field(b: FormBody, name: string): string | undefined {
  const v = b[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}

/** Every value of a repeated field (textarea lines for lists). */
export function lines(b: FormBody, name: string): string[] {
  const v = b[name];
  const all = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return all.flatMap((x) => x.split(/\r?\n/)).map((x) => x.trim()).filter(Boolean);
}

/** After a successful POST: a real redirect (303), or HX-Location for htmx. */
export function redirectAfterPost(ctx: Koa.Context, to: string): void {
  if (isHtmx(ctx)) {
    ctx.set('HX-Location', to);
    ctx.status = 204;
    ctx.body = null;
    return;
  }
  ctx.status = 303;
  ctx.redirect(to);
}

/** The message of an error the user can fix (4xx), or rethrows. */
export function userError(err: unknown): { message: string; status: number; errors: { path: string; message: string }[] } {
  if (err instanceof DomainError && err.status < 500) {
    const errors = (err.details?.errors as { path: string; message: string }[] | undefined) ?? [];
    return { message: err.message, status: err.status === 401 || err.status === 403 ? err.status : err.status === 409 ? 409 : 422, errors };
  }
  throw err;
}

/** Query values without the empty ones (a plain form submits every field). */
export function cleanQuery(q: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(q)) {
    if (Array.isArray(v)) {
      const vs = v.filter((x) => typeof x === 'string' && x.trim() !== '');
      if (vs.length) out[k] = vs.length === 1 ? vs[0]! : vs;
    } else if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  }
  return out;
}
