/**
 * One structured JSON logger (pino) for the whole daemon; components take
 * child loggers (`log.child({ component: 'processing' })`). No console.* elsewhere.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info');

export const log: Logger = pino({
  level,
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  redact: { paths: ['password', '*.password', 'secretAccessKey', '*.secretAccessKey', 'token', '*.token', 'authorization', '*.authorization', 'cookie', '*.cookie'], censor: '[redacted]' },
});

export function setLogLevel(newLevel: string): void {
  log.level = newLevel;
}
