/**
 * SQL of the gallery's filter choices: values that occur in the library.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export async function filterNames(db: DatabasePool): Promise<string[]> {
  // the typed column is indexed; image_filters adds the filters of stacks
  return [
    ...(await db.anyFirst(sql.type(z.object({ filter: z.string() }))`
      select filter from (select distinct filter from images where filter is not null
                          union select distinct filter from image_filters) f
      order by lower(filter) limit 200`)),
  ];
}

export async function equipmentChoices(db: DatabasePool): Promise<{ id: string; type: string; name: string }[]> {
  return [
    ...(await db.any(sql.type(z.object({ id: z.string(), type: z.string(), name: z.string() }))`
      select e.id, e.type, e.name from equipment e
       where exists (select 1 from image_equipment ie where ie.equipment_id = e.id)
       order by e.type, lower(e.name) limit 2000`)),
  ];
}
