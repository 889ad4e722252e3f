/**
 * The host configuration that built-in agents take as settings. Agents read no
 * environment variable and never the configuration: the host hands them these
 * values as the defaults of their settings (an admin's saved settings still win).
 * The one mapping, used by the daemon (Daemon.ts) and by `sidereal agent run`
 * (tools/agentRun.ts), so that the two hosts cannot drift apart.
 */
import type { Json } from '../agents/sdk/index.ts';
import type { Config } from './config.ts';

export type BuiltinAgentSettingsConfig = Pick<Config, 'offline' | 'wikipediaUrl' | 'starCatalog' | 'astapDatabase' | 'indexDirs' | 'maxImagePixels' | 'maxDecodedBytes'>;

/** Per agent name, the settings that come from the configuration. */
export function builtinAgentSettings(config: BuiltinAgentSettingsConfig): Record<string, Record<string, Json>> {
  return {
    description: { wikipedia: !config.offline, wikipediaUrl: config.wikipediaUrl },
    platesolve: { starCatalog: config.starCatalog, astapDatabase: config.astapDatabase ?? '', indexFolders: config.indexDirs.join(',') },
    preview: { maxImagePixels: config.maxImagePixels, maxDecodedBytes: config.maxDecodedBytes },
  };
}
