/**
 * SQL of stitching: read an image's inputs, resolve equipment aliases, find
 * matching calibration frames, and write the final row and its links.
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import type { EquipmentRef, StitchedImage } from '../catalog/stitching/assemble.ts';
import { softwareName } from './softwareName.ts';

type Db = DatabasePool | DatabaseTransactionConnection;

export const StitchSource = z.object({
  id: z.string(),
  provider: z.string(),
  storage_key: z.string(),
  size_bytes: z.number(),
  modified_at: z.string().nullable(),
  created_at: z.string(),
});

export async function loadStitchSource(db: Db, id: string) {
  return db.maybeOne(sql.type(StitchSource)`
    select id, provider, storage_key, size_bytes, modified_at, created_at from images_unprocessed
     where id = ${id} and missing_since is null -- a parked (vanished) file stays out of the gallery
       for update`);
}

export async function derivedNames(db: Db, id: string): Promise<string[]> {
  return [...(await db.anyFirst(sql.type(z.object({ name: z.string() }))`select name from derived_files where image_id = ${id} order by name`))];
}

export function aliasKey(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Finds the equipment an alias maps to, creating an entry (auto) for an unknown header value. */
export async function resolveEquipment(db: Db, type: string, value: string): Promise<EquipmentRef> {
  const key = aliasKey(value);
  const found = await db.maybeOne(sql.type(z.object({ id: z.string(), type: z.string(), name: z.string() }))`
    select e.id, e.type, e.name from equipment_aliases a join equipment e on e.id = a.equipment_id
     where a.type = ${type} and a.alias_key = ${key}`);
  if (found) return found;
  // software: one item per product, its versions as aliases ("N.I.N.A. 3.1" → "N.I.N.A.")
  const name = type === 'software' ? softwareName(value) : value;
  // an entry of the same name may exist without this alias (created by a user)
  const Ref = z.object({ id: z.string(), type: z.string(), name: z.string() });
  let created = await db.maybeOne(sql.type(Ref)`
    with ins as (
      insert into equipment (type, name, auto) values (${type}, ${name}, true)
      on conflict (type, lower(name)) do nothing
      returning id, type, name
    )
    select id, type, name from ins
    union all
    select id, type, name from equipment where type = ${type} and lower(name) = lower(${name})
    limit 1`);
  // another stitch inserted it concurrently: its row was not in this statement's
  // snapshot, but a new statement sees it once that transaction has committed
  created ??= await db.one(sql.type(Ref)`select id, type, name from equipment where type = ${type} and lower(name) = lower(${name})`);
  await db.query(sql.unsafe`
    insert into equipment_aliases (type, alias_key, alias, equipment_id) values (${type}, ${key}, ${value}, ${created.id})
    on conflict do nothing`);
  return created;
}

export async function equipmentByIds(db: Db, ids: string[]): Promise<EquipmentRef[]> {
  if (!ids.length) return [];
  return [
    ...(await db.any(sql.type(z.object({ id: z.string(), type: z.string(), name: z.string() }))`
      select id, type, name from equipment where id = any(${sql.array(ids, 'uuid')}) order by type, name`)),
  ];
}

const CalibRow = z.object({ id: z.string(), frame_type: z.string(), calib_kind: z.string() });

/**
 * Calibration frames that match a light: darks by camera, binning, exposure,
 * gain/offset and temperature within 2 °C; flats by camera, binning, filter and
 * a capture date within 7 days; biases by camera, gain and binning; dark-flats
 * by camera, binning and gain. Unknown values on either side do not exclude.
 */
export async function matchingCalibration(db: Db, c: StitchedImage['columns']) {
  if (!c.camera) return [];
  return [
    ...(await db.any(sql.type(CalibRow)`
      select id, frame_type, calib_kind from images k
       where k.calib_kind is not null and k.camera = ${c.camera}
         and (k.binning is null or ${c.binning}::text is null or k.binning = ${c.binning})
         and (
           (k.calib_kind = 'dark'
             and k.exposure_s is not null and ${c.exposure_s}::float8 is not null
             and abs(k.exposure_s - ${c.exposure_s}) <= greatest(0.5, 0.01 * ${c.exposure_s})
             and (k.gain is null or ${c.gain}::float8 is null or k.gain = ${c.gain})
             and (k."offset" is null or ${c.offset}::float8 is null or k."offset" = ${c.offset})
             and (k.sensor_temp_c is null or ${c.sensor_temp_c}::float8 is null or abs(k.sensor_temp_c - ${c.sensor_temp_c}) <= 2))
           or (k.calib_kind = 'flat'
             and k.filter is not distinct from ${c.filter}
             and (k.captured_at is null or ${c.captured_at}::timestamptz is null
                  or abs(extract(epoch from (k.captured_at - ${c.captured_at}::timestamptz))) <= 7 * 86400))
           or (k.calib_kind in ('bias', 'darkflat')
             and (k.gain is null or ${c.gain}::float8 is null or k.gain = ${c.gain}))
         )
       order by k.calib_kind, k.captured_at desc nulls last
       limit 200`)),
  ];
}

/** Lights that a calibration frame matches (to stitch them again when it arrives or changes). */
export async function lightsMatchingCalibration(db: Db, c: StitchedImage['columns']): Promise<string[]> {
  if (!c.camera || !c.calib_kind) return [];
  return [
    ...(await db.anyFirst(sql.type(z.object({ id: z.string() }))`
      select id from images l
       where not l.is_calibration and l.frame_type = 'light' and l.camera = ${c.camera}
         and (l.binning is null or ${c.binning}::text is null or l.binning = ${c.binning})
         and (
           (${c.calib_kind} = 'dark' and l.exposure_s is not null and ${c.exposure_s}::float8 is not null
             and abs(l.exposure_s - ${c.exposure_s}) <= greatest(0.5, 0.01 * l.exposure_s))
           or (${c.calib_kind} = 'flat' and l.filter is not distinct from ${c.filter})
           or ${c.calib_kind} in ('bias', 'darkflat')
         )
       limit 5000`)),
  ];
}

export async function currentStitchHash(db: Db, id: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(z.object({ stitch_hash: z.string() }))`select stitch_hash from images where id = ${id}`);
}

export async function writeStitched(
  db: Db,
  id: string,
  s: StitchedImage,
  record: Record<string, unknown>,
  hash: string,
  links: { equipment: EquipmentRef[]; calibration: string[] },
): Promise<void> {
  const c = s.columns;
  const cameraId = links.equipment.find((e) => e.type === 'camera')?.id ?? null;
  const telescopeId = links.equipment.find((e) => e.type === 'telescope')?.id ?? null;
  await db.query(sql.unsafe`
    insert into images (id, source, path, format, size_bytes, sha256, width, height, frame_type, is_calibration, calib_kind,
      captured_at, file_modified_at, object_name, target_id, exposure_s, filter, gain, "offset", sensor_temp_c, binning,
      camera, telescope, camera_id, telescope_id, ra, dec, field_w_deg, field_h_deg, pixel_scale, rotation_deg, solved,
      constellation, hemisphere, integration_s, agents_failed, agents_pending, search_text, record, stitch_hash, stitched_at)
    values (${id}, ${c.source}, ${c.path}, ${c.format}, ${c.size_bytes}, ${c.sha256}, ${c.width}, ${c.height}, ${c.frame_type},
      ${c.is_calibration}, ${c.calib_kind}, ${c.captured_at}::timestamptz, ${c.file_modified_at}::timestamptz, ${c.object_name},
      ${c.target_id}, ${c.exposure_s}, ${c.filter}, ${c.gain}, ${c.offset}, ${c.sensor_temp_c}, ${c.binning}, ${c.camera},
      ${c.telescope}, ${cameraId}, ${telescopeId}, ${c.ra}, ${c.dec}, ${c.field_w_deg}, ${c.field_h_deg}, ${c.pixel_scale},
      ${c.rotation_deg}, ${c.solved}, ${c.constellation}, ${c.hemisphere}, ${c.integration_s}, ${c.agents_failed},
      ${c.agents_pending}, to_tsvector('simple', ${s.searchText}), ${sql.jsonb(record as never)}, ${hash}, now())
    on conflict (id) do update set
      source = excluded.source, path = excluded.path, format = excluded.format, size_bytes = excluded.size_bytes,
      sha256 = excluded.sha256, width = excluded.width, height = excluded.height, frame_type = excluded.frame_type,
      is_calibration = excluded.is_calibration, calib_kind = excluded.calib_kind, captured_at = excluded.captured_at,
      file_modified_at = excluded.file_modified_at, object_name = excluded.object_name, target_id = excluded.target_id,
      exposure_s = excluded.exposure_s, filter = excluded.filter, gain = excluded.gain, "offset" = excluded."offset",
      sensor_temp_c = excluded.sensor_temp_c, binning = excluded.binning, camera = excluded.camera,
      telescope = excluded.telescope, camera_id = excluded.camera_id, telescope_id = excluded.telescope_id, ra = excluded.ra,
      dec = excluded.dec, field_w_deg = excluded.field_w_deg, field_h_deg = excluded.field_h_deg,
      pixel_scale = excluded.pixel_scale, rotation_deg = excluded.rotation_deg, solved = excluded.solved,
      constellation = excluded.constellation, hemisphere = excluded.hemisphere, integration_s = excluded.integration_s,
      agents_failed = excluded.agents_failed, agents_pending = excluded.agents_pending, search_text = excluded.search_text,
      record = excluded.record, stitch_hash = excluded.stitch_hash, stitched_at = now()`);
  await db.query(sql.unsafe`update images set unknown_keywords = ${sql.array(c.unknown_keywords, 'text')} where id = ${id}`);
  await db.query(sql.unsafe`delete from image_objects where image_id = ${id}`);
  if (s.objects.length) {
    await db.query(sql.unsafe`
      insert into image_objects (image_id, object_id, is_primary)
      select ${id}, o.id, o.p from ${sql.unnest(s.objects.map((o) => [o.id, o.primary]), ['text', 'bool'])} as o(id, p)
      on conflict do nothing`);
  }
  await db.query(sql.unsafe`delete from image_equipment where image_id = ${id}`);
  if (links.equipment.length) {
    await db.query(sql.unsafe`
      insert into image_equipment (image_id, equipment_id)
      select ${id}, e from unnest(${sql.array([...new Set(links.equipment.map((e) => e.id))], 'uuid')}) as e on conflict do nothing`);
  }
  await db.query(sql.unsafe`delete from image_filters where image_id = ${id}`);
  if (s.filters.length) {
    await db.query(sql.unsafe`
      insert into image_filters (image_id, filter, seconds, frames)
      select ${id}, f.filter, f.seconds, f.frames from ${sql.unnest(s.filters.map((f) => [f.filter, f.seconds, f.frames]), ['text', 'float8', 'int4'])} as f(filter, seconds, frames)
      on conflict do nothing`);
  }
  // calibration links: replace without firing the "gone" trigger for links that stay
  await db.query(sql.unsafe`
    delete from image_calibration where light_id = ${id} and not (calib_id = any(${sql.array(links.calibration, 'uuid')}))`);
  if (links.calibration.length) {
    await db.query(sql.unsafe`
      insert into image_calibration (light_id, calib_id)
      select ${id}, k from unnest(${sql.array(links.calibration, 'uuid')}) as k on conflict do nothing`);
  }
}

/** Makes images due again without a file change (a neighbour changed). */
export async function markDue(db: Db, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db.query(sql.unsafe`
    update images_unprocessed set next_update_at = now(), generation = generation + 1
     where id = any(${sql.array(ids, 'uuid')})`);
}
