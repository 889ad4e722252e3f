/**
 * Imports an agent module and checks its default export against the SDK
 * contract (the "manifest": name, version, stages, appliesTo, settings,
 * facts schema, searchable fields), with a clear message for each problem.
 */
import { Ajv } from 'ajv';
import { FRAME_TYPES, STAGES, type Agent } from '../../agents/sdk/index.ts';

const cache = new Map<string, Promise<Agent>>();
const ajv = new Ajv({ allErrors: true, strict: false });

/** The names agents may not take: `user` holds the user's edits in `ctx.facts`. */
export const RESERVED_AGENT_NAMES = ['user'];

export class AgentLoadError extends Error {
  constructor(readonly source: string, message: string, options?: { cause?: unknown }) {
    super(`agent ${source}: ${message}`, options);
    this.name = 'AgentLoadError';
  }
}

const isStringList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');

function settingsProblems(settings: unknown): string[] {
  if (settings === undefined) return [];
  if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return ['settings must be an object of field schemas'];
  const out: string[] = [];
  for (const [k, s] of Object.entries(settings as Record<string, Record<string, unknown>>)) {
    const where = `settings.${k}`;
    if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(k)) out.push(`${where}: setting names are letters, digits and _`);
    if (!s || typeof s !== 'object') {
      out.push(`${where} must be an object`);
      continue;
    }
    if (!['number', 'integer', 'string', 'boolean'].includes(s.type as string)) {
      out.push(`${where}.type must be number, integer, string or boolean`);
      continue;
    }
    if (s.enum !== undefined && !isStringList(s.enum)) out.push(`${where}.enum must be a list of strings`);
    for (const b of ['minimum', 'maximum'] as const) if (s[b] !== undefined && typeof s[b] !== 'number') out.push(`${where}.${b} must be a number`);
    if (s.default !== undefined && s.default !== null) {
      const problem = settingValueProblem(s as never, s.default);
      if (problem) out.push(`${where}.default ${problem}`);
    }
  }
  return out;
}

/** Why a value does not fit a setting's schema, or null when it fits. */
export function settingValueProblem(s: { type: string; minimum?: number; maximum?: number; enum?: string[] }, v: unknown): string | null {
  switch (s.type) {
    case 'number':
    case 'integer':
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a number';
      if (s.type === 'integer' && !Number.isInteger(v)) return 'must be a whole number';
      if (s.minimum !== undefined && v < s.minimum) return `must be at least ${s.minimum}`;
      if (s.maximum !== undefined && v > s.maximum) return `must be at most ${s.maximum}`;
      return null;
    case 'string':
      if (typeof v !== 'string') return 'must be text';
      if (s.enum && !s.enum.includes(v)) return `must be one of ${s.enum.join(', ')}`;
      return null;
    case 'boolean':
      return typeof v === 'boolean' ? null : 'must be true or false';
    default:
      return `has an unknown type ${s.type}`;
  }
}

function searchableProblems(searchable: unknown): string[] {
  if (searchable === undefined) return [];
  if (!Array.isArray(searchable)) return ['searchable must be a list of { path, type, label }'];
  const out: string[] = [];
  searchable.forEach((f: Record<string, unknown>, i) => {
    const where = `searchable[${i}]`;
    if (!f || typeof f !== 'object') return void out.push(`${where} must be an object`);
    if (typeof f.path !== 'string' || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(f.path)) out.push(`${where}.path must be a dot-separated path of names ("stars.medianFwhm")`);
    else if (/\.(min|max)$/.test(f.path)) out.push(`${where}.path must not end in .min or .max (those name the range of a filter)`);
    if (f.type !== 'number' && f.type !== 'keyword') out.push(`${where}.type must be "number" or "keyword"`);
    if (typeof f.label !== 'string' || !f.label.trim()) out.push(`${where}.label must be a non-empty text`);
    if (f.unit !== undefined && typeof f.unit !== 'string') out.push(`${where}.unit must be text`);
  });
  return out;
}

function appliesToProblems(a: unknown): string[] {
  if (a === undefined) return [];
  if (!a || typeof a !== 'object') return ['appliesTo must be an object'];
  const out: string[] = [];
  const o = a as Record<string, unknown>;
  if (o.formats !== undefined && !isStringList(o.formats)) out.push('appliesTo.formats must be a list of format names');
  if (o.frameTypes !== undefined && !(isStringList(o.frameTypes) && (o.frameTypes as string[]).every((t) => (FRAME_TYPES as readonly string[]).includes(t))))
    out.push(`appliesTo.frameTypes must be a list of ${FRAME_TYPES.join(', ')}`);
  if (o.requires !== undefined && !isStringList(o.requires)) out.push('appliesTo.requires must be a list of agent names');
  return out;
}

export function validateAgent(agent: unknown, source: string): Agent {
  const problems: string[] = [];
  const a = agent as Partial<Agent> | null;
  if (!a || typeof a !== 'object') throw new AgentLoadError(source, 'the module has no default export object (export default defineAgent({...}))');
  if (typeof a.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(a.name)) problems.push('name must be lowercase letters, digits and dashes');
  if (typeof a.name === 'string' && RESERVED_AGENT_NAMES.includes(a.name)) problems.push(`"${a.name}" is reserved`);
  if (typeof a.version !== 'string' || !a.version) problems.push('version must be a non-empty string');
  if (a.description !== undefined && typeof a.description !== 'string') problems.push('description must be text');
  if (!Array.isArray(a.stages) || a.stages.length === 0 || a.stages.some((s) => !STAGES.includes(s))) problems.push(`stages must be a non-empty list of ${STAGES.join(', ')}`);
  if (typeof a.run !== 'function') problems.push('run must be a function');
  if (a.thread !== undefined && a.thread !== 'worker' && a.thread !== 'main') problems.push('thread must be "worker" or "main"');
  if (a.timeoutSeconds !== undefined && !(typeof a.timeoutSeconds === 'number' && a.timeoutSeconds > 0)) problems.push('timeoutSeconds must be a positive number');
  if (a.uses !== undefined && !isStringList(a.uses)) problems.push('uses must be a list of agent names');
  if (a.usesUserEdits !== undefined && typeof a.usesUserEdits !== 'boolean') problems.push('usesUserEdits must be true or false');
  problems.push(...appliesToProblems(a.appliesTo), ...settingsProblems(a.settings), ...searchableProblems(a.searchable));
  if (a.factsSchema !== undefined) {
    if (!a.factsSchema || typeof a.factsSchema !== 'object' || Array.isArray(a.factsSchema)) problems.push('factsSchema must be a JSON schema object');
    else {
      try {
        ajv.compile(a.factsSchema);
      } catch (err) {
        problems.push(`factsSchema is not a valid JSON schema: ${(err as Error).message}`);
      }
    }
  }
  if (problems.length) throw new AgentLoadError(source, problems.join('; '));
  return a as Agent;
}

/** Everything of an agent but `run`, as plain JSON (what crosses a thread boundary). */
export type AgentManifest = Omit<Agent, 'run'>;

export function agentManifest(agent: Agent): AgentManifest {
  const { run: _run, ...rest } = agent;
  return JSON.parse(JSON.stringify(rest)) as AgentManifest;
}

let typeScriptReady: Promise<void> | null = null;

/**
 * Agents may be written in TypeScript. From sources (tests, `npm start`
 * without a build) tsx is already active; a compiled daemon registers it the
 * first time it meets a .ts agent.
 */
function ensureTypeScript(modulePath: string): Promise<void> {
  if (!/\.[cm]?ts$/.test(modulePath) || import.meta.url.endsWith('.ts')) return Promise.resolve();
  typeScriptReady ??= import('tsx/esm/api').then(({ register }) => void register());
  return typeScriptReady;
}

export function loadAgentModule(modulePath: string): Promise<Agent> {
  let p = cache.get(modulePath);
  if (!p) {
    p = ensureTypeScript(modulePath)
      .then(() => import(modulePath))
      .then(
        (m) => validateAgent(m.default ?? m.agent, modulePath),
        (err) => {
          throw new AgentLoadError(modulePath, `cannot be imported: ${(err as Error)?.message ?? String(err)}`, { cause: err });
        },
      );
    cache.set(modulePath, p);
    p.catch(() => cache.delete(modulePath));
  }
  return p;
}
