/**
 * Agents as admins see them: list with counts, re-run (one image, a
 * selection, all, missing or failed), enable/disable, order and settings.
 * Every method is admin-only (checked here, not only in the UI).
 */
import type { DatabasePool } from 'slonik';
import type { FieldSchema, Json } from '../../agents/sdk/index.ts';
import type { AgentRegistry, SearchableFact } from '../agent-host/AgentRegistry.ts';
import { agentFactSections, type AgentFactSection } from './agentFacts.ts';
import { requireAdmin, type Actor } from '../auth/permissions.ts';
import { markAllDue } from '../catalog/imageState.ts';
import { agentCounts, rerunAgent, saveAgentSettings, type RerunScope } from '../db/agents.ts';
import { missingCounts } from '../db/admin.ts';
import { makeDueWhereAgentsMissing } from '../db/agentCoverage.ts';
import { loadAgentSettings } from '../db/results.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';

export interface AgentPatch {
  enabled?: boolean;
  position?: number | null;
  settings?: Record<string, unknown>;
}

/** Checks and converts settings against the agent's schema (form values arrive as strings). */
export function coerceSettings(schema: Record<string, FieldSchema>, values: Record<string, unknown>): Record<string, Json> {
  const out: Record<string, Json> = {};
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(values)) {
    const s = schema[key];
    if (!s) {
      problems.push(`${key}: no such setting`);
      continue;
    }
    if (raw === null || raw === '') {
      out[key] = null; // back to the default
      continue;
    }
    if (s.type === 'number' || s.type === 'integer') {
      const v = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isFinite(v) || (s.type === 'integer' && !Number.isInteger(v))) problems.push(`${key}: must be ${s.type === 'integer' ? 'a whole number' : 'a number'}`);
      else if (s.minimum !== undefined && v < s.minimum) problems.push(`${key}: at least ${s.minimum}`);
      else if (s.maximum !== undefined && v > s.maximum) problems.push(`${key}: at most ${s.maximum}`);
      else out[key] = v;
    } else if (s.type === 'boolean') {
      if (typeof raw === 'boolean') out[key] = raw;
      else if (['true', 'on', '1'].includes(String(raw))) out[key] = true;
      else if (['false', 'off', '0'].includes(String(raw))) out[key] = false;
      else problems.push(`${key}: true or false`);
    } else {
      const v = String(raw);
      if (s.enum && !s.enum.includes(v)) problems.push(`${key}: one of ${s.enum.join(', ')}`);
      else if (v.length > 2000) problems.push(`${key}: at most 2000 characters`);
      else out[key] = v;
    }
  }
  if (problems.length) throw new InvalidInputError(problems.join('; '), { details: { errors: problems.map((p) => ({ path: p.split(':')[0]!, message: p.split(': ').slice(1).join(': ') })) } });
  return out;
}

export class AgentService {
  constructor(private readonly deps: { db: DatabasePool; registry: AgentRegistry; onDue?: () => void }) {}

  async list(actor: Actor | null) {
    requireAdmin(actor);
    const [counts, missing] = await Promise.all([agentCounts(this.deps.db), missingCounts(this.deps.db)]);
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
        counts: { done: 0, failed: 0, skipped: 0, ...counts.get(r.agent.name), missing: missing.get(r.agent.name) ?? missing.get('*') ?? 0 },
      })),
      failures: this.deps.registry.failures,
    };
  }

  async get(actor: Actor | null, name: string) {
    const all = await this.list(actor);
    const a = all.items.find((x) => x.name === name);
    if (!a) throw new NotFoundError(`no agent named "${name}"`);
    return a;
  }

  async rerun(actor: Actor | null, agent: string, target: { ids?: string[]; scope?: RerunScope }): Promise<{ images: number }> {
    requireAdmin(actor);
    if (!this.deps.registry.get(agent)) throw new NotFoundError(`no agent named "${agent}"`);
    if (!target.ids && !target.scope) throw new InvalidInputError('give image ids or a scope (all, missing, failed)');
    if (target.scope && !['all', 'missing', 'failed'].includes(target.scope)) throw new InvalidInputError('scope must be all, missing or failed');
    const images = await rerunAgent(this.deps.db, agent, target);
    if (images) this.deps.onDue?.();
    return { images };
  }

  /**
   * Enables/disables an agent, moves it, or changes its settings. Every image
   * becomes due (cached results keep that cheap: only agents whose input
   * changed run again). Other hosts pick the change up before their next
   * round (catalog/processing/agentSettingsSync.ts).
   */
  async update(actor: Actor | null, name: string, patch: AgentPatch) {
    requireAdmin(actor);
    const r = this.deps.registry.get(name);
    if (!r) throw new NotFoundError(`no agent named "${name}"`);
    if (patch.enabled === false && name === 'file') throw new InvalidInputError('the file agent reads every file: it cannot be disabled');
    const settings = patch.settings === undefined ? undefined : coerceSettings(r.agent.settings ?? {}, patch.settings);
    const current = (await loadAgentSettings(this.deps.db)).find((o) => o.agent === name);
    const merged = settings === undefined ? undefined : Object.fromEntries(Object.entries({ ...(current?.settings ?? {}), ...settings }).filter(([, v]) => v !== null));
    await saveAgentSettings(this.deps.db, name, { enabled: patch.enabled, position: patch.position, settings: merged });
    this.deps.registry.applyOverrides(await loadAgentSettings(this.deps.db));
    await markAllDue(this.deps.db, 'agents');
    this.deps.onDue?.();
    return this.get(actor, name);
  }

  /**
   * The facts of non-core agents on an image, as sections for the image page
   * (labels and units of their searchable fields first). Anyone who may see
   * the image may see these: no admin check.
   */
  factSections(record: Record<string, unknown>): AgentFactSection[] {
    return agentFactSections(
      record,
      this.deps.registry.all().map((r) => ({ name: r.agent.name, description: r.agent.description ?? null, searchable: r.agent.searchable ?? [], factsSchema: r.agent.factsSchema })),
    );
  }

  /**
   * At start-up (work role): images that no enabled agent's current version
   * has seen become due — a newly installed or upgraded agent catches up with
   * the existing library; the other agents' results are cached. Returns the
   * number of images made due.
   */
  async scheduleNewAgents(): Promise<number> {
    const wanted = this.deps.registry
      .all()
      .filter((r) => r.enabled)
      .flatMap((r) => r.agent.stages.map((stage) => ({ agent: r.agent.name, stage, version: r.agent.version })));
    const n = await makeDueWhereAgentsMissing(this.deps.db, wanted);
    if (n) this.deps.onDue?.();
    return n;
  }

  /** Searchable facts declared by the loaded agents: the gallery's extra filters (`param`, `param.min`/`.max`). */
  searchableFacts(): SearchableFact[] {
    return this.deps.registry.searchableFacts();
  }

  /** Moves an agent one place up or down in the order (within its stages the order decides who runs first). */
  async move(actor: Actor | null, name: string, direction: 'up' | 'down') {
    requireAdmin(actor);
    const list = this.deps.registry.all();
    const i = list.findIndex((r) => r.agent.name === name);
    if (i < 0) throw new NotFoundError(`no agent named "${name}"`);
    if (direction !== 'up' && direction !== 'down') throw new InvalidInputError('direction must be up or down');
    const j = direction === 'up' ? i - 1 : i + 1;
    if (j < 0 || j >= list.length) return this.get(actor, name);
    [list[i], list[j]] = [list[j]!, list[i]!];
    for (const [pos, r] of list.entries()) await saveAgentSettings(this.deps.db, r.agent.name, { position: pos });
    this.deps.registry.applyOverrides(await loadAgentSettings(this.deps.db));
    await markAllDue(this.deps.db, 'agents');
    this.deps.onDue?.();
    return this.get(actor, name);
  }
}
