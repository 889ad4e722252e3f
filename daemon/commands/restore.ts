/**
 * `sidereal restore FILE`: restores a dump made by `sidereal backup` into the
 * configured database (or the embedded one, created when missing).
 *
 * Refuses, with the reason and the fix:
 * - a dump from a newer Sidereal (its schema is newer than this one knows);
 * - a database other sessions are using (stop every Sidereal process first);
 * - a database that already holds tables, unless --force, which first saves
 *   it to a safety dump, then replaces it.
 * The restore runs in one transaction: it lands completely or not at all.
 * Afterwards pending migrations are applied (a dump from an older Sidereal).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { log as rootLog, type Logger } from '../log.ts';
import { listMigrations, migrate } from '../db/migrate.ts';
import { createBackup, listDump } from './backup.ts';
import { backupFileName, listBackups } from './backupFiles.ts';
import { openCommandDatabase, schemaVersion, serverMajor, withClient, type CommandDatabase } from './commandDatabase.ts';
import { checkMajor, libpqTarget, pgToolVersion, runPgTool } from './pgTools.ts';

export interface RestoreOptions {
  config: Config;
  file: string;
  /** replace a database that already holds tables */
  force?: boolean;
  /** with force: dump the database being replaced first (default true) */
  safetyBackup?: boolean;
  report?: (line: string) => void;
  log?: Logger;
}

export interface RestoreResult {
  file: string;
  seconds: number;
  /** schema version in the dump */
  dumpSchemaVersion: number;
  /** migrations applied after the restore (dump from an older Sidereal) */
  migrated: number[];
  tables: number;
  /** the safety dump of the replaced database, if one was taken */
  safetyBackup: string | null;
  database: CommandDatabase['source'];
}

export class RestoreRefused extends Error {
  override name = 'RestoreRefused';
}

/**
 * The schema version recorded in a dump: the newest row of its
 * schema_migrations table, read with pg_restore without touching a database.
 */
export async function dumpSchemaVersion(pgRestore: string, file: string): Promise<number | null> {
  const { stdout } = await runPgTool(pgRestore, ['--data-only', '--table=schema_migrations', '--file=-', file], { setting: 'SIDEREAL_PG_RESTORE' });
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /^COPY\s+\S*schema_migrations\s/.test(l));
  if (start < 0) return null;
  let newest: number | null = null;
  for (const line of lines.slice(start + 1)) {
    if (line === '\\.') break;
    const v = Number(line.split('\t')[0]);
    if (Number.isInteger(v)) newest = Math.max(newest ?? v, v);
  }
  return newest;
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const { config } = options;
  const report = options.report ?? (() => {});
  const log = options.log ?? rootLog;
  const t0 = Date.now();
  const file = resolve(options.file);
  if (!existsSync(file)) throw new RestoreRefused(`${file}: no such file`);
  const pgRestore = await pgToolVersion(config.pgRestore, 'SIDEREAL_PG_RESTORE');

  // Check the dump before touching any database.
  const listed = await listDump(pgRestore.bin, file);
  const dumpVersion = await dumpSchemaVersion(pgRestore.bin, file);
  if (dumpVersion === null) throw new RestoreRefused(`${file} holds no schema_migrations table: not a Sidereal database dump`);
  const known = (await listMigrations()).at(-1)?.version ?? 0;
  if (dumpVersion > known) {
    throw new RestoreRefused(`${file} comes from a newer Sidereal (schema version ${dumpVersion}; this one knows up to ${known}): restore it with that version or newer`);
  }
  report(`${file}: ${listed.tableData.length} tables, schema version ${dumpVersion}`);

  const db = await openCommandDatabase(config, log, { createIfMissing: true });
  try {
    const state = await withClient(db.url, async (c) => {
      const others = await c.query<{ who: string }>(
        `select coalesce(nullif(application_name, ''), 'unnamed') || ' from ' || coalesce(client_addr::text, 'local socket') as who
           from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      );
      const tables = await c.query<{ n: number }>(`select count(*)::int as n from pg_tables where schemaname = 'public'`);
      return { major: await serverMajor(c), others: others.rows.map((r) => r.who), tables: tables.rows[0]!.n, schema: await schemaVersion(c) };
    });
    checkMajor(pgRestore, state.major, 'SIDEREAL_PG_RESTORE');
    if (state.others.length) {
      throw new RestoreRefused(
        `${state.others.length} other session(s) use the database (${[...new Set(state.others)].join(', ')}): stop every Sidereal process (web and work, on every host) and retry`,
      );
    }
    let safety: string | null = null;
    if (state.tables > 0) {
      if (!options.force) {
        throw new RestoreRefused(
          `the database already holds ${state.tables} tables${state.schema === null ? '' : ` (schema version ${state.schema})`}: ` +
            `restore into an empty database, or pass --force to replace it (a safety dump is taken first)`,
        );
      }
      if (options.safetyBackup !== false) {
        const r = await createBackup({ config: { ...config, databaseUrl: db.url }, file: join(config.backupDir, backupFileName(new Date(), 'sidereal-pre-restore')), report, log });
        safety = r.file;
      }
      report('dropping the current contents (schema public)');
      await withClient(db.url, (c) => c.query('drop schema public cascade; create schema public'));
    }

    report(`restoring with pg_restore ${pgRestore.version}`);
    const target = libpqTarget(db.url, 'sidereal-restore');
    let done = 0;
    await runPgTool(
      pgRestore.bin,
      ['--verbose', '--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', `--dbname=${target.uri}`, file],
      {
        env: target.env,
        setting: 'SIDEREAL_PG_RESTORE',
        captureStdout: false,
        onStderrLine: (line) => {
          const m = /processing data for table "([^"]+)"/.exec(line);
          if (m) report(`  data ${++done}/${listed.tableData.length}: ${m[1]}`);
        },
      },
    );
    report('updating planner statistics (analyze)');
    await withClient(db.url, (c) => c.query('analyze'));
    const migrated = await migrate(db.url, log.child({ component: 'migrate' }));
    if (migrated.length) report(`applied migrations ${migrated.join(', ')} (the dump came from an older Sidereal)`);
    return { file, seconds: (Date.now() - t0) / 1000, dumpSchemaVersion: dumpVersion, migrated, tables: listed.tableData.length, safetyBackup: safety, database: db.source };
  } finally {
    await db.close();
  }
}

const HELP = `usage: sidereal restore (FILE | --latest) [--force] [--no-safety-backup]

Restores a dump made by \`sidereal backup\` into the configured database (DATABASE_URL,
or the embedded database under SIDEREAL_DATA_DIR, created when missing).
Stop every Sidereal process first.

  --latest             the newest dump in SIDEREAL_BACKUP_DIR
  --force              replace a database that already holds tables
                       (it is first saved as sidereal-pre-restore-….dump in SIDEREAL_BACKUP_DIR)
  --no-safety-backup   with --force: do not save it first`;

/** CLI entry (daemon/cli.ts). Exit code 0 on success, 1 on failure or refusal, 2 on bad arguments. */
export async function run(args: string[], config: Config): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { latest: { type: 'boolean' }, force: { type: 'boolean' }, 'no-safety-backup': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  let file = positionals[0];
  if (values.latest) {
    const all = await listBackups(config.backupDir);
    if (!all.length) {
      process.stderr.write(`no backups in ${config.backupDir}\n`);
      return 1;
    }
    file = join(config.backupDir, all.at(-1)!);
  }
  if (!file || positionals.length > 1 || (values.latest && positionals.length)) {
    process.stderr.write(`${HELP}\n`);
    return 2;
  }
  try {
    const r = await restoreBackup({ config, file, force: values.force, safetyBackup: !values['no-safety-backup'], report: (l) => process.stdout.write(l + '\n') });
    process.stdout.write(`restore done in ${r.seconds.toFixed(1)} s${r.safetyBackup ? ` (the replaced database was saved to ${r.safetyBackup})` : ''}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`restore failed: ${(err as Error).message}\n`);
    return 1;
  }
}
