/**
 * The image page's view of the facts of agents that are not built in
 * (`record.facts[agentName]`): one section per agent, the fields it declares
 * searchable first (with their labels, units and a filter link for keywords),
 * then the rest of its facts flattened to "a.b.c" paths — in the order of the
 * agent's `factsSchema` properties, labelled by their `title` and `unit`
 * (facts the schema does not describe follow, by their paths). Plain data for
 * the views; no HTML here.
 */
import type { SearchableField } from '../../agents/sdk/index.ts';
import { factSchemaAt } from '../agent-host/AgentRegistry.ts';

export interface FactRow {
  /** dot path inside the agent's facts */
  path: string;
  label: string;
  /** display text ("—" for null) */
  value: string;
  unit?: string;
  /** for searchable keyword facts: the gallery query that finds images with the same value */
  filter?: string;
  searchable: boolean;
}

export interface AgentFactSection {
  agent: string;
  description: string | null;
  version: string | null;
  status: string | null;
  rows: FactRow[];
}

export interface AgentInfoForFacts {
  name: string;
  description?: string | null;
  searchable?: SearchableField[];
  /** the agent's factsSchema: titles, units and order of its facts */
  factsSchema?: Record<string, unknown>;
}

const MAX_ROWS = 60;

function display(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '—';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    if (v.length <= 12 && v.every((x) => x === null || typeof x !== 'object')) return v.map(display).join(', ');
    return `${v.length} items`;
  }
  return JSON.stringify(v);
}

function get(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const k of path.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Dot paths of the leaf properties a schema declares, in declaration order. */
function schemaPaths(schema: unknown, prefix: string, depth: number, out: string[]): void {
  const props = schema && typeof schema === 'object' ? (schema as { properties?: unknown }).properties : undefined;
  if (!props || typeof props !== 'object') return;
  for (const [k, sub] of Object.entries(props as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const nested = sub && typeof sub === 'object' && (sub as { properties?: unknown }).properties;
    if (nested && depth < 3) schemaPaths(sub, path, depth + 1, out);
    else out.push(path);
  }
}

function flatten(obj: Record<string, unknown>, prefix: string, depth: number, out: [string, unknown][]): void {
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v) && depth < 3) flatten(v as Record<string, unknown>, path, depth + 1, out);
    else out.push([path, v]);
  }
}

/** Sections for every non-core agent with facts in the record, in the record's order. */
export function agentFactSections(record: Record<string, unknown>, agents: AgentInfoForFacts[]): AgentFactSection[] {
  const facts = (record.facts ?? {}) as Record<string, Record<string, unknown>>;
  const runs = (Array.isArray(record.agents) ? record.agents : []) as { name: string; version?: string; status?: string }[];
  return Object.entries(facts)
    .filter(([, f]) => f && typeof f === 'object')
    .map(([name, f]) => {
      const info = agents.find((a) => a.name === name);
      const rows: FactRow[] = [];
      const seen = new Set<string>();
      for (const s of info?.searchable ?? []) {
        const v = get(f, s.path);
        if (v === undefined) continue;
        seen.add(s.path);
        const filter = s.type === 'keyword' && v !== null && typeof v !== 'object' ? `facts.${name}.${s.path}=${encodeURIComponent(String(v))}` : undefined;
        rows.push({ path: s.path, label: s.label, value: display(v), ...(s.unit ? { unit: s.unit } : {}), ...(filter ? { filter } : {}), searchable: true });
      }
      const rest: [string, unknown][] = [];
      flatten(f, '', 0, rest);
      // the schema's order first, then what it does not describe, in the record's order
      const order: string[] = [];
      schemaPaths(info?.factsSchema, '', 0, order);
      const rank = (p: string) => {
        const i = order.indexOf(p);
        return i < 0 ? order.length : i;
      };
      rest.sort((a, b) => rank(a[0]) - rank(b[0]));
      for (const [path, v] of rest) {
        if (seen.has(path) || rows.length >= MAX_ROWS) continue;
        const schema = factSchemaAt(info?.factsSchema, path);
        const title = typeof schema?.title === 'string' && schema.title.trim() ? schema.title.trim() : path;
        const unit = typeof schema?.unit === 'string' && schema.unit.trim() ? schema.unit.trim() : undefined;
        rows.push({ path, label: title, value: display(v), ...(unit ? { unit } : {}), searchable: false });
      }
      const run = runs.find((r) => r.name === name);
      return { agent: name, description: info?.description ?? null, version: run?.version ?? null, status: run?.status ?? null, rows };
    });
}
