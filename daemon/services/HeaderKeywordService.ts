/**
 * The header keywords the file agent does not map, counted over the library,
 * for the admin page where users find what to report (a capture program's
 * convention that Sidereal does not read yet).
 */
import type { DatabasePool } from 'slonik';
import { requireAdmin, type Actor } from '../auth/permissions.ts';
import { unknownKeywordCounts } from '../db/keywords.ts';
import { InvalidInputError } from '../errors.ts';

export class HeaderKeywordService {
  constructor(private readonly deps: { db: DatabasePool }) {}

  /** Keywords by how many images carry them, with the programs that wrote them and an example image. */
  async unknown(actor: Actor | null, input: { q?: string; limit?: number } = {}) {
    requireAdmin(actor);
    const limit = input.limit ?? 500;
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new InvalidInputError('limit must be a whole number from 1 to 5000');
    const q = input.q?.trim() || undefined;
    if (q && q.length > 70) throw new InvalidInputError('q: at most 70 characters');
    const { items, total, images } = await unknownKeywordCounts(this.deps.db, { limit, q });
    return {
      items: items.map((r) => ({ keyword: r.keyword, images: r.images, software: r.software, example: { id: r.example_id, path: r.example_path } })),
      total,
      imagesWithUnknown: images,
    };
  }
}
