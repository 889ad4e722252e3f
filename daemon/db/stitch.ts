/**
 * SQL of stitching: read an image's inputs, resolve equipment aliases, find
 * matching calibration frames, and write the final row and its links.
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { writeImageLinks, writeImageRows, type ImageColumns } from './imageColumns.ts';

export type { ImageColumns };
import { softwareName } from './softwareName.ts';

type Db = DatabasePool | DatabaseTransactionConnection;

export interface EquipmentRef {
  id: string;
  type: string;
  name: string;
}

/** What stitching writes for one image besides its record. */
export interface StitchWrite {
  columns: ImageColumns;
  objects: { id: string; primary: boolean }[];
  filters: { filter: string; seconds: number; frames: number | null }[];
  searchText: string;
}

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
export async function matchingCalibration(db: Db, c: ImageColumns) {
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

/**
 * Serializes calibration matching per camera until the transaction ends: a
 * light and a calibration frame of one camera stitched at the same moment
 * would otherwise each miss the other's uncommitted row, and the light would
 * never list the frame. With the lock, the second one sees the first's row.
 */
export async function lockCalibrationMatching(db: Db, camera: string): Promise<void> {
  await db.query(sql.unsafe`select pg_advisory_xact_lock(727002, hashtext(${camera}))`);
}

/** Lights that a calibration frame matches (to stitch them again when it arrives or changes). */
export async function lightsMatchingCalibration(db: Db, c: ImageColumns): Promise<string[]> {
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

/** Images stitched by an older version of the stitcher (re-stitched at start), calibration frames first. */
export async function imagesStitchedBefore(db: Db, version: number, limit: number, skip: readonly string[]): Promise<readonly string[]> {
  return db.anyFirst(sql.type(z.object({ id: z.string() }))`
    select id from images where stitcher_version < ${version} and not (id = any(${sql.array([...skip], 'uuid')}))
     order by calib_kind is null, id limit ${limit}`);
}

/** The hash of the image's stored row, when the given stitcher version wrote it. */
export async function currentStitchHash(db: Db, id: string, stitcherVersion: number): Promise<string | null> {
  return db.maybeOneFirst(sql.type(z.object({ stitch_hash: z.string() }))`select stitch_hash from images where id = ${id} and stitcher_version = ${stitcherVersion}`);
}

/** Writes an image's row (from the one column table, imageColumns.ts) and its links. */
export async function writeStitched(
  db: Db,
  id: string,
  s: StitchWrite,
  record: unknown,
  hash: string,
  links: { equipment: EquipmentRef[]; calibration: string[] },
  stitcherVersion: number,
): Promise<void> {
  await writeImageRows(
    db,
    [
      {
        id,
        columns: s.columns,
        cameraId: links.equipment.find((e) => e.type === 'camera')?.id ?? null,
        telescopeId: links.equipment.find((e) => e.type === 'telescope')?.id ?? null,
        searchText: s.searchText,
        record,
        stitchHash: hash,
        stitcherVersion,
      },
    ],
    { upsert: true },
  );
  await writeImageLinks(db, [{ imageId: id, objects: s.objects, filters: s.filters, equipment: links.equipment.map((e) => e.id) }], { replace: true });
  // calibration links: replace without firing the "gone" trigger for links that stay
  await db.query(sql.unsafe`
    delete from image_calibration where light_id = ${id} and not (calib_id = any(${sql.array(links.calibration, 'uuid')}))`);
  if (links.calibration.length) {
    await db.query(sql.unsafe`
      insert into image_calibration (light_id, calib_id)
      select ${id}, k from unnest(${sql.array(links.calibration, 'uuid')}) as k on conflict do nothing`);
  }
}
