/**
 * SQL of the sky map: the plate-solved images' footprints.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const FootprintRow = z.object({ id: z.string(), target: z.string().nullable(), ra: z.number(), dec: z.number(), corners: z.any() });

/**
 * The newest solved images first (partial index images_solved_captured); the
 * JSONB record is read only for the rows returned, never for the whole
 * library, so the count stays an index-only scan.
 */
export async function footprints(db: DatabasePool, limit: number) {
  const [items, total] = await Promise.all([
    db.any(sql.type(FootprintRow)`
      select id, coalesce(target_id, object_name) as target, ra, dec, record #> '{astrometry,corners}' as corners
        from (select id, target_id, object_name, ra, dec, record from images
               where solved and not is_calibration
               order by captured_at desc nulls last, id
               limit ${limit}) newest`),
    db.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from images where solved and not is_calibration`),
  ]);
  return { items: items.filter((r) => Array.isArray(r.corners)) as { id: string; target: string | null; ra: number; dec: number; corners: number[][] }[], total };
}

/** Changes whenever a solved image is added, removed or stitched again. */
export async function solvedVersion(db: DatabasePool): Promise<string> {
  const r = await db.one(sql.type(z.object({ n: z.number(), at: z.string().nullable() }))`
    select count(*)::int as n, max(stitched_at) as at from images where solved and not is_calibration`);
  return `${r.n}:${r.at ?? ''}`;
}
