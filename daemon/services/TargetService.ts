/**
 * Targets: the objects images were taken of, each with its images and the
 * integration collected on it across the library, by filter.
 */
import type { DatabasePool } from 'slonik';
import { listTargets, targetIntegration } from '../db/targets.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { ImageService } from './ImageService.ts';
import type { ObjectService } from './ObjectService.ts';
import { decodeCursor } from './imageQuery.ts';
import { derivedUrl } from '../catalog/stitching/record.ts';

export class TargetService {
  constructor(private readonly deps: { db: DatabasePool; images: ImageService; objects: ObjectService }) {}

  async list(input: { q?: string; limit?: number; cursor?: string } = {}) {
    const limit = input.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new InvalidInputError('limit must be a whole number from 1 to 500');
    const offset = decodeCursor(input.cursor);
    if (offset === null) throw new InvalidInputError('cursor is not valid');
    const { items, total } = await listTargets(this.deps.db, { q: input.q?.trim() || undefined, limit, offset });
    return {
      items: items.map((r) => ({ id: r.id, name: r.name, images: r.images, totalSeconds: r.total_seconds, lastCaptured: r.last_captured, thumbnailUrl: r.thumbnail_image_id ? derivedUrl(r.thumbnail_image_id, 'thumbnail') : null })),
      total,
    };
  }

  /** The target's totals (no images). */
  async summary(id: string) {
    if (!id || id.length > 100) throw new NotFoundError('no such target');
    const [object, integ] = await Promise.all([this.deps.objects.find(id), targetIntegration(this.deps.db, id)]);
    if (!object && integ.totals.images === 0) throw new NotFoundError(`no target "${id}"`);
    return {
      id,
      object,
      totalSeconds: integ.byFilter.reduce((a, f) => a + f.seconds, 0),
      lights: integ.totals.lights,
      imageCount: integ.totals.images,
      byFilter: integ.byFilter,
      firstCaptured: integ.totals.first_captured,
      lastCaptured: integ.totals.last_captured,
    };
  }

  /** The target's totals and a page of its images (those that show it, primary or not). */
  async get(id: string, page: { cursor?: string; limit?: number; sort?: string } = {}) {
    const summary = await this.summary(id);
    const images = await this.deps.images.list({ target: id, frameType: undefined, cursor: page.cursor, limit: page.limit, sort: page.sort as never });
    return { ...summary, images: { items: images.items, total: images.total, next: images.next } };
  }
}
