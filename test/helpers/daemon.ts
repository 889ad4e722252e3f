/**
 * Runs a real Sidereal daemon in the test process (or as a child process),
 * on a fresh database and temporary folders.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../daemon/config.ts';
import { Daemon, type Role } from '../../daemon/Daemon.ts';
import { log } from '../../daemon/log.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface TestDaemon {
  daemon: Daemon;
  url: string;
  db: TestDatabase;
  dir: string;
  library: string;
  dataDir: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export function testEnv(dir: string, db: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    SIDEREAL_DATA_DIR: join(dir, 'data'),
    SIDEREAL_WATCH_DIRS: join(dir, 'library'),
    PORT: '0',
    HOST: '127.0.0.1',
    SIDEREAL_WATCH_STABLE_MS: '300',
    SIDEREAL_POLL_SECONDS: '0.2',
    SIDEREAL_RECONCILE_SECONDS: '3600',
    // vanished files are removed at once unless a test is about moves (test/engine/identity.test.ts)
    SIDEREAL_MOVE_WINDOW_SECONDS: '0',
    SIDEREAL_WORKERS: '2',
    SIDEREAL_OFFLINE: 'true',
    SIDEREAL_WIKIPEDIA_URL: 'http://127.0.0.1:9/',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // one star catalog for every test daemon (built at the first start)
    SIDEREAL_STAR_CATALOG: join(tmpdir(), 'sidereal-test-catalog', 'stars.bin'),
    ...extra,
  };
}

export async function startTestDaemon(options: { env?: Record<string, string>; roles?: Role[]; builtinAgents?: string[]; db?: TestDatabase; dir?: string } = {}): Promise<TestDaemon> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'sidereal-test-')));
  const db = options.db ?? (await createTestDatabase());
  const env = testEnv(dir, db, options.env);
  for (const d of env.SIDEREAL_WATCH_DIRS!.split(',').filter(Boolean)) await mkdir(d, { recursive: true });
  const config = loadConfig(env);
  const daemon = new Daemon(config, log, options.roles ?? ['web', 'work'], { builtinAgents: options.builtinAgents });
  await daemon.start();
  return {
    daemon,
    url: daemon.url ?? '',
    db,
    dir,
    library: env.SIDEREAL_WATCH_DIRS!,
    dataDir: env.SIDEREAL_DATA_DIR!,
    env,
    async stop() {
      await daemon.stop();
      if (!options.db) await db.drop();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T> | T, options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

export async function getJson(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, init);
  const body = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${body}`);
  return JSON.parse(body);
}
