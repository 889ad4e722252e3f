/**
 * The `sidereal` command.
 *
 *   sidereal serve     web UI + API + providers + processing (default)
 *   sidereal web       web UI + API only (scale-out: several behind a proxy)
 *   sidereal work      providers + processing only (scale-out: any number of hosts)
 *   sidereal migrate   apply database migrations and exit
 */
import { loadConfig, loadDotEnv, ConfigError, redactedConfig } from './config.ts';
import { log, setLogLevel } from './log.ts';
import { Daemon, type Role } from './Daemon.ts';
import { openDatabase } from './database.ts';
import type { Config } from './config.ts';

/**
 * Further commands live in daemon/commands/<name>.ts and export
 * `run(args, config): Promise<exitCode>`; add one line here per command.
 */
const EXTRA_COMMANDS: Record<string, { summary: string; load: () => Promise<unknown> }> = {};

const usage = () => `usage: sidereal <command>

commands:
  serve      run everything: web UI, API, providers and processing (default)
  web        run the web UI and API only
  work       run providers and processing only
  migrate    apply database migrations and exit
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
  const roles: Record<string, Role[]> = { serve: ['web', 'work'], web: ['web'], work: ['work'] };
  if (command === 'migrate') {
    const db = await openDatabase(config, log);
    await db.close();
    log.info('migrations applied');
    return 0;
  }
  const extra = EXTRA_COMMANDS[command];
  if (extra) {
    const mod = (await extra.load()) as { run(args: string[], config: Config): Promise<number> };
    return mod.run(argv.slice(1), config);
  }
  if (!roles[command]) {
    process.stderr.write(`unknown command "${command}"\n\n${usage()}\n`);
    return 2;
  }
  log.debug({ config: redactedConfig(config) }, 'configuration');
  const daemon = new Daemon(config, log, roles[command]!);
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
    log.fatal({ err: (err as Error).message, stack: (err as Error).stack }, 'start-up failed');
    await daemon.stop().catch(() => {});
    return 1;
  }
  return new Promise<number>(() => {}); // runs until a signal
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    log.fatal({ err }, 'fatal error');
    process.exit(1);
  },
);
