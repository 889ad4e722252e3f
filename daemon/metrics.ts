/**
 * Prometheus metrics (`/metrics` when SIDEREAL_METRICS=true), in the text
 * exposition format 0.0.4: the processing queue, the catalog by frame type,
 * agent results by status, this process's work in flight, memory and uptime.
 *
 * Queue, catalog and agent figures are read from the database, so every host
 * reports the same (cluster-wide) values for them; in-flight work, slots,
 * processed count, memory and uptime are this process's own. When the
 * database does not answer, `sidereal_database_up` is 0 and the process
 * metrics are still served.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabasePool } from 'slonik';
import { queueCounts, type QueueCounts } from './db/imageState.ts';
import { agentResultCounts, frameTypeCounts } from './db/status.ts';
import type { ProcessingEngine } from './catalog/processing/ProcessingEngine.ts';

/** What the metrics read: the database and this process's engine (null on a web-only process). */
export interface MetricsSource {
  db: DatabasePool;
  hostId: string;
  roles: readonly string[];
  engine: Pick<ProcessingEngine, 'status'> | null;
}

/** The Content-Type of the text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string | number>;

class Exposition {
  private lines: string[] = [];
  private seen = new Set<string>();

  family(name: string, type: 'gauge' | 'counter', help: string): void {
    if (this.seen.has(name)) throw new Error(`metric ${name} declared twice`);
    this.seen.add(name);
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
  }

  sample(name: string, value: number, labels: Labels = {}): void {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
      .join(',');
    const v = Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);
    this.lines.push(`${name}${l ? `{${l}}` : ''} ${v}`);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

let cachedVersion: string | undefined;
/** Sidereal's version from its package.json (found from the sources or from dist/). */
function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = 'unknown';
  for (let d = dirname(fileURLToPath(import.meta.url)); d !== dirname(d); d = dirname(d)) {
    const file = join(d, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sidereal') {
        cachedVersion = pkg.version ?? 'unknown';
        break;
      }
    } catch {
      // not ours; keep looking upwards
    }
  }
  return cachedVersion;
}

const startedAt = Date.now();

/** The metrics of this process and of the catalog it serves, as Prometheus text. */
export async function metricsText(daemon: MetricsSource): Promise<string> {
  const out = new Exposition();
  const mem = process.memoryUsage();

  out.family('sidereal_info', 'gauge', 'Version, Node.js version and roles of this process (always 1).');
  out.sample('sidereal_info', 1, { version: packageVersion(), node: process.version, roles: daemon.roles.join(','), host: daemon.hostId });
  out.family('sidereal_uptime_seconds', 'gauge', 'Seconds since this process started.');
  out.sample('sidereal_uptime_seconds', Math.round((Date.now() - startedAt) / 100) / 10);
  out.family('process_resident_memory_bytes', 'gauge', 'Resident memory of this process.');
  out.sample('process_resident_memory_bytes', mem.rss);
  out.family('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use (main thread).');
  out.sample('nodejs_heap_used_bytes', mem.heapUsed);
  out.family('nodejs_external_memory_bytes', 'gauge', 'Memory of buffers and typed arrays outside the V8 heap (pixel data).');
  out.sample('nodejs_external_memory_bytes', mem.external + mem.arrayBuffers);

  const engine = daemon.engine?.status() ?? null;
  out.family('sidereal_processing_slots', 'gauge', 'Images this process may work on at once (0: web-only process).');
  out.sample('sidereal_processing_slots', engine?.slots ?? 0);
  out.family('sidereal_processing_in_flight', 'gauge', 'Images this process is working on now.');
  out.sample('sidereal_processing_in_flight', engine?.inFlight.length ?? 0);
  out.family('sidereal_processed_images_total', 'counter', 'Processing rounds this process has finished since it started.');
  out.sample('sidereal_processed_images_total', engine?.processed ?? 0);

  let up = 1;
  let queue: QueueCounts | null = null;
  let frames: Awaited<ReturnType<typeof frameTypeCounts>> = [];
  let agents: Awaited<ReturnType<typeof agentResultCounts>> = [];
  const t0 = Date.now();
  try {
    [queue, frames, agents] = await Promise.all([queueCounts(daemon.db), frameTypeCounts(daemon.db), agentResultCounts(daemon.db)]);
  } catch {
    up = 0; // reported as a metric; the log already has the database's errors
  }
  out.family('sidereal_database_up', 'gauge', 'Whether the database answered the metrics queries (1) or not (0).');
  out.sample('sidereal_database_up', up);
  out.family('sidereal_database_query_seconds', 'gauge', 'Time the metrics queries took.');
  out.sample('sidereal_database_query_seconds', (Date.now() - t0) / 1000);
  if (queue) {
    out.family('sidereal_queue_images', 'gauge', 'Files in the processing queue by state (all hosts): due, in_progress, waiting, failed, done.');
    for (const state of ['due', 'in_progress', 'waiting', 'failed', 'done'] as const) out.sample('sidereal_queue_images', queue[state], { state });
    out.family('sidereal_files', 'gauge', 'Files known to the catalog (processed or not).');
    out.sample('sidereal_files', queue.total);
    out.family('sidereal_images', 'gauge', 'Stitched images (visible in the catalog) by frame type.');
    for (const f of frames) out.sample('sidereal_images', f.n, { frame_type: f.frame_type });
    out.family('sidereal_agent_results', 'gauge', 'Agent results by agent and status (done, failed, skipped).');
    for (const a of agents) out.sample('sidereal_agent_results', a.n, { agent: a.agent, status: a.status });
  }
  return out.text();
}
