/**
 * Health and status for monitoring: database, storage, agents, queue.
 */
import type { DatabasePool } from 'slonik';
import { leasedImages, queueCounts } from '../catalog/imageState.ts';
import { recentErrors } from '../db/admin.ts';
import { pingDatabase, providerStates } from '../db/status.ts';
import type { AgentRegistry } from '../agent-host/AgentRegistry.ts';
import type { ProcessingEngine } from '../catalog/processing/ProcessingEngine.ts';
import { requireAdmin, type Actor } from '../auth/permissions.ts';
import { errorMessage } from '../errors.ts';

type Health = 'ok' | 'degraded' | 'down';

/** What status reads: the database, this process's parts (read when asked: some start later). */
export interface StatusSources {
  db: DatabasePool;
  hostId: string;
  roles: readonly string[];
  providers: () => readonly { name: string; kind: string; storage: { uri: string; check(): Promise<void> } }[];
  registry: () => Pick<AgentRegistry, 'failures' | 'all'>;
  /** null on a web-only process */
  engine: () => Pick<ProcessingEngine, 'status'> | null;
  drivingProviders: () => string[];
}

export class StatusService {
  constructor(private readonly deps: StatusSources) {}

  async status() {
    const d = this.deps;
    const started = Date.now();
    let database: { status: Health; latencyMs?: number; error?: string };
    let queue = null;
    try {
      await pingDatabase(d.db);
      database = { status: 'ok', latencyMs: Date.now() - started };
      queue = await queueCounts(d.db);
    } catch (err) {
      database = { status: 'down', error: errorMessage(err) };
    }
    const states = database.status === 'ok' ? await providerStates(d.db) : new Map<string, Record<string, unknown>>();
    const sources = await Promise.all(
      d.providers().map(async (p) => {
        try {
          await p.storage.check();
          const state = states.get(p.name) ?? {};
          return { name: p.name, kind: p.kind, uri: p.storage.uri, status: (state.lastError ? 'degraded' : 'ok') as Health, state };
        } catch (err) {
          return { name: p.name, kind: p.kind, uri: p.storage.uri, status: 'down' as Health, error: errorMessage(err) };
        }
      }),
    );
    const storageStatus: Health = sources.some((s) => s.status === 'down') ? 'degraded' : sources.some((s) => s.status === 'degraded') ? 'degraded' : 'ok';
    const registry = d.registry();
    const agents = {
      status: (registry.failures.length ? 'degraded' : 'ok') as Health,
      items: registry.all().map((r) => ({ name: r.agent.name, version: r.agent.version, enabled: r.enabled })),
      failures: registry.failures,
    };
    const engine = d.engine();
    const processing = engine ? { status: 'ok' as Health, ...engine.status(), drivingProviders: d.drivingProviders() } : { status: 'ok' as Health, role: 'web only' };
    const overall: Health = database.status === 'down' ? 'down' : [storageStatus, agents.status].includes('degraded') ? 'degraded' : 'ok';
    return { status: overall, host: d.hostId, roles: d.roles, database, storage: { status: storageStatus, sources }, agents, queue, processing };
  }

  /** The processing queue in detail, for admins: counts, what is running, recent errors. */
  async queue(actor: Actor | null) {
    requireAdmin(actor);
    const db = this.deps.db;
    const [counts, running, errors] = await Promise.all([queueCounts(db), leasedImages(db), recentErrors(db)]);
    return {
      counts,
      inProgress: running.map((r) => ({ id: r.id, path: r.path, leaseOwner: r.lease_owner, since: r.since })),
      recentErrors: errors.map((e) => ({ imageId: e.image_id, path: e.path, agent: e.agent, error: e.error, attempts: e.attempts, finishedAt: e.finished_at, nextAttemptAt: e.next_attempt_at })),
    };
  }

  /** The whole status (sources with their root URIs and errors, hosts), for admins. */
  async details(actor: Actor | null) {
    requireAdmin(actor);
    return this.status();
  }
}
