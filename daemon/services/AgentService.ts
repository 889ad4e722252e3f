/**
 * Agents as admins see them: list with counts, re-run (one image, a
 * selection, all, missing, failed), enable/disable/order/settings.
 */
import type { DatabasePool } from 'slonik';
import type { AgentRegistry } from '../agent-host/AgentRegistry.ts';
import { agentCounts, rerunAgent, type RerunScope } from '../db/agents.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';

export class AgentService {
  constructor(private readonly deps: { db: DatabasePool; registry: AgentRegistry; onDue?: () => void }) {}

  async list() {
    const counts = await agentCounts(this.deps.db);
    return {
      items: this.deps.registry.all().map((r) => ({
        name: r.agent.name,
        version: r.agent.version,
        description: r.agent.description ?? null,
        stages: r.agent.stages,
        builtin: r.builtin,
        source: r.source,
        enabled: r.enabled,
        position: r.position,
        thread: r.agent.thread ?? 'worker',
        settings: r.settings,
        settingsSchema: r.agent.settings ?? {},
        searchable: r.agent.searchable ?? [],
        counts: counts.get(r.agent.name) ?? { done: 0, failed: 0, skipped: 0 },
      })),
      failures: this.deps.registry.failures,
    };
  }

  async rerun(agent: string, target: { ids?: string[]; scope?: RerunScope }): Promise<{ images: number }> {
    if (!this.deps.registry.get(agent)) throw new NotFoundError(`no agent named "${agent}"`);
    if (!target.ids && !target.scope) throw new InvalidInputError('give image ids or a scope (all, missing, failed)');
    if (target.scope && !['all', 'missing', 'failed'].includes(target.scope)) throw new InvalidInputError('scope must be all, missing or failed');
    const images = await rerunAgent(this.deps.db, agent, target);
    if (images) this.deps.onDue?.();
    return { images };
  }
}
