/** A fresh, migrated database on the benchmark's PostgreSQL server. */
import pg from 'pg';
import { migrate } from '../daemon/db/migrate.ts';
import { log } from '../daemon/log.ts';

export async function createBenchDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrate(url, log);
  return url;
}
