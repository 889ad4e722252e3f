/**
 * `sidereal backup`: dumps the database with pg_dump in custom format (compressed,
 * restorable table by table with pg_restore), checks the dump by listing it,
 * and keeps the newest SIDEREAL_BACKUP_KEEP dumps in SIDEREAL_BACKUP_DIR.
 *
 * The dump is consistent (one snapshot), so it can be taken while Sidereal runs.
 * It holds the database only: the library (your image files) and the derived
 * files are backed up separately (docs/backups.md).
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { log as rootLog, type Logger } from '../log.ts';
import { backupFileName, rotateBackups } from './backupFiles.ts';
import { openCommandDatabase, schemaVersion, serverMajor, withClient, type CommandDatabase } from './commandDatabase.ts';
import { checkMajor, libpqTarget, pgToolVersion, runPgTool } from './pgTools.ts';

export interface BackupOptions {
  config: Config;
  /** write exactly this file (no rotation); default: a new dated file in `dir` */
  file?: string;
  /** default config.backupDir */
  dir?: string;
  /** dated dumps to keep in `dir`; default config.backupKeep; 0 keeps all */
  keep?: number;
  /** progress lines for a person watching */
  report?: (line: string) => void;
  log?: Logger;
}

export interface BackupResult {
  file: string;
  bytes: number;
  seconds: number;
  /** newest applied migration in the dumped database (null: not a Sidereal schema) */
  schemaVersion: number | null;
  /** tables whose data the dump holds */
  tables: number;
  /** rotated dumps deleted afterwards */
  deleted: string[];
  database: CommandDatabase['source'];
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** Lists a dump with pg_restore (which reads its whole table of contents): proves it is readable. */
export async function listDump(pgRestore: string, file: string): Promise<{ entries: number; tableData: string[] }> {
  const { stdout } = await runPgTool(pgRestore, ['--list', file], { setting: 'SIDEREAL_PG_RESTORE' });
  const lines = stdout.split('\n').filter((l) => l && !l.startsWith(';'));
  // e.g. "4321; 0 16390 TABLE DATA public images sidereal"
  const tableData = lines.filter((l) => / TABLE DATA /.test(l)).map((l) => l.split(' TABLE DATA ')[1]!.split(' ').slice(0, 2).join('.'));
  return { entries: lines.length, tableData };
}

export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const { config } = options;
  const report = options.report ?? (() => {});
  const log = options.log ?? rootLog;
  const t0 = Date.now();
  const pgDump = await pgToolVersion(config.pgDump, 'SIDEREAL_PG_DUMP');
  const db = await openCommandDatabase(config, log, { createIfMissing: false });
  let tmp: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  try {
    const info = await withClient(db.url, async (c) => {
      const { rows } = await c.query<{ name: string; size: string }>('select current_database() as name, pg_database_size(current_database())::text as size');
      return { major: await serverMajor(c), schema: await schemaVersion(c), name: rows[0]!.name, size: Number(rows[0]!.size) };
    });
    checkMajor(pgDump, info.major, 'SIDEREAL_PG_DUMP');

    let file: string;
    if (options.file) file = resolve(options.file);
    else {
      const dir = resolve(options.dir ?? config.backupDir);
      const name = backupFileName(new Date());
      file = join(dir, name);
      for (let n = 2; existsSync(file); n++) file = join(dir, name.replace(/\.dump$/, `-${n}.dump`));
    }
    await mkdir(dirname(file), { recursive: true });
    // written under a temporary name and renamed when complete and checked:
    // a dump cut short (full disk, killed) never looks like a backup
    tmp = `${file}.partial`;
    report(
      `dumping database "${info.name}" (PostgreSQL ${info.major}, ${info.schema === null ? 'no Sidereal schema' : `schema version ${info.schema}`}, ${mb(info.size)} on disk` +
        `${db.source === 'external' ? '' : `, embedded server ${db.source === 'running' ? 'of the running daemon' : 'started for the backup'}`}) with pg_dump ${pgDump.version}`,
    );
    timer = setInterval(() => {
      stat(tmp!).then(
        (s) => report(`  ${mb(s.size)} written, ${Math.round((Date.now() - t0) / 1000)} s`),
        () => {},
      );
    }, 5000);
    const target = libpqTarget(db.url, 'sidereal-backup');
    await runPgTool(pgDump.bin, ['--format=custom', '--no-owner', '--no-privileges', `--file=${tmp}`, `--dbname=${target.uri}`], {
      env: target.env,
      setting: 'SIDEREAL_PG_DUMP',
    });
    clearInterval(timer);
    timer = null;
    const listed = await listDump(config.pgRestore, tmp);
    await rename(tmp, file);
    tmp = null;
    const bytes = (await stat(file)).size;
    report(`wrote ${file} (${mb(bytes)}, ${listed.tableData.length} tables, ${listed.entries} entries)`);
    const deleted = options.file ? [] : await rotateBackups(dirname(file), options.keep ?? config.backupKeep);
    if (deleted.length) report(`deleted ${deleted.length} older backup(s): ${deleted.join(', ')}`);
    return { file, bytes, seconds: (Date.now() - t0) / 1000, schemaVersion: info.schema, tables: listed.tableData.length, deleted, database: db.source };
  } finally {
    if (timer) clearInterval(timer);
    if (tmp) await rm(tmp, { force: true }).catch(() => {});
    await db.close();
  }
}

const HELP = `usage: sidereal backup [--dir DIR] [--keep N] [--file FILE]

Dumps the database (pg_dump, custom format) into DIR as sidereal-YYYYMMDD-HHMMSS.dump
and deletes all but the N newest such files. Safe while Sidereal runs.

  --dir DIR     backup folder (default SIDEREAL_BACKUP_DIR, else SIDEREAL_DATA_DIR/backups)
  --keep N      dumps to keep (default SIDEREAL_BACKUP_KEEP, 14); 0 keeps all
  --file FILE   write exactly FILE instead (no rotation)

The library and the derived files are not in the dump: see docs/backups.md.`;

/** CLI entry (daemon/cli.ts). Exit code 0 on success, 1 on failure, 2 on bad arguments. */
export async function run(args: string[], config: Config): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { dir: { type: 'string' }, keep: { type: 'string' }, file: { type: 'string', short: 'f' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const keep = values.keep === undefined ? undefined : Number(values.keep);
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 0)) {
    process.stderr.write(`--keep: "${values.keep}" is not a whole number ≥ 0\n`);
    return 2;
  }
  try {
    const r = await createBackup({ config, dir: values.dir, keep, file: values.file, report: (l) => process.stdout.write(l + '\n') });
    process.stdout.write(`backup done in ${r.seconds.toFixed(1)} s: ${basename(r.file)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`backup failed: ${(err as Error).message}\n`);
    return 1;
  }
}
