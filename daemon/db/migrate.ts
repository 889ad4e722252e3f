/**
 * Forward-only migrations from sql/migrations/NNNN_name.sql, applied in order
 * under an advisory lock so that hosts starting together do not race. The
 * daemon refuses a database that has migrations it does not know (newer).
 */
import { readdir, readFile } from 'node:fs/promises';
import { paths } from '../paths.ts';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../log.ts';

const MIGRATIONS_DIR = paths.migrations;
const LOCK_KEY = 727_001; // advisory lock id for migrations

export interface Migration {
  version: number;
  name: string;
  file: string;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  return files.map((f) => ({ version: Number(f.slice(0, 4)), name: f.slice(5, -4), file: join(dir, f) }));
}

export class SchemaTooNewError extends Error {
  constructor(readonly databaseVersion: number, readonly knownVersion: number) {
    super(`the database schema (version ${databaseVersion}) is newer than this Sidereal (knows up to ${knownVersion}): upgrade Sidereal or restore a matching backup`);
    this.name = 'SchemaTooNewError';
  }
}

/** Applies pending migrations; returns the versions applied. Uses its own connection. */
export async function migrate(databaseUrl: string, log: Logger): Promise<number[]> {
  const migrations = await listMigrations();
  const known = migrations.at(-1)?.version ?? 0;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: number[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`create table if not exists schema_migrations (
      version integer primary key, name text not null, applied_at timestamptz not null default now())`);
    const { rows } = await client.query<{ version: number }>('select version from schema_migrations order by version');
    const done = new Set(rows.map((r) => r.version));
    const newest = rows.at(-1)?.version ?? 0;
    if (newest > known) throw new SchemaTooNewError(newest, known);
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      const text = await readFile(m.file, 'utf8');
      log.info({ version: m.version, name: m.name }, 'applying migration');
      await client.query('begin');
      try {
        await client.query(text);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.version);
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
  return applied;
}
