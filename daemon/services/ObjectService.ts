/**
 * The deep-sky object catalog: browse, search, suggestions for the target
 * filter, one object.
 */
import type { DatabasePool } from 'slonik';
import { constellationNames } from '../../agents/lib/sky/constellation.ts';
import { getObject, objectTypes, searchObjects, type ObjectRow } from '../db/objectSearch.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { decodeCursor, encodeCursor } from './imageQuery.ts';
import { searchKey } from '../../agents/lib/sky/names.ts';

export interface CatalogObject {
  id: string;
  designations: string[];
  name: string | null;
  type: string | null;
  ra: number;
  dec: number;
  magnitude: number | null;
  majorArcmin: number | null;
  minorArcmin: number | null;
  constellation: string | null;
  imageCount: number;
}

export const toCatalogObject = (r: ObjectRow): CatalogObject => ({
  id: r.id,
  designations: r.designations,
  name: r.name,
  type: r.type,
  ra: r.ra,
  dec: r.dec,
  magnitude: r.magnitude,
  majorArcmin: r.major_arcmin,
  minorArcmin: r.minor_arcmin,
  constellation: r.constellation,
  imageCount: r.image_count,
});

export interface ObjectQueryInput {
  q?: string;
  type?: string;
  constellation?: string;
  imaged?: 'true' | 'false';
  limit?: number;
  cursor?: string;
}

let constellations: Map<string, string> | null = null;
/** IAU abbreviation from an abbreviation or a name (case-insensitive), or null. */
export function constellationAbbr(text: string): string | null {
  if (!constellations) {
    constellations = new Map();
    for (const [abbr, name] of constellationNames()) {
      constellations.set(abbr.toLowerCase(), abbr);
      constellations.set(name.toLowerCase(), abbr);
    }
  }
  return constellations.get(text.trim().toLowerCase()) ?? null;
}

export class ObjectService {
  private types: string[] | null = null;
  constructor(private readonly deps: { db: DatabasePool }) {}

  async list(input: ObjectQueryInput): Promise<{ items: CatalogObject[]; total: number; next: string | null }> {
    const limit = input.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new InvalidInputError('limit must be a whole number from 1 to 200');
    const offset = decodeCursor(input.cursor);
    if (offset === null) throw new InvalidInputError('cursor is not valid');
    const q = input.q?.trim();
    let constellation: string | undefined;
    if (input.constellation?.trim()) {
      constellation = constellationAbbr(input.constellation) ?? undefined;
      if (!constellation) throw new InvalidInputError(`unknown constellation "${input.constellation}"`);
    }
    const key = q ? searchKey(q) : '';
    const { items, total } = await searchObjects(this.deps.db, {
      key: key || undefined,
      text: q && q.length >= 3 ? q : undefined,
      type: input.type?.trim() || undefined,
      constellation,
      imaged: input.imaged === undefined ? undefined : input.imaged === 'true',
      limit,
      offset,
    });
    const end = offset + items.length;
    return { items: items.map(toCatalogObject), total, next: end < total ? encodeCursor(end) : null };
  }

  /** Up to `limit` suggestions for a target text (objects with images first). */
  async suggest(text: string, limit = 10): Promise<CatalogObject[]> {
    const t = text.trim();
    if (!t) return [];
    return (await this.list({ q: t, limit })).items;
  }

  async get(id: string): Promise<CatalogObject> {
    const r = await getObject(this.deps.db, id);
    if (!r) throw new NotFoundError(`no object "${id}" in the catalog`);
    return toCatalogObject(r);
  }

  async find(id: string): Promise<CatalogObject | null> {
    const r = await getObject(this.deps.db, id);
    return r ? toCatalogObject(r) : null;
  }

  async typeNames(): Promise<string[]> {
    this.types ??= await objectTypes(this.deps.db);
    return this.types;
  }
}
