/**
 * SQL of the unknown-keywords report: the header keywords the file agent does
 * not map, counted over the library from `images.unknown_keywords` (filled at
 * stitching). Shaped for 100k images: the arrays hold only the unmapped
 * keywords (a handful per image), so the unnest reads ~100k short arrays, not
 * millions of header cards; the software that wrote each keyword comes from
 * the typed columns of the same rows.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const UnknownKeywordRow = z.object({
  keyword: z.string(),
  images: z.number(),
  software: z.array(z.string()),
  example_id: z.string(),
  example_path: z.string(),
});
export type UnknownKeywordRow = z.infer<typeof UnknownKeywordRow>;

/** Keywords by the number of images that carry them (most first), with up to three writing programs and one example image. */
export async function unknownKeywordCounts(db: DatabasePool, f: { limit: number; q?: string }): Promise<{ items: UnknownKeywordRow[]; total: number; images: number }> {
  const like = f.q ? `%${f.q.toUpperCase().replace(/[%_\\]/g, '\\$&')}%` : null;
  const rows = await db.any(sql.type(UnknownKeywordRow.extend({ total: z.number() }))`
    with k as (
      select u.keyword, i.id, i.path, i.record #>> '{acquisition,software}' as software
        from images i cross join lateral unnest(i.unknown_keywords) as u(keyword)
       where i.unknown_keywords <> '{}' and (${like}::text is null or u.keyword like ${like})
    ), g as (
      select keyword, count(*)::int as images,
             (array_agg(distinct software) filter (where software is not null))[1:3] as software
        from k group by keyword
    ), ex as (
      select distinct on (keyword) keyword, id, path from k order by keyword, path
    )
    select g.keyword, g.images, coalesce(g.software, '{}') as software, ex.id::text as example_id, ex.path as example_path,
           count(*) over ()::int as total
      from g join ex using (keyword)
     order by g.images desc, g.keyword
     limit ${f.limit}`);
  const images = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from images where unknown_keywords <> '{}'`);
  return { items: rows.map(({ total: _t, ...r }) => r), total: rows[0]?.total ?? 0, images };
}
