/**
 * Search by third-party agents' facts. An agent declares which of its facts
 * are searchable (`searchable: [{ path, type, label }]`); the gallery and the
 * API filter on them with query parameters named after the fact:
 *
 *   facts.<agent>.<path>.min=…   facts.<agent>.<path>.max=…   (type "number")
 *   facts.<agent>.<path>=…                                    (type "keyword", exact)
 *
 * e.g. `facts.star-quality.medianFwhmArcsec.max=2.5&facts.star-quality.shape=round`.
 * With the list of declared fields, unknown parameters are refused with the
 * list of known ones; without it (a host that has not loaded the agents), any
 * well-formed name is accepted and matched as given.
 */
import type { SearchableField } from '../../agents/sdk/index.ts';
import type { ImageSearch } from '../db/images.ts';
import { InvalidInputError } from '../errors.ts';

export interface SearchableFactField extends SearchableField {
  agent: string;
  /** "facts.<agent>.<path>" */
  param: string;
  /** the allowed values of a keyword fact (its factsSchema `enum`): the gallery offers a select */
  enum?: string[];
}

export type FactFilter = NonNullable<ImageSearch['facts']>[number];

const PARAM = /^facts\.([a-z0-9][a-z0-9-]{0,62})\.([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)$/;

function single(key: string, v: unknown): string | undefined {
  const value = Array.isArray(v) ? v[v.length - 1] : v;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new InvalidInputError(`${key} must be a single value`);
  const text = String(value).trim();
  if (text.length > 200) throw new InvalidInputError(`${key} is too long`);
  return text === '' ? undefined : text;
}

function number(key: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new InvalidInputError(`${key} must be a number`);
  return n;
}

/** Reads the `facts.*` parameters of a query into search filters (one per field). */
export function parseFactFilters(input: Record<string, unknown>, declared?: SearchableFactField[]): FactFilter[] {
  const byField = new Map<string, FactFilter>();
  for (const [key, raw] of Object.entries(input)) {
    if (!key.startsWith('facts.')) continue;
    const text = single(key, raw);
    if (text === undefined) continue;
    const range = /\.(min|max)$/.exec(key);
    const base = range ? key.slice(0, -4) : key;
    const m = PARAM.exec(base);
    if (!m) throw new InvalidInputError(`${key} is not a fact filter (facts.<agent>.<path>[.min|.max])`);
    const [, agent, path] = m as unknown as [string, string, string];
    if (declared) {
      const field = declared.find((f) => f.param === base);
      if (!field) {
        const known = declared.map((f) => (f.type === 'number' ? `${f.param}.min/.max` : f.param));
        throw new InvalidInputError(`${base} is not a searchable fact${known.length ? ` (searchable: ${known.join(', ')})` : ' (no agent declares searchable facts)'}`);
      }
      if (field.type === 'number' && !range) throw new InvalidInputError(`${key} is a number: filter it with ${key}.min and/or ${key}.max`);
      if (field.type === 'keyword' && range) throw new InvalidInputError(`${base} is a keyword: filter it with ${base}=<value>`);
      if (field.enum && !field.enum.includes(text)) throw new InvalidInputError(`${base} must be one of ${field.enum.join(', ')}`);
    }
    const f = byField.get(base) ?? { agent, path: path.split('.') };
    if (range?.[1] === 'min') f.min = number(key, text);
    else if (range?.[1] === 'max') f.max = number(key, text);
    else f.eq = text;
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) throw new InvalidInputError(`${base}.min is larger than ${base}.max`);
    byField.set(base, f);
  }
  return [...byField.values()];
}
