/**
 * Runs PostgreSQL's client programs (pg_dump, pg_restore) for the backup and
 * restore commands: finds them, checks their major version against the
 * server's, and passes the password through the environment, never on the
 * command line (where `ps` would show it).
 */
import { spawn } from 'node:child_process';

export interface PgTool {
  /** program as configured (a name on the PATH or a path) */
  bin: string;
  /** e.g. "15.18" */
  version: string;
  major: number;
}

export class PgToolError extends Error {
  override name = 'PgToolError';
}

/** `pg_dump --version` → { major: 15, version: '15.18' }; a clear error when the program is missing. */
export async function pgToolVersion(bin: string, setting: string): Promise<PgTool> {
  const r = await runPgTool(bin, ['--version'], { setting });
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(r.stdout);
  if (!m) throw new PgToolError(`${bin} --version printed "${r.stdout.trim()}": not a PostgreSQL client program (${setting})`);
  return { bin, version: m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`, major: Number(m[1]) };
}

/**
 * pg_dump refuses servers of a newer major version ("aborting because of
 * server version mismatch"); say so before starting, with the fix.
 */
export function checkMajor(tool: PgTool, serverMajor: number, setting: string): void {
  if (tool.major < serverMajor) {
    throw new PgToolError(
      `${tool.bin} is version ${tool.version} but the server is PostgreSQL ${serverMajor}: ` +
        `install the PostgreSQL ${serverMajor} client programs (e.g. postgresql-client-${serverMajor}) and point ${setting} at them`,
    );
  }
}

/**
 * A libpq connection URI without the password (the password goes into
 * PGPASSWORD) and with an application_name, so that the session shows up
 * recognisably in pg_stat_activity.
 */
export function libpqTarget(databaseUrl: string, applicationName: string): { uri: string; env: Record<string, string> } {
  const u = new URL(databaseUrl);
  const env: Record<string, string> = {};
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  u.password = '';
  if (!u.searchParams.has('application_name')) u.searchParams.set('application_name', applicationName);
  return { uri: u.toString(), env };
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a client program to completion. `onStderrLine` sees each line of
 * standard error as it comes (pg_restore --verbose reports progress there).
 * Throws with the last lines of standard error when the program fails.
 */
export function runPgTool(
  bin: string,
  args: string[],
  options: { env?: Record<string, string>; setting: string; onStderrLine?: (line: string) => void; captureStdout?: boolean },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let partial = '';
    child.stdout.on('data', (b: Buffer) => {
      if (options.captureStdout !== false) out.push(b);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      err += s;
      if (err.length > 1 << 20) err = err.slice(-(1 << 19)); // keep the tail only
      if (options.onStderrLine) {
        partial += s;
        const lines = partial.split('\n');
        partial = lines.pop()!;
        for (const l of lines) options.onStderrLine(l);
      }
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new PgToolError(`${bin} not found: install the PostgreSQL client programs (Debian: postgresql-client) or set ${options.setting}`)
          : e,
      );
    });
    child.once('close', (code, signal) => {
      if (partial && options.onStderrLine) options.onStderrLine(partial);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) return resolve({ stdout, stderr: err });
      const tail = err.trim().split('\n').slice(-8).join('\n');
      reject(new PgToolError(`${bin} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`}): ${tail || '(no message)'}`));
    });
  });
}
