/**
 * The database a maintenance command (backup, restore) works on: the
 * configured DATABASE_URL, or the embedded PostgreSQL under the data folder.
 *
 * The embedded server's URL exists only while some process runs it. Two
 * servers must never run on one data folder, so when a daemon already runs
 * it (postmaster.pid names a live process) the command connects to that
 * server's port; otherwise it starts the server itself and stops it after.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { embeddedDatabaseUrl, embeddedPassword, runningEmbeddedPort, startEmbeddedPostgres } from '../db/embedded.ts';

export interface CommandDatabase {
  url: string;
  /** 'external': DATABASE_URL; 'running': an embedded server another process runs; 'started': started by this command */
  source: 'external' | 'running' | 'started';
  close(): Promise<void>;
}

export function embeddedDir(config: Config): string {
  return join(config.dataDir, 'postgres');
}

export async function openCommandDatabase(config: Config, log: Logger, options: { createIfMissing: boolean }): Promise<CommandDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, source: 'external', close: async () => {} };
  const dir = embeddedDir(config);
  const port = runningEmbeddedPort(dir);
  if (port !== null) {
    const url = embeddedDatabaseUrl(port, 'sidereal', embeddedPassword(dir));
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
    } catch (err) {
      throw new Error(`an embedded PostgreSQL holds ${dir} (postmaster.pid) but does not answer on port ${port}: ${(err as Error).message}`, { cause: err });
    } finally {
      await client.end().catch(() => {});
    }
    return { url, source: 'running', close: async () => {} };
  }
  if (!options.createIfMissing && !existsSync(join(dir, 'PG_VERSION'))) {
    throw new Error(`no database: DATABASE_URL is not set and there is no embedded database under ${dir}`);
  }
  // quiet: the command prints its own progress
  const embedded = await startEmbeddedPostgres({ dir, log: log.child({ component: 'embedded-postgres' }, { level: 'warn' }) });
  // Ctrl-C or a stop signal must not leave the server we started running
  // (it would hold the data folder and keep the daemon from starting).
  const onSignal = () => {
    embedded.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    url: embedded.url,
    source: 'started',
    close: async () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await embedded.stop();
    },
  };
}

/** Runs `fn` with a plain client on `url` (commands need one connection, not a pool). */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'sidereal-command' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Major version of the server (15 for 15.18). */
export async function serverMajor(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ server_version_num: string }>('show server_version_num');
  return Math.floor(Number(rows[0]!.server_version_num) / 10000);
}

/** Newest applied migration, or null when the database has no Sidereal schema. */
export async function schemaVersion(client: pg.Client): Promise<number | null> {
  // two queries: a query naming a missing table fails even in an untaken branch
  const exists = await client.query<{ t: string | null }>(`select to_regclass('public.schema_migrations')::text as t`);
  if (!exists.rows[0]?.t) return null;
  const { rows } = await client.query<{ v: number | null }>('select max(version) as v from public.schema_migrations');
  return rows[0]?.v ?? null;
}
