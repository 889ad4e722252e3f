/**
 * The agents this daemon knows: the built-ins (first users of the SDK) and the
 * third-party agents named in the configuration, in registration order, with
 * the admin's enable/order/settings overrides from the database.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Agent, FieldSchema, Json, SearchableField, Stage } from '../../agents/sdk/index.ts';
import { SDK_VERSION, STAGES } from '../../agents/sdk/index.ts';
import type { Logger } from '../log.ts';
import { errorMessage } from '../errors.ts';
import { loadAgentModule, settingValueProblem } from './loadAgentModule.ts';
import { inspectAgentModule } from './inspectAgent.ts';

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
  /** package.json name and version of a third-party agent */
  packageName?: string | null;
  packageVersion?: string | null;
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

/** A configured third-party agent, resolved to its entry module. */
export interface ResolvedAgentSource {
  modulePath: string;
  /** package.json name and version, when the agent is a package */
  packageName: string | null;
  packageVersion: string | null;
  /** SDK contract version the package says it needs ("sidereal": { "sdk": 1 }) */
  sdk: number | null;
}

/**
 * Refuses an agent package that needs a newer SDK contract than this Sidereal
 * provides (its package.json "sidereal": { "sdk": N }). One check for the
 * daemon's registry and `sidereal agent run`.
 */
export function checkAgentSdk(resolved: Pick<ResolvedAgentSource, 'sdk'>): void {
  if (resolved.sdk !== null && resolved.sdk > SDK_VERSION) throw new Error(`needs agent SDK version ${resolved.sdk}; this Sidereal provides version ${SDK_VERSION}`);
}

interface AgentPackageJson {
  name?: string;
  version?: string;
  main?: string;
  exports?: unknown;
  sidereal?: { agent?: string; sdk?: number };
}

function exportsEntry(exp: unknown): string | undefined {
  if (typeof exp === 'string') return exp;
  if (!exp || typeof exp !== 'object') return undefined;
  const dot = (exp as Record<string, unknown>)['.'] ?? exp;
  if (typeof dot === 'string') return dot;
  if (dot && typeof dot === 'object') {
    const d = dot as Record<string, unknown>;
    for (const k of ['import', 'node', 'default']) if (typeof d[k] === 'string') return d[k] as string;
  }
  return undefined;
}

function resolveFolder(dir: string): ResolvedAgentSource {
  const pkgFile = join(dir, 'package.json');
  if (existsSync(pkgFile)) {
    let pkg: AgentPackageJson;
    try {
      pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as AgentPackageJson;
    } catch (err) {
      throw new Error(`${pkgFile} is not valid JSON: ${errorMessage(err)}`);
    }
    const entry = pkg.sidereal?.agent ?? exportsEntry(pkg.exports) ?? pkg.main;
    const base = { packageName: pkg.name ?? null, packageVersion: pkg.version ?? null, sdk: typeof pkg.sidereal?.sdk === 'number' ? pkg.sidereal.sdk : null };
    if (typeof entry === 'string') {
      const file = resolve(dir, entry);
      if (!file.startsWith(resolve(dir) + sep)) throw new Error(`the entry point ${entry} of ${pkgFile} is outside the package`);
      if (!existsSync(file)) throw new Error(`the entry point ${entry} named in ${pkgFile} does not exist${/\.js$/.test(entry) ? ' (was the package built?)' : ''}`);
      return { modulePath: pathToFileURL(file).href, ...base };
    }
    for (const f of ['index.js', 'index.mjs', 'index.ts']) if (existsSync(join(dir, f))) return { modulePath: pathToFileURL(join(dir, f)).href, ...base };
  }
  for (const f of ['index.js', 'index.mjs', 'index.ts']) if (existsSync(join(dir, f))) return { modulePath: pathToFileURL(join(dir, f)).href, packageName: null, packageVersion: null, sdk: null };
  throw new Error(`no entry point in ${dir} (package.json "sidereal.agent", "exports" or "main", or index.js)`);
}

/**
 * Resolves a configured agent to its entry module: a folder (with or without
 * a package.json), a module file, or an npm package name installed where
 * Sidereal runs (resolved from `cwd`, like `import` would).
 */
export function resolveAgentPackage(source: string, cwd = process.cwd()): ResolvedAgentSource {
  const asPath = isAbsolute(source) ? source : resolve(cwd, source);
  if (source.startsWith('.') || source.startsWith('/') || existsSync(asPath)) {
    if (!existsSync(asPath)) throw new Error(`folder ${asPath} does not exist`);
    if (statSync(asPath).isFile()) return { modulePath: pathToFileURL(asPath).href, packageName: null, packageVersion: null, sdk: null };
    return resolveFolder(asPath);
  }
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(source)) throw new Error(`"${source}" is neither a folder nor an npm package name`);
  const require = createRequire(join(cwd, 'package.json'));
  for (const dir of require.resolve.paths(source) ?? []) {
    const pkgDir = join(dir, source);
    if (existsSync(join(pkgDir, 'package.json'))) return resolveFolder(pkgDir);
  }
  throw new Error(`npm package ${source} is not installed (run \`npm install ${source}\` in ${cwd})`);
}

/** Resolves a configured agent (npm package name or folder) to a module URL. */
export function resolveAgentSource(source: string, cwd = process.cwd()): string {
  return resolveAgentPackage(source, cwd).modulePath;
}

export function applySettingsDefaults(schema: Record<string, FieldSchema> | undefined, values: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, s] of Object.entries(schema ?? {})) {
    const v = values[k];
    out[k] = v === undefined || v === null || settingValueProblem(s, v) ? (s.default ?? null) : v;
  }
  return out;
}

/**
 * Checks settings an admin gives for an agent: known names, values of the
 * declared types and ranges. Returns every problem at once.
 */
export function settingsProblems(schema: Record<string, FieldSchema> | undefined, values: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const s = schema?.[k];
    if (!s) {
      out.push(`${k}: no such setting${schema && Object.keys(schema).length ? ` (known: ${Object.keys(schema).join(', ')})` : ''}`);
      continue;
    }
    if (v === null) continue; // null = back to the default
    const p = settingValueProblem(s, v);
    if (p) out.push(`${k} ${p}`);
  }
  return out;
}

/** A searchable fact field as the search and the gallery see it. */
export interface SearchableFact extends SearchableField {
  agent: string;
  /** the query parameter: "facts.<agent>.<path>" (+ ".min"/".max" for numbers) */
  param: string;
  /** the allowed values of a keyword fact, from its factsSchema `enum` */
  enum?: string[];
}

/** The JSON schema of the fact at a dot path of an agent's factsSchema (following `properties`), or null. */
export function factSchemaAt(schema: Record<string, unknown> | undefined, path: string): Record<string, unknown> | null {
  let cur: unknown = schema;
  for (const k of path.split('.')) {
    const props = cur && typeof cur === 'object' ? (cur as { properties?: unknown }).properties : undefined;
    if (!props || typeof props !== 'object' || !Object.hasOwn(props, k)) return null;
    cur = (props as Record<string, unknown>)[k];
  }
  return cur && typeof cur === 'object' ? (cur as Record<string, unknown>) : null;
}

function enumOf(schema: Record<string, unknown> | undefined, path: string): string[] | undefined {
  const e = factSchemaAt(schema, path)?.enum;
  const values = Array.isArray(e) ? e.filter((v): v is string => typeof v === 'string') : [];
  return values.length ? values : undefined;
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

function notOnThisThread(name: string): Agent['run'] {
  return async () => {
    throw new Error(`agent ${name} is third-party: it runs only in the worker pool`);
  };
}

export class AgentRegistry {
  private list: RegisteredAgent[] = [];
  private configDefaults: Record<string, Record<string, Json>> = {};
  readonly failures: LoadFailure[] = [];

  constructor(
    private readonly log: Logger,
    private readonly options: { cwd?: string; inspectTimeoutMs?: number; inspectMemoryMb?: number } = {},
  ) {}

  /**
   * Loads built-ins and third-party agents. A broken third-party agent (not
   * found, fails to import, hangs or runs out of memory while loading, breaks
   * the contract, duplicates a name, needs a newer SDK) is reported in
   * `failures` and left out; the daemon runs without it. Third-party modules
   * are read in a throw-away worker thread: their code never runs here.
   */
  async load(options: { builtins?: string[]; thirdParty?: string[] }): Promise<void> {
    const seen = new Set<string>();
    const add = (agent: Agent, e: { modulePath: string; builtin: boolean; source: string; packageName?: string | null; packageVersion?: string | null }) => {
      if (seen.has(agent.name)) throw new Error(`an agent named "${agent.name}" is already registered`);
      seen.add(agent.name);
      this.list.push({ agent, modulePath: e.modulePath, builtin: e.builtin, source: e.source, packageName: e.packageName ?? null, packageVersion: e.packageVersion ?? null, enabled: true, position: this.list.length, settings: applySettingsDefaults(agent.settings, {}) });
    };
    for (const name of options.builtins ?? BUILTIN_AGENTS) {
      const modulePath = builtinModulePath(name);
      add(await loadAgentModule(modulePath), { modulePath, builtin: true, source: 'builtin' });
    }
    // read a few at a time (each in its own thread), registered in configuration order
    const third = await mapLimited(
      options.thirdParty ?? [],
      Math.max(1, Math.min(4, availableParallelism())),
      async (source) => {
        try {
          const resolved = resolveAgentPackage(source, this.options.cwd);
          checkAgentSdk(resolved);
          const manifest = await inspectAgentModule(resolved.modulePath, { timeoutMs: this.options.inspectTimeoutMs, memoryMb: this.options.inspectMemoryMb });
          return { source, resolved, manifest, error: null as unknown };
        } catch (err) {
          return { source, resolved: null, manifest: null, error: (err ?? new Error(String(err))) as unknown };
        }
      },
    );
    for (const t of third) {
      try {
        if (t.error !== null) throw t.error;
        const agent = { ...t.manifest!, run: notOnThisThread(t.manifest!.name) } as Agent;
        add(agent, { modulePath: t.resolved!.modulePath, builtin: false, source: t.source, packageName: t.resolved!.packageName, packageVersion: t.resolved!.packageVersion });
        this.log.info({ agent: agent.name, version: agent.version, source: t.source }, 'third-party agent loaded');
      } catch (err) {
        this.failures.push({ source: t.source, error: errorMessage(err) });
        this.log.error({ source: t.source, err }, 'third-party agent failed to load; continuing without it');
      }
    }
  }

  /**
   * Applies admin overrides (enabled, order, settings). Settings resolve as:
   * the agent's schema default < the host configuration's value < the admin's.
   */
  applyOverrides(overrides: AgentOverride[], configDefaults: Record<string, Record<string, Json>> = this.configDefaults): void {
    this.configDefaults = configDefaults;
    const byName = new Map(overrides.map((o) => [o.agent, o]));
    this.list.forEach((r, i) => {
      const o = byName.get(r.agent.name);
      r.enabled = o?.enabled ?? true;
      r.position = o?.position ?? 1000 + i;
      r.settings = applySettingsDefaults(r.agent.settings, { ...(configDefaults[r.agent.name] ?? {}), ...(o?.settings ?? {}) });
    });
    // stable: equal positions keep registration order
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

  /** Every searchable fact field declared by a loaded agent (enabled or not: old results stay searchable). */
  searchableFacts(): SearchableFact[] {
    return this.list.flatMap((r) =>
      (r.agent.searchable ?? []).map((f) => {
        const values = f.type === 'keyword' ? enumOf(r.agent.factsSchema, f.path) : undefined;
        return { ...f, agent: r.agent.name, param: `facts.${r.agent.name}.${f.path}`, ...(values ? { enum: values } : {}) };
      }),
    );
  }
}
