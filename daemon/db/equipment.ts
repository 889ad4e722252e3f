/**
 * SQL of the equipment register: items, their aliases (header values), the
 * images that used them, merge and delete.
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { aliasKey } from './stitch.ts';

type Db = DatabasePool | DatabaseTransactionConnection;

export const EquipmentRow = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string(),
  notes: z.string().nullable(),
  specs: z.record(z.any()),
  auto: z.boolean(),
  aliases: z.array(z.string()),
  image_count: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type EquipmentRow = z.infer<typeof EquipmentRow>;

const SELECT = sql.fragment`
  select e.id, e.type, e.name, e.notes, e.specs, e.auto, e.created_at, e.updated_at,
         coalesce((select array_agg(a.alias order by a.alias) from equipment_aliases a where a.equipment_id = e.id), '{}') as aliases,
         (select count(*)::int from image_equipment ie where ie.equipment_id = e.id) as image_count
    from equipment e`;

export async function listEquipment(db: Db, f: { type?: string; q?: string }): Promise<EquipmentRow[]> {
  const c = [sql.fragment`true`];
  if (f.type) c.push(sql.fragment`e.type = ${f.type}`);
  if (f.q) {
    const like = `%${f.q.replace(/[%_\\]/g, '\\$&')}%`;
    c.push(sql.fragment`(e.name ilike ${like} or exists (select 1 from equipment_aliases a where a.equipment_id = e.id and a.alias ilike ${like}))`);
  }
  return [...(await db.any(sql.type(EquipmentRow)`${SELECT} where ${sql.join(c, sql.fragment` and `)} order by e.type, lower(e.name)`))];
}

export async function getEquipment(db: Db, id: string): Promise<EquipmentRow | null> {
  return db.maybeOne(sql.type(EquipmentRow)`${SELECT} where e.id = ${id}`);
}

export async function findEquipmentByName(db: Db, type: string, name: string): Promise<{ id: string } | null> {
  return db.maybeOne(sql.type(z.object({ id: z.string() }))`select id from equipment where type = ${type} and lower(name) = lower(${name})`);
}

export async function insertEquipment(db: Db, e: { type: string; name: string; notes: string | null; specs: Record<string, unknown> }): Promise<string | null> {
  return db.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
    insert into equipment (type, name, notes, specs, auto) values (${e.type}, ${e.name}, ${e.notes}, ${sql.jsonb(e.specs as never)}, false)
    on conflict do nothing returning id`);
}

export async function updateEquipment(db: Db, id: string, p: { name?: string; notes?: string | null; specs?: Record<string, unknown> }): Promise<void> {
  const sets = [sql.fragment`updated_at = now()`, sql.fragment`auto = false`];
  if (p.name !== undefined) sets.push(sql.fragment`name = ${p.name}`);
  if (p.notes !== undefined) sets.push(sql.fragment`notes = ${p.notes}`);
  if (p.specs !== undefined) sets.push(sql.fragment`specs = ${sql.jsonb(p.specs as never)}`);
  await db.query(sql.unsafe`update equipment set ${sql.join(sets, sql.fragment`, `)} where id = ${id}`);
}

/** Which item of a type an alias maps to (null: none). */
export async function aliasOwner(db: Db, type: string, alias: string): Promise<{ id: string; name: string } | null> {
  return db.maybeOne(sql.type(z.object({ id: z.string(), name: z.string() }))`
    select e.id, e.name from equipment_aliases a join equipment e on e.id = a.equipment_id where a.type = ${type} and a.alias_key = ${aliasKey(alias)}`);
}

/** Replaces an item's aliases. */
export async function setAliases(db: Db, id: string, type: string, aliases: string[]): Promise<void> {
  const byKey = new Map(aliases.map((a) => [aliasKey(a), a.trim()]));
  await db.query(sql.unsafe`delete from equipment_aliases where equipment_id = ${id} and not (alias_key = any(${sql.array([...byKey.keys()], 'text')}))`);
  for (const [key, alias] of byKey) {
    await db.query(sql.unsafe`
      insert into equipment_aliases (type, alias_key, alias, equipment_id) values (${type}, ${key}, ${alias}, ${id})
      on conflict (type, alias_key) do update set alias = excluded.alias where equipment_aliases.equipment_id = ${id}`);
  }
}

/**
 * Images whose equipment may change when these items or aliases change: those
 * linked to the items, and those whose header values equal one of the aliases.
 */
export async function imagesForEquipment(db: Db, ids: string[], aliases: string[]): Promise<string[]> {
  const keys = aliases.map(aliasKey);
  return [
    ...(await db.anyFirst(sql.type(z.object({ id: z.string() }))`
      select image_id as id from image_equipment where equipment_id = any(${sql.array(ids, 'uuid')})
      union
      select id from images where lower(camera) = any(${sql.array(keys, 'text')}) or lower(telescope) = any(${sql.array(keys, 'text')})
         or lower(filter) = any(${sql.array(keys, 'text')})
         or lower(record #>> '{acquisition,mount}') = any(${sql.array(keys, 'text')})
         or lower(record #>> '{acquisition,software}') = any(${sql.array(keys, 'text')})`)),
  ];
}

/**
 * Merges `fromId` into `intoId`: aliases, image links and users' explicit
 * equipment choices move over, then `fromId` is deleted.
 */
export async function mergeEquipment(db: DatabaseTransactionConnection, fromId: string, intoId: string): Promise<void> {
  await db.query(sql.unsafe`update equipment_aliases set equipment_id = ${intoId} where equipment_id = ${fromId}`);
  await db.query(sql.unsafe`
    insert into image_equipment (image_id, equipment_id) select image_id, ${intoId} from image_equipment where equipment_id = ${fromId}
    on conflict do nothing`);
  // user edits that name the old item explicitly
  await db.query(sql.unsafe`
    update user_edits set edits = jsonb_set(edits, '{equipment}',
        (select coalesce(jsonb_agg(distinct case when v = to_jsonb(${fromId}::text) then to_jsonb(${intoId}::text) else v end), '[]'::jsonb)
           from jsonb_array_elements(edits->'equipment') v)), updated_at = now()
     where jsonb_typeof(edits->'equipment') = 'array' and edits->'equipment' ? ${fromId}`);
  await db.query(sql.unsafe`update equipment set updated_at = now(), auto = false where id = ${intoId}`);
  await db.query(sql.unsafe`delete from equipment where id = ${fromId}`);
}

export async function deleteEquipment(db: Db, id: string): Promise<void> {
  await db.query(sql.unsafe`delete from equipment where id = ${id}`);
}

/** Images that use an item (for its page), newest first. */
export async function imageRecordsForEquipment(db: Db, id: string, limit: number, offset: number) {
  const [items, total] = await Promise.all([
    db.anyFirst(sql.type(z.object({ record: z.record(z.any()) }))`
      select i.record from images i join image_equipment ie on ie.image_id = i.id
       where ie.equipment_id = ${id} order by i.captured_at desc nulls last, i.id limit ${limit} offset ${offset}`),
    db.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from image_equipment where equipment_id = ${id}`),
  ]);
  return { items: [...items], total };
}
