/**
 * Opens the database: the configured PostgreSQL, or an embedded one under the
 * data folder; applies migrations; seeds the object catalog once.
 *
 * When the embedded server dies under the daemon it is started again (same
 * port, so the pool reconnects by itself) up to `RESTARTS` times in a row with
 * a growing pause; if it cannot be started, `onLost` is called (the CLI exits
 * non-zero so that a supervisor restarts the whole daemon). An external
 * database is not ours to restart: the pool reconnects once it is back.
 */
import { join } from 'node:path';
import type { DatabasePool } from 'slonik';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { createDatabasePool } from './db/pool.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { seedObjects } from './db/objects.ts';

export interface Database {
  url: string;
  pool: DatabasePool;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

const RESTARTS = 5;

/** Restarts the embedded server when it exits unexpectedly; bounded retries, then `onLost`. */
function superviseEmbedded(embedded: EmbeddedDatabase, log: Logger, onLost: (err: Error) => void): void {
  let restarting = false;
  embedded.onExit(() => {
    if (restarting) return;
    restarting = true;
    void (async () => {
      let last: unknown = null;
      for (let attempt = 1; attempt <= RESTARTS; attempt++) {
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** (attempt - 1))));
        try {
          await embedded.restart();
          log.warn({ attempt }, 'embedded PostgreSQL was restarted after it exited');
          restarting = false;
          return;
        } catch (err) {
          last = err;
          log.error({ err, attempt }, 'embedded PostgreSQL restart failed');
        }
      }
      onLost(new Error(`the embedded PostgreSQL exited and could not be restarted (${RESTARTS} attempts)`, { cause: last }));
    })();
  });
}

export async function openDatabase(
  config: Config,
  log: Logger,
  options: { migrate?: boolean; poolSize?: number; onLost?: (err: Error) => void } = {},
): Promise<Database> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (!url) {
    const elog = log.child({ component: 'embedded-postgres' });
    embedded = await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), log: elog });
    url = embedded.url;
    superviseEmbedded(embedded, elog, options.onLost ?? ((err) => elog.fatal({ err }, 'database lost')));
  }
  try {
    if (options.migrate !== false) {
      const applied = await migrate(url, log.child({ component: 'migrate' }));
      if (applied.length) log.info({ applied }, 'database migrated');
    }
    const pool = await createDatabasePool(url, { maximumPoolSize: options.poolSize ?? Math.max(10, config.workers * 2 + 4) });
    if (options.migrate !== false) await seedObjects(pool, log);
    return {
      url,
      pool,
      embedded,
      async close() {
        await pool.end();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop().catch(() => {});
    throw err;
  }
}
