/**
 * SQL of browsing the deep-sky object catalog (the `objects` table seeded by
 * objects.ts), with how many images show each object.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export const ObjectRow = z.object({
  id: z.string(),
  designations: z.array(z.string()),
  name: z.string().nullable(),
  type: z.string().nullable(),
  ra: z.number(),
  dec: z.number(),
  magnitude: z.number().nullable(),
  major_arcmin: z.number().nullable(),
  minor_arcmin: z.number().nullable(),
  constellation: z.string().nullable(),
  image_count: z.number(),
});
export type ObjectRow = z.infer<typeof ObjectRow>;

export interface ObjectSearch {
  /** normalized search key (searchKey(), agents/lib/sky/names.ts) to match as a prefix of any designation or name */
  key?: string;
  /** raw text to match inside common names */
  text?: string;
  type?: string;
  constellation?: string;
  imaged?: boolean;
  limit: number;
  offset: number;
}

/**
 * One query for the page and its total. A prefix over the normalized keys of
 * ~90,000 objects is a sequential scan of a few MB (a few ms); exact key hits
 * rank first, then objects that have images, then the brightest.
 */
export async function searchObjects(db: DatabasePool, s: ObjectSearch): Promise<{ items: ObjectRow[]; total: number }> {
  const c = [sql.fragment`true`];
  if (s.key || s.text) {
    const alt: ReturnType<typeof sql.fragment>[] = [];
    if (s.key) alt.push(sql.fragment`exists (select 1 from unnest(o.search_keys) k where k like ${s.key + '%'})`);
    if (s.text) alt.push(sql.fragment`o.name ilike ${'%' + s.text.replace(/[%_\\]/g, '\\$&') + '%'}`);
    c.push(sql.fragment`(${sql.join(alt, sql.fragment` or `)})`);
  }
  if (s.type) c.push(sql.fragment`o.type = ${s.type}`);
  if (s.constellation) c.push(sql.fragment`o.constellation = ${s.constellation}`);
  if (s.imaged === true) c.push(sql.fragment`n.n is not null`);
  if (s.imaged === false) c.push(sql.fragment`n.n is null`);
  const exact = s.key ? sql.fragment`(${s.key} = any(o.search_keys)) desc,` : sql.fragment``;
  const rows = await db.any(sql.type(ObjectRow.extend({ total: z.number() }))`
    select o.id, o.designations, o.name, o.type, o.ra, o.dec, o.magnitude, o.major_arcmin, o.minor_arcmin, o.constellation,
           coalesce(n.n, 0)::int as image_count, count(*) over ()::int as total
      from objects o
      left join (select object_id, count(*) as n from image_objects group by object_id) n on n.object_id = o.id
     where ${sql.join(c, sql.fragment` and `)}
     order by ${exact} (n.n is null), n.n desc, o.magnitude asc nulls last, length(o.id), o.id
     limit ${s.limit} offset ${s.offset}`);
  return { items: rows.map(({ total: _t, ...r }) => r), total: rows[0]?.total ?? (s.offset > 0 ? await countObjects(db, s) : 0) };
}

async function countObjects(db: DatabasePool, s: ObjectSearch): Promise<number> {
  // only reached for a page past the end: the window count had no row to ride on
  const r = await searchObjects(db, { ...s, offset: 0, limit: 1 });
  return r.total;
}

export async function getObject(db: DatabasePool, id: string): Promise<ObjectRow | null> {
  return db.maybeOne(sql.type(ObjectRow)`
    select o.id, o.designations, o.name, o.type, o.ra, o.dec, o.magnitude, o.major_arcmin, o.minor_arcmin, o.constellation,
           (select count(*)::int from image_objects io where io.object_id = o.id) as image_count
      from objects o where o.id = ${id}`);
}

export async function objectTypes(db: DatabasePool): Promise<string[]> {
  return [...(await db.anyFirst(sql.type(z.object({ type: z.string() }))`select distinct type from objects where type is not null order by type`))];
}
