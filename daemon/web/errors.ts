/**
 * One place turns errors into responses: problem+json under /api and for
 * JSON clients, an HTML error page otherwise. 4xx messages reach the client;
 * a 5xx shows only a generic text and the request id. Logging is separate.
 */
import type Koa from 'koa';
import { DomainError } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId?: string;
  errors?: unknown;
}

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export function toProblem(err: unknown, requestId: string): Problem {
  if (err instanceof DomainError) {
    return { type: `https://sidereal.invalid/problems/${err.type}`, title: TITLES[err.status] ?? 'Error', status: err.status, detail: err.message, requestId, ...(err.details?.errors ? { errors: err.details.errors } : {}) };
  }
  const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string };
  const status = e.status ?? e.statusCode ?? 500;
  if (status < 500 && e.expose !== false) {
    return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail: e.message ?? TITLES[status] ?? 'Error', requestId };
  }
  return { type: 'about:blank', title: TITLES[500]!, status: 500, detail: `Something went wrong on our side (request ${requestId}).`, requestId };
}

export function errorHandler(log: Logger, renderHtml?: (ctx: Koa.Context, p: Problem) => Promise<void> | void): Koa.Middleware {
  return async function errorHandler(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        const err = Object.assign(new Error('Not found'), { status: 404, expose: true });
        throw err;
      }
    } catch (err) {
      const requestId = String(ctx.state.requestId ?? '');
      const problem = toProblem(err, requestId);
      if (problem.status >= 500) log.error({ err, requestId, path: ctx.path }, 'request failed');
      else log.debug({ requestId, path: ctx.path, status: problem.status, detail: problem.detail }, 'request rejected');
      ctx.status = problem.status;
      const retry = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retry) ctx.set('Retry-After', String(Math.ceil(retry)));
      const wantsJson = ctx.path.startsWith('/api/') || ctx.path === '/status' || ctx.path === '/health' || !ctx.accepts('html');
      if (!wantsJson && renderHtml) {
        await renderHtml(ctx, problem);
      } else {
        ctx.type = 'application/problem+json';
        ctx.body = problem;
      }
    }
  };
}
