/**
 * The HTTP(S) server around the Koa app: HTTPS directly when a certificate is
 * configured, else plain HTTP (TLS at a reverse proxy).
 */
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type Koa from 'koa';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

export async function startHttpServer(app: Koa, config: Config, log: Logger): Promise<Server> {
  const handler = app.callback();
  const server: Server =
    config.tlsCert && config.tlsKey ? createHttps({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, handler) : createHttp(handler);
  server.requestTimeout = 0; // long uploads
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  log.info({ url: `${config.tlsCert ? 'https' : 'http'}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/`, port }, 'listening');
  return server;
}
