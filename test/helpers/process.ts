/** Runs Sidereal as a separate process (`bin/sidereal.mjs`), as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/sidereal.mjs', import.meta.url));

export interface DaemonProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for the exit code */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** `nodeArgs`: options for node itself (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
export function spawnDaemon(command: string, env: Record<string, string>, nodeArgs: string[] = []): DaemonProcess {
  const child = spawn(process.execPath, [...nodeArgs, BIN, command], { env: { ...process.env, ...env, SIDEREAL_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-200_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-200_000)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
