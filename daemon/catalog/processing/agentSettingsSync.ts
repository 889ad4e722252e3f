/**
 * Agent settings that hold across hosts. An admin's change (enable, order,
 * settings) is saved on the host that served it; `agent_settings_version`
 * (bumped by a trigger in the same transaction, migration 0082) tells every
 * other host. The processing loop calls `refresh()` before each claim: one
 * small read, and the registry is reloaded only when the version moved, so
 * each round starts with the settings of the moment it was claimed.
 */
import type { DatabasePool } from 'slonik';
import type { AgentRegistry } from '../../agent-host/AgentRegistry.ts';
import { agentSettingsVersion, loadAgentSettings } from '../../db/results.ts';

export class AgentSettingsSync {
  private version: number | null = null;
  private pending: Promise<void> | null = null;

  constructor(private readonly options: { db: DatabasePool; registry: Pick<AgentRegistry, 'applyOverrides'> }) {}

  /** Reloads the agent settings when another host (or this one) changed them. */
  refresh(): Promise<void> {
    // slots of one host share one read
    this.pending ??= this.check().finally(() => (this.pending = null));
    return this.pending;
  }

  private async check(): Promise<void> {
    const { db, registry } = this.options;
    const version = await agentSettingsVersion(db);
    if (version === this.version) return;
    registry.applyOverrides(await loadAgentSettings(db));
    this.version = version;
  }
}
