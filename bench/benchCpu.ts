/**
 * CPU time spent by a benchmark step: this process (the in-process daemon of
 * the HTTP benchmarks, and the client) plus the PostgreSQL backends of one
 * database (Linux: /proc/<pid>/schedstat, nanoseconds on a CPU). On a shared,
 * loaded machine the wall-clock times grow with the other work; the CPU time
 * of the work itself barely does, so both are reported.
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';

async function backendsCpuNs(client: pg.Client, database: string): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const text = await readFile(`/proc/${pid}/schedstat`, 'utf8').catch(() => null);
    if (text) out.set(pid, Number(text.split(' ')[0]));
  }
  return out;
}

/** Runs `fn` and returns its result with the CPU milliseconds of this process and of the database's backends. */
export async function withCpu<T>(serverUrl: string, database: string, fn: () => Promise<T>): Promise<{ result: T; nodeMs: number; dbMs: number }> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const before = await backendsCpuNs(client, database);
    const c0 = process.cpuUsage();
    const result = await fn();
    const c = process.cpuUsage(c0);
    const after = await backendsCpuNs(client, database);
    let ns = 0;
    for (const [pid, t] of after) ns += t - (before.get(pid) ?? 0);
    return { result, nodeMs: (c.user + c.system) / 1000, dbMs: ns / 1e6 };
  } finally {
    await client.end();
  }
}
