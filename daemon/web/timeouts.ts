/**
 * Time limits on what clients send, so that slow or stalled connections
 * cannot pile up (slowloris):
 * - headers: Node's `headersTimeout` (server.ts);
 * - bodies of forms and JSON: the whole body within SIDEREAL_REQUEST_TIMEOUT_MS
 *   (this middleware), else the connection is closed;
 * - uploads (multipart) are exempt from that total, since a multi-GB file at
 *   normal speed takes long: they are cut only when nothing moves for
 *   SIDEREAL_IDLE_TIMEOUT_MS (the socket inactivity timeout, server.ts);
 * - idle keep-alive connections: `keepAliveTimeout` (server.ts).
 * Node's own `requestTimeout` covers headers and body together and cannot
 * exempt uploads, so it is off.
 */
import type Koa from 'koa';
import type { Config } from '../config.ts';

export function requestTimeouts(config: Pick<Config, 'requestTimeoutMs'>): Koa.Middleware {
  return async function requestTimeouts(ctx, next) {
    const req = ctx.req;
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.complete && !ctx.is('multipart/form-data')) {
      const timer = setTimeout(() => {
        if (req.complete) return;
        const res = ctx.res;
        if (!res.headersSent) {
          res.writeHead(408, { 'content-type': 'application/problem+json', connection: 'close' });
          res.end(JSON.stringify({ type: 'about:blank', title: 'Request Timeout', status: 408, detail: `the request body did not arrive within ${Math.round(config.requestTimeoutMs / 1000)} s` }));
        }
        req.socket.destroy();
      }, config.requestTimeoutMs);
      timer.unref();
      const done = () => clearTimeout(timer);
      req.once('end', done);
      req.once('close', done);
    }
    return next();
  };
}
