/**
 * The web side of the HTTP benchmarks: a web-only daemon on a benchmark
 * database with one admin and its token, timed requests (server time from the
 * `Server-Timing` header and the round trip), percentiles, and the clean-up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../daemon/config.ts';
import { Daemon } from '../daemon/Daemon.ts';
import { log } from '../daemon/log.ts';

/** p-th percentile (nearest rank) of the samples. */
export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export interface BenchWeb {
  base: string;
  token: string;
  /** stops the daemon, removes its data folder and drops the benchmark database */
  /** stops the daemon and drops `database` (null: a seeded library, kept) */
  close(serverUrl: string, database: string | null): Promise<void>;
}

export async function startBenchWeb(databaseUrl: string): Promise<BenchWeb> {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-bench-'));
  const config = loadConfig({ DATABASE_URL: databaseUrl, SIDEREAL_DATA_DIR: join(dir, 'data'), SIDEREAL_WATCH_DIRS: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIDEREAL_ADMIN_USER: 'bench', SIDEREAL_ADMIN_PASSWORD: 'bench-password', SIDEREAL_OFFLINE: 'true' });
  const daemon = new Daemon(config, log, ['web'], { builtinAgents: ['file'] });
  await daemon.start();
  const base = daemon.url!;
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'bench-password' }) });
  const { token } = (await login.json()) as { token: string };
  return {
    base,
    token,
    async close(serverUrl, database) {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
      if (database === null) return;
      const drop = new pg.Client({ connectionString: serverUrl });
      await drop.connect();
      await drop.query(`drop database ${database} with (force)`);
      await drop.end();
    },
  };
}

/** `runs` timed GETs after 5 warm-up requests, one at a time; the last body is returned too. */
export async function timeRequests(web: BenchWeb, path: string, runs: number): Promise<{ server: number[]; rtt: number[]; body: string }> {
  const server: number[] = [];
  const rtt: number[] = [];
  let body = '';
  for (let i = 0; i < runs + 5; i++) {
    const t0 = performance.now();
    const res = await fetch(web.base + path, { headers: { authorization: `Bearer ${web.token}`, accept: path.startsWith('/api/') ? 'application/json' : 'text/html' } });
    body = await res.text();
    const t1 = performance.now();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 300)}`);
    if (i < 5) continue; // warm-up
    server.push(Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN));
    rtt.push(t1 - t0);
  }
  return { server, rtt, body };
}
