/**
 * The agents this daemon knows: the built-ins (first users of the SDK) and the
 * third-party agents named in the configuration, in registration order, with
 * the admin's enable/order/settings overrides from the database.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Agent, FieldSchema, Json, Stage } from '../../agents/sdk/index.ts';
import { STAGES } from '../../agents/sdk/index.ts';
import type { Logger } from '../log.ts';
import { errorMessage } from '../errors.ts';
import { loadAgentModule } from './loadAgentModule.ts';

const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** Built-in agents, in registration order. */
export const BUILTIN_AGENTS = ['file', 'preview', 'platesolve', 'objects', 'integration', 'description'];

export function builtinModulePath(name: string): string {
  return new URL(`../../agents/${name}/index${EXT}`, import.meta.url).href;
}

export interface RegisteredAgent {
  agent: Agent;
  modulePath: string;
  builtin: boolean;
  /** where it came from: "builtin" or the configured package/folder */
  source: string;
  enabled: boolean;
  position: number;
  settings: Record<string, Json>;
}

export interface AgentOverride {
  agent: string;
  enabled: boolean;
  position: number | null;
  settings: Record<string, Json>;
}

export interface LoadFailure {
  source: string;
  error: string;
}

/** Resolves a configured agent (npm package name or folder) to a module URL. */
export function resolveAgentSource(source: string, cwd = process.cwd()): string {
  const asPath = isAbsolute(source) ? source : resolve(cwd, source);
  if (source.startsWith('.') || source.startsWith('/') || existsSync(asPath)) {
    if (!existsSync(asPath)) throw new Error(`folder ${asPath} does not exist`);
    if (statSync(asPath).isFile()) return pathToFileURL(asPath).href;
    const pkgFile = join(asPath, 'package.json');
    if (existsSync(pkgFile)) {
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { main?: string; exports?: unknown; sidereal?: { agent?: string } };
      const entry = pkg.sidereal?.agent ?? (typeof pkg.exports === 'string' ? pkg.exports : (pkg.exports as Record<string, string> | undefined)?.['.']) ?? pkg.main;
      if (typeof entry === 'string') return pathToFileURL(join(asPath, entry)).href;
    }
    for (const f of ['index.js', 'index.mjs', 'index.ts']) if (existsSync(join(asPath, f))) return pathToFileURL(join(asPath, f)).href;
    throw new Error(`no entry point in ${asPath} (package.json "sidereal.agent", "exports" or "main", or index.js)`);
  }
  const require = createRequire(join(cwd, 'package.json'));
  return pathToFileURL(require.resolve(source)).href;
}

export function applySettingsDefaults(schema: Record<string, FieldSchema> | undefined, values: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, s] of Object.entries(schema ?? {})) {
    const v = values[k];
    out[k] = v === undefined ? (s.default ?? null) : v;
  }
  return out;
}

export class AgentRegistry {
  private list: RegisteredAgent[] = [];
  readonly failures: LoadFailure[] = [];

  constructor(private readonly log: Logger) {}

  /** Loads built-ins and third-party agents; a broken third-party agent is reported and left out. */
  async load(options: { builtins?: string[]; thirdParty?: string[] }): Promise<void> {
    const entries: { source: string; modulePath: string; builtin: boolean }[] = [];
    for (const name of options.builtins ?? BUILTIN_AGENTS) entries.push({ source: 'builtin', modulePath: builtinModulePath(name), builtin: true });
    for (const source of options.thirdParty ?? []) {
      try {
        entries.push({ source, modulePath: resolveAgentSource(source), builtin: false });
      } catch (err) {
        this.failures.push({ source, error: errorMessage(err) });
        this.log.error({ source, err: errorMessage(err) }, 'third-party agent not found; continuing without it');
      }
    }
    const seen = new Set<string>();
    for (const e of entries) {
      try {
        const agent = await loadAgentModule(e.modulePath);
        if (seen.has(agent.name)) throw new Error(`an agent named "${agent.name}" is already registered`);
        seen.add(agent.name);
        this.list.push({ agent, modulePath: e.modulePath, builtin: e.builtin, source: e.source, enabled: true, position: this.list.length, settings: applySettingsDefaults(agent.settings, {}) });
      } catch (err) {
        if (e.builtin) throw err;
        this.failures.push({ source: e.source, error: errorMessage(err) });
        this.log.error({ source: e.source, err: errorMessage(err) }, 'third-party agent failed to load; continuing without it');
      }
    }
  }

  /** Applies admin overrides (enabled, order, settings). */
  applyOverrides(overrides: AgentOverride[]): void {
    const byName = new Map(overrides.map((o) => [o.agent, o]));
    this.list.forEach((r, i) => {
      const o = byName.get(r.agent.name);
      r.enabled = o?.enabled ?? true;
      r.position = o?.position ?? 1000 + i;
      r.settings = applySettingsDefaults(r.agent.settings, o?.settings ?? {});
    });
    this.list.sort((a, b) => a.position - b.position);
  }

  all(): RegisteredAgent[] {
    return [...this.list];
  }

  get(name: string): RegisteredAgent | undefined {
    return this.list.find((r) => r.agent.name === name);
  }

  /** Enabled agents contributing to a stage, in order. */
  forStage(stage: Stage): RegisteredAgent[] {
    return this.list.filter((r) => r.enabled && r.agent.stages.includes(stage));
  }

  stages(): Stage[] {
    return [...STAGES];
  }
}
