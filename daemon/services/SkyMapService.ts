/**
 * The sky map's data: the footprint (four corners, J2000) of every
 * plate-solved image, newest first, up to a limit that keeps the SVG light.
 */
import type { DatabasePool } from 'slonik';
import { footprints, solvedVersion } from '../db/skymap.ts';
import { InvalidInputError } from '../errors.ts';

export interface Footprint {
  id: string;
  target: string | null;
  ra: number;
  dec: number;
  corners: number[][];
}

export class SkyMapService {
  /** the last answer, reused while the solved images have not changed (a cheap check) */
  private cache: { key: string; limit: number; value: { items: Footprint[]; total: number } } | null = null;

  constructor(private readonly deps: { db: DatabasePool }) {}

  async footprints(limit = 5000): Promise<{ items: Footprint[]; total: number; truncated: boolean }> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new InvalidInputError('limit must be a whole number from 1 to 100000');
    const key = await solvedVersion(this.deps.db);
    if (this.cache?.key !== key || this.cache.limit !== limit) this.cache = { key, limit, value: await footprints(this.deps.db, limit) };
    const { items, total } = this.cache.value;
    const valid = items.filter((f) => f.corners.length >= 3 && f.corners.every((c) => c.length >= 2 && Number.isFinite(c[0]) && Number.isFinite(c[1])));
    return { items: valid, total, truncated: total > items.length };
  }
}
