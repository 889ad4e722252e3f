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
import { firstRunOf } from './app.ts';

const setupCodes = new WeakMap<Server, string>();

/** The one-time set-up code a server printed at start-up (while no user exists), for tests and tools. */
export function setupCodeOf(server: Server | null): string | null {
  return (server && setupCodes.get(server)) ?? null;
}

export async function startHttpServer(app: Koa, config: Config, log: Logger): Promise<Server> {
  const handler = app.callback();
  const server: Server =
    config.tlsCert && config.tlsKey ? createHttps({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, handler) : createHttp(handler);
  // time limits (see timeouts.ts): Node's requestTimeout would cut long uploads, so the
  // body limit is a middleware; an upload is cut only when its connection goes idle
  server.requestTimeout = 0;
  server.headersTimeout = config.headersTimeoutMs;
  server.timeout = config.idleTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `${config.tlsCert ? 'https' : 'http'}://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}/`;
  // one readable line: where, and what to do first. The set-up code is shown only
  // while no user exists; it is void once the administrator is created.
  const firstRun = firstRunOf(app);
  const needsSetup = firstRun ? await usersMissing(app) : false;
  if (needsSetup) setupCodes.set(server, firstRun!.code);
  const next = needsSetup
    ? `open it in a browser to create the administrator (from another machine, use the one-time set-up code ${firstRun!.code})`
    : 'open it in a browser and log in';
  // where new files go: the drop folders this host watches (a web-only host has none)
  const drop = config.watchDirs.length ? `; drop image files into ${config.watchDirs.join(', ')} or upload them` : '';
  log.info({ url, port, ...(needsSetup ? { setupCode: firstRun!.code } : {}) }, `Sidereal is listening on ${url}: ${next}${drop}`);
  return server;
}

/** Whether no user exists yet (the services answer through the app's first-run check). */
async function usersMissing(app: Koa): Promise<boolean> {
  try {
    return await (firstRunOf(app)?.needsSetup() ?? Promise.resolve(false));
  } catch {
    return false;
  }
}
