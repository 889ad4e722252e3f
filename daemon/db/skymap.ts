/**
 * SQL of the sky map: the plate-solved images' footprints.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const FootprintRow = z.object({ id: z.string(), target: z.string().nullable(), ra: z.number(), dec: z.number(), corners: z.array(z.array(z.number())) });

export async function footprints(db: DatabasePool, limit: number) {
  const [items, total] = await Promise.all([
    db.any(sql.type(FootprintRow)`
      select id, coalesce(target_id, object_name) as target, ra, dec, record #> '{astrometry,corners}' as corners
        from images
       where solved and not is_calibration and jsonb_typeof(record #> '{astrometry,corners}') = 'array'
       order by captured_at desc nulls last, id
       limit ${limit}`),
    db.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from images where solved and not is_calibration and jsonb_typeof(record #> '{astrometry,corners}') = 'array'`),
  ]);
  return { items: [...items], total };
}
