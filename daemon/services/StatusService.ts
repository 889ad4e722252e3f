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

/** /status answers within this even when the database hangs (a dead server, a pool waiting for connections) */
const DATABASE_DEADLINE_MS = 3000;

function deadline<T>(p: Promise<T>, ms = DATABASE_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${ms} ms`)), ms);
  });
  p.catch(() => {}); // a late failure after the deadline is not unhandled
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class StatusService {
  constructor(private readonly deps: StatusSources) {}

  /**
   * Before the login check of /status (which itself needs the database): when
   * the database does not answer, the 503 body saying so — and nothing else,
   * as the caller is not known. Null when it answers.
   */
  async databaseDown(): Promise<{ status: 'down'; database: { status: 'down'; error: string } } | null> {
    try {
      await deadline(pingDatabase(this.deps.db));
      return null;
    } catch (err) {
      return { status: 'down', database: { status: 'down', error: errorMessage(err) } };
    }
  }

  async status() {
    const d = this.deps;
    const started = Date.now();
    let database: { status: Health; latencyMs?: number; error?: string };
    let queue = null;
    try {
      await deadline(pingDatabase(d.db));
      database = { status: 'ok', latencyMs: Date.now() - started };
      queue = await deadline(queueCounts(d.db));
    } catch (err) {
      database = { status: 'down', error: errorMessage(err) };
    }
    let states = new Map<string, Record<string, unknown>>();
    if (database.status === 'ok') {
      try {
        states = await deadline(providerStates(d.db));
      } catch (err) {
        database = { status: 'down', error: errorMessage(err) };
      }
    }
    const sources = await Promise.all(
      d.providers().map(async (p) => {
        // degraded: the provider cannot see (all of) its storage and deletes nothing meanwhile (see ProviderSync)
        const state = states.get(p.name) ?? {};
        const reason = (state.degraded ?? state.lastError ?? null) as string | null;
        try {
          await deadline(p.storage.check(), 5000);
          return { name: p.name, kind: p.kind, uri: p.storage.uri, status: (reason ? 'degraded' : 'ok') as Health, ...(reason ? { reason } : {}), state };
        } catch (err) {
          // unreachable storage is degraded, not down: the catalog keeps serving what it has
          return { name: p.name, kind: p.kind, uri: p.storage.uri, status: 'degraded' as Health, reason: reason ?? errorMessage(err), error: errorMessage(err), state };
        }
      }),
    );
    const storageStatus: Health = sources.some((s) => s.status !== 'ok') ? 'degraded' : 'ok';
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
