/**
 * Health and status for monitoring: database, storage, agents, queue.
 */
import { sql } from 'slonik';
import { z } from 'zod';
import { queueCounts } from '../db/queue.ts';
import { inProgress, recentErrors } from '../db/admin.ts';
import { requireAdmin, type Actor } from '../auth/permissions.ts';
import { errorMessage } from '../errors.ts';
import type { Daemon } from '../Daemon.ts';

type Health = 'ok' | 'degraded' | 'down';

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
  constructor(private readonly deps: { daemon: Daemon }) {}

  /**
   * Before the login check of /status (which itself needs the database): when
   * the database does not answer, the 503 body saying so — and nothing else,
   * as the caller is not known. Null when it answers.
   */
  async databaseDown(): Promise<{ status: 'down'; database: { status: 'down'; error: string } } | null> {
    try {
      await deadline(this.deps.daemon.db.pool.oneFirst(sql.type(z.object({ one: z.number() }))`select 1 as one`));
      return null;
    } catch (err) {
      return { status: 'down', database: { status: 'down', error: errorMessage(err) } };
    }
  }

  async status() {
    const d = this.deps.daemon;
    const started = Date.now();
    let database: { status: Health; latencyMs?: number; error?: string };
    let queue = null;
    try {
      await deadline(d.db.pool.oneFirst(sql.type(z.object({ one: z.number() }))`select 1 as one`));
      database = { status: 'ok', latencyMs: Date.now() - started };
      queue = await deadline(queueCounts(d.db.pool));
    } catch (err) {
      database = { status: 'down', error: errorMessage(err) };
    }
    const providerStates = new Map<string, Record<string, unknown>>();
    if (database.status === 'ok') {
      try {
        const rows = await deadline(d.db.pool.any(sql.type(z.object({ name: z.string(), state: z.record(z.any()) }))`select name, state from providers`));
        for (const r of rows) providerStates.set(r.name, r.state);
      } catch (err) {
        database = { status: 'down', error: errorMessage(err) };
      }
    }
    const sources = await Promise.all(
      d.providers.map(async (p) => {
        // degraded: the provider cannot see (all of) its storage and deletes nothing meanwhile (see ProviderSync)
        const state = providerStates.get(p.name) ?? {};
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
    const agents = {
      status: (d.registry.failures.length ? 'degraded' : 'ok') as Health,
      items: d.registry.all().map((r) => ({ name: r.agent.name, version: r.agent.version, enabled: r.enabled })),
      failures: d.registry.failures,
    };
    const processing = d.engine ? { status: 'ok' as Health, ...d.engine.status(), drivingProviders: d.runner?.driving ?? [] } : { status: 'ok' as Health, role: 'web only' };
    const overall: Health = database.status === 'down' ? 'down' : [storageStatus, agents.status].includes('degraded') ? 'degraded' : 'ok';
    return { status: overall, host: d.config.hostId, roles: d.roles, database, storage: { status: storageStatus, sources }, agents, queue, processing };
  }

  /** The processing queue in detail, for admins: counts, what is running, recent errors. */
  async queue(actor: Actor | null) {
    requireAdmin(actor);
    const db = this.deps.daemon.db.pool;
    const [counts, running, errors] = await Promise.all([queueCounts(db), inProgress(db), recentErrors(db)]);
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
