/**
 * SQL of targets: the objects images were taken of (their primary target),
 * with the integration collected on each across the library.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const TargetSummaryRow = z.object({
  id: z.string(),
  name: z.string().nullable(),
  images: z.number(),
  total_seconds: z.number(),
  last_captured: z.string().nullable(),
  thumbnail_image_id: z.string().nullable(),
});

export async function listTargets(db: DatabasePool, f: { q?: string; limit: number; offset: number }) {
  const like = f.q ? `%${f.q.replace(/[%_\\]/g, '\\$&')}%` : null;
  const rows = await db.any(sql.type(TargetSummaryRow.extend({ total: z.number() }))`
    select t.id, o.name, t.images, t.total_seconds, t.last_captured, t.thumbnail_image_id, count(*) over ()::int as total
      from (
        select target_id as id, count(*)::int as images, coalesce(sum(integration_s) filter (where frame_type = 'light'), 0)::float8 as total_seconds,
               max(captured_at) as last_captured,
               (array_agg(id order by captured_at desc nulls last) filter (where record->'derived' ? 'thumbnail'))[1]::text as thumbnail_image_id
          from images where target_id is not null and not is_calibration group by target_id
      ) t left join objects o on o.id = t.id
     ${like ? sql.fragment`where t.id ilike ${like} or o.name ilike ${like}` : sql.fragment``}
     order by t.last_captured desc nulls last, t.id
     limit ${f.limit} offset ${f.offset}`);
  return { items: rows.map(({ total: _t, ...r }) => r), total: rows[0]?.total ?? 0 };
}

export const FilterRow = z.object({ filter: z.string(), seconds: z.number(), frames: z.number().nullable(), images: z.number() });
export const TargetTotalsRow = z.object({ lights: z.number(), images: z.number(), first_captured: z.string().nullable(), last_captured: z.string().nullable() });

/**
 * Integration on a target by filter. Lights are the basis (a stack made of
 * them would count the same time twice); a target with no lights at all
 * falls back to its masters and processed images.
 */
export async function targetIntegration(db: DatabasePool, id: string) {
  const totals = await db.one(sql.type(TargetTotalsRow)`
    select count(*) filter (where frame_type = 'light')::int as lights, count(*)::int as images,
           min(captured_at) as first_captured, max(captured_at) as last_captured
      from images where target_id = ${id} and not is_calibration`);
  const kinds = totals.lights > 0 ? ['light'] : ['master', 'processed'];
  const byFilter = await db.any(sql.type(FilterRow)`
    select f.filter, sum(f.seconds)::float8 as seconds, sum(f.frames)::int as frames, count(distinct i.id)::int as images
      from images i join image_filters f on f.image_id = i.id
     where i.target_id = ${id} and not i.is_calibration and i.frame_type = any(${sql.array(kinds, 'text')})
     group by f.filter order by sum(f.seconds) desc, f.filter`);
  return { totals, byFilter: [...byFilter] };
}
