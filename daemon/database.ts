/**
 * Opens the database: the configured PostgreSQL, or an embedded one under the
 * data folder; applies migrations; seeds the object catalog once.
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

export async function openDatabase(config: Config, log: Logger, options: { migrate?: boolean; poolSize?: number } = {}): Promise<Database> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), log: log.child({ component: 'embedded-postgres' }) });
    url = embedded.url;
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
