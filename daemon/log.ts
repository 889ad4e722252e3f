/**
 * One structured logger (pino) for the whole daemon; components take child
 * loggers (`log.child({ component: 'processing' })`). No console.* elsewhere.
 *
 * Output: JSON lines (for log collectors) or readable, coloured lines for a
 * person at a terminal, chosen by `LOG_FORMAT` (json | pretty | auto; auto:
 * pretty when standard output is a terminal). The records are the same; only
 * the last step, writing a line, differs.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export type LogFormat = 'json' | 'pretty' | 'auto';

const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info');

const COLOURS: Record<string, string> = { trace: '90', debug: '36', info: '32', warn: '33', error: '31', fatal: '35' };
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** fields shown in the line's head, not among the key=value pairs */
const HEAD = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'component', 'err']);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/**
 * One JSON log line as a person reads it:
 * `14:03:07.412 INFO  processing  image stitched imageId=… ms=12`,
 * with the error's stack on the following lines. Lines that are not JSON pass through.
 */
export function prettyLine(line: string, colour: boolean): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const paint = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const name = typeof r.level === 'number' ? (LEVELS[r.level] ?? String(r.level)) : String(r.level ?? 'info');
  const time = typeof r.time === 'string' ? r.time.slice(11, 23) : typeof r.time === 'number' ? new Date(r.time).toISOString().slice(11, 23) : '';
  const parts = [paint('90', time), paint(COLOURS[name] ?? '0', name.toUpperCase().padEnd(5))];
  if (r.component) parts.push(paint('36', String(r.component)));
  parts.push(String(r.msg ?? ''));
  const pairs = Object.entries(r)
    .filter(([k, v]) => !HEAD.has(k) && v !== undefined)
    .map(([k, v]) => `${paint('90', k + '=')}${value(v)}`);
  let out = [...parts, ...pairs].join(' ');
  const err = r.err as { message?: string; stack?: string; type?: string } | string | undefined;
  if (typeof err === 'string') out += ` ${paint('31', 'err=' + value(err))}`;
  else if (err) out += `\n${paint('31', (err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`).replace(/^/gm, '    '))}`;
  return `${out}\n`;
}

let pretty = false;
const colour = !!process.stdout.isTTY && !process.env.NO_COLOR;

/** The destination: JSON lines as they are, or made readable first. */
const sink = {
  write(line: string) {
    process.stdout.write(pretty ? prettyLine(line, colour) : line);
  },
};

export function setLogFormat(format: LogFormat | string | undefined): void {
  pretty = format === 'pretty' || ((format === 'auto' || format === undefined || format === '') && !!process.stdout.isTTY);
}

// until the configuration is loaded (it calls setLogFormat), the environment decides
setLogFormat(process.env.LOG_FORMAT as LogFormat | undefined);

export const log: Logger = pino(
  {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['password', '*.password', 'secretAccessKey', '*.secretAccessKey', 'token', '*.token', 'authorization', '*.authorization', 'cookie', '*.cookie'], censor: '[redacted]' },
  },
  sink,
);

export function setLogLevel(newLevel: string): void {
  log.level = newLevel;
}
