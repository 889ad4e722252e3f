/**
 * The `sidereal` command.
 *
 *   sidereal serve     web UI + API + providers + processing (default)
 *   sidereal web       web UI + API only (scale-out: several behind a proxy)
 *   sidereal work      providers + processing only (scale-out: any number of hosts)
 *   sidereal migrate   apply database migrations and exit
 *   sidereal user add <name> [--admin]   create a user (password from stdin or SIDEREAL_ADMIN_PASSWORD)
 */
import { loadConfig, loadDotEnv, ConfigError, redactedConfig } from './config.ts';
import { log, setLogFormat, setLogLevel } from './log.ts';
import { Daemon, type Role } from './Daemon.ts';
import { openCommandDatabase } from './commands/commandDatabase.ts';
import { createDatabasePool } from './db/pool.ts';
import { migrate } from './db/migrate.ts';
import { seedObjects } from './db/objects.ts';
import { UserService } from './services/UserService.ts';
import { SYSTEM_ACTOR } from './auth/permissions.ts';
import { errorMessage } from './errors.ts';
import type { Config } from './config.ts';

/**
 * Further commands live in daemon/commands/<name>.ts and export
 * `run(args, config): Promise<exitCode>`; add one line here per command.
 */
const EXTRA_COMMANDS: Record<string, { summary: string; load: () => Promise<unknown> }> = {
  backup: { summary: 'dump the database (pg_dump, custom format) with rotation', load: () => import('./commands/backup.ts') },
  restore: { summary: 'restore a dump made by `sidereal backup`', load: () => import('./commands/restore.ts') },
  storage: { summary: 'storage status | storage confirm-empty <provider>: degraded sources', load: () => import('./commands/storage.ts') },
  catalog: { summary: 'catalog build: write the plate solver\'s star catalog file', load: () => import('./commands/catalog.ts') },
  agent: { summary: 'agent run <agent> <file>: run one agent on a file and print its facts (no database); agent new <name>: scaffold an agent package', load: () => import('./tools/agentRun.ts') },
};

const usage = () => `usage: sidereal <command>

commands:
  serve      run everything: web UI, API, providers and processing (default)
  web        run the web UI and API only
  work       run providers and processing only
  migrate    apply database migrations and exit
  user add <name> [--admin]
             create a user; the password is read from standard input
             (or SIDEREAL_ADMIN_PASSWORD when set)
  help       show this text
${Object.entries(EXTRA_COMMANDS).map(([k, v]) => `  ${k.padEnd(10)} ${v.summary}`).join('\n')}

Configuration comes from environment variables (and ./.env); see docs/configuration.md.`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'serve';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      return 2;
    }
    throw err;
  }
  setLogLevel(config.logLevel);
  setLogFormat(config.logFormat);
  const roles: Record<string, Role[]> = { serve: ['web', 'work'], web: ['web'], work: ['work'] };
  if (command === 'migrate') {
    // on the running daemon's embedded database, if one runs (never a second server on the folder)
    const cmd = await openCommandDatabase(config, log, { createIfMissing: true });
    try {
      const applied = await migrate(cmd.url, log.child({ component: 'migrate' }));
      const pool = await createDatabasePool(cmd.url, { maximumPoolSize: 2 });
      try {
        await seedObjects(pool, log);
      } finally {
        await pool.end();
      }
      log.info({ applied }, 'migrations applied');
    } finally {
      await cmd.close();
    }
    return 0;
  }
  const extra = EXTRA_COMMANDS[command];
  if (extra) {
    const mod = (await extra.load()) as { run(args: string[], config: Config): Promise<number> };
    return mod.run(argv.slice(1), config);
  }
  if (command === 'user') return userCommand(argv.slice(1), config);
  if (!roles[command]) {
    process.stderr.write(`unknown command "${command}"\n\n${usage()}\n`);
    return 2;
  }
  log.debug({ config: redactedConfig(config) }, 'configuration');
  const daemon = new Daemon(config, log, roles[command]!, {
    onFatal: (err) => {
      // a supervisor (systemd, Docker's restart policy) starts us again
      log.fatal({ err }, `giving up: ${err.message}`);
      daemon.stop().finally(() => process.exit(1));
      setTimeout(() => process.exit(1), 15_000).unref();
    },
  });
  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    log.info({ signal }, 'signal received');
    daemon.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  try {
    await daemon.start();
  } catch (err) {
    const e = asError(err);
    log.fatal({ err: e }, `start-up failed: ${e.message}`);
    await daemon.stop().catch(() => {});
    return 1;
  }
  return new Promise<number>(() => {}); // runs until a signal
}

/** The password: typed on a terminal without echo, else the first line of standard input. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return readHidden('password: ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** Reads one line from the terminal without showing it (raw mode; backspace and Ctrl-C work). */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  stdin.setRawMode(true); // before the prompt: nothing typed after it is echoed
  process.stderr.write(prompt);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          return resolve(text);
        }
        if (ch === '\u0003') {
          finish();
          return reject(new Error('cancelled'));
        }
        text = ch === '\u007f' || ch === '\b' ? text.slice(0, -1) : text + ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** `sidereal user add <name> [--admin]`: for the first admin on a headless box, or a forgotten setup. */
async function userCommand(args: string[], config: ReturnType<typeof loadConfig>): Promise<number> {
  const [sub, name, ...flags] = args;
  if (sub !== 'add' || !name || flags.some((f) => f !== '--admin')) {
    process.stderr.write('usage: sidereal user add <name> [--admin]   (password on standard input, or SIDEREAL_ADMIN_PASSWORD)\n');
    return 2;
  }
  const password = config.adminPassword ?? (await readStdin());
  // the running daemon's database when a server runs on the data folder; else started (and stopped) here
  const cmd = await openCommandDatabase(config, log, { createIfMissing: true });
  try {
    if (cmd.source !== 'running') await migrate(cmd.url, log.child({ component: 'migrate' }, { level: 'warn' }));
    const pool = await createDatabasePool(cmd.url, { maximumPoolSize: 2 });
    try {
      const user = await new UserService({ db: pool }).create(SYSTEM_ACTOR, { username: name, password, role: flags.includes('--admin') ? 'admin' : 'member' });
      process.stdout.write(`created ${user.role} ${user.username}\n`);
      return 0;
    } catch (err) {
      process.stderr.write(`could not create the user: ${errorMessage(err)}\n`);
      return 1;
    } finally {
      await pool.end();
    }
  } finally {
    await cmd.close();
  }
}

/** Whatever was thrown, as an Error with a message and a stack (some libraries reject with nothing). */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(err === undefined ? 'failed without a reason (a library rejected with no error)' : `non-error thrown: ${typeof err === 'string' ? err : JSON.stringify(err)}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const e = asError(err);
    log.fatal({ err: e }, `fatal error: ${e.message}`);
    // the cause also on stderr as plain text, whatever the log format or level
    process.stderr.write(`sidereal: ${e.stack ?? e.message}${e.cause ? `\ncaused by: ${asError(e.cause).stack}` : ''}\n`);
    process.exit(1);
  },
);
