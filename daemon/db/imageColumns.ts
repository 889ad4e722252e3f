/**
 * The columns of `images`, written once: stitching computes the typed,
 * searchable columns (`STITCHED_COLUMNS`), and `writeImageRows` writes whole
 * rows from this table — for the Stitcher (one row, upsert) and for seeders
 * and benchmarks (thousands of rows, insert). A column added here is added to
 * every writer; its migration adds it to the table.
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';

type Db = DatabasePool | DatabaseTransactionConnection;

type PgType = 'text' | 'text[]' | 'int4' | 'int8' | 'float8' | 'bool' | 'timestamptz' | 'uuid';
interface Column {
  readonly name: string;
  readonly type: PgType;
  readonly notNull?: true;
}

/** What stitching computes for an image, in table order. */
export const STITCHED_COLUMNS = [
  { name: 'source', type: 'text', notNull: true },
  { name: 'path', type: 'text', notNull: true },
  { name: 'format', type: 'text' },
  { name: 'size_bytes', type: 'int8', notNull: true },
  { name: 'sha256', type: 'text' },
  { name: 'width', type: 'int4' },
  { name: 'height', type: 'int4' },
  { name: 'frame_type', type: 'text', notNull: true },
  { name: 'is_calibration', type: 'bool', notNull: true },
  { name: 'calib_kind', type: 'text' },
  { name: 'captured_at', type: 'timestamptz' },
  { name: 'file_modified_at', type: 'timestamptz' },
  { name: 'object_name', type: 'text' },
  { name: 'target_id', type: 'text' },
  { name: 'exposure_s', type: 'float8' },
  { name: 'filter', type: 'text' },
  { name: 'gain', type: 'float8' },
  { name: 'offset', type: 'float8' },
  { name: 'sensor_temp_c', type: 'float8' },
  { name: 'binning', type: 'text' },
  { name: 'camera', type: 'text' },
  { name: 'telescope', type: 'text' },
  { name: 'ra', type: 'float8' },
  { name: 'dec', type: 'float8' },
  { name: 'field_w_deg', type: 'float8' },
  { name: 'field_h_deg', type: 'float8' },
  { name: 'pixel_scale', type: 'float8' },
  { name: 'rotation_deg', type: 'float8' },
  { name: 'solved', type: 'bool', notNull: true },
  { name: 'constellation', type: 'text' },
  { name: 'hemisphere', type: 'text' },
  /** integration counted in totals: null for a duplicate (stitching decides, Stitcher.ts) */
  { name: 'integration_s', type: 'float8' },
  /** the original of a byte-identical copy (db/identity.ts), else null */
  { name: 'duplicate_of', type: 'uuid' },
  { name: 'agents_failed', type: 'int4', notNull: true },
  { name: 'agents_pending', type: 'int4', notNull: true },
  /** header keywords the file agent does not map (the admin page's unknown-keywords report) */
  { name: 'unknown_keywords', type: 'text[]', notNull: true },
  /** what a search by target or filter matches (db/images.ts, facetKeys) */
  { name: 'facet_keys', type: 'text[]', notNull: true },
] as const satisfies readonly Column[];

type TsOf<T extends PgType> = T extends 'bool' ? boolean : T extends 'int4' | 'int8' | 'float8' ? number : T extends 'text[]' ? string[] : string;
type Stitched = (typeof STITCHED_COLUMNS)[number];

/** The typed, searchable columns of `images` that stitching computes. */
export type ImageColumns = { [C in Stitched as C['name']]: C extends { notNull: true } ? TsOf<C['type']> : TsOf<C['type']> | null };

/** One whole row of `images`. */
export interface ImageRow {
  id: string;
  columns: ImageColumns;
  cameraId: string | null;
  telescopeId: string | null;
  /** words for the full-text search (stored as a tsvector) */
  searchText: string;
  record: unknown;
  stitchHash: string;
  stitcherVersion: number;
  /** when the image entered the catalog (default: now) */
  createdAt?: string | null;
}

/** Every written column: id, the stitched ones, then those stitching fills from links and hashes. */
export const ROW_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'uuid' },
  ...STITCHED_COLUMNS,
  { name: 'camera_id', type: 'uuid' },
  { name: 'telescope_id', type: 'uuid' },
  { name: 'search_text', type: 'text' },
  { name: 'record', type: 'text' },
  { name: 'stitch_hash', type: 'text' },
  { name: 'stitcher_version', type: 'int4' },
  { name: 'created_at', type: 'timestamptz' },
];

/** How a column's value is read from the unnested input (text → tsvector, text → jsonb). */
function valueOf(c: Column) {
  const t = sql.identifier(['t', c.name]);
  if (c.name === 'search_text') return sql.fragment`to_tsvector('simple', ${t})`;
  if (c.name === 'record') return sql.fragment`${t}::jsonb`;
  if (c.name === 'created_at') return sql.fragment`coalesce(${t}, now())`;
  // unnest cannot take arrays of arrays: a text[] column travels as JSON text
  if (c.type === 'text[]') return sql.fragment`array(select jsonb_array_elements_text(coalesce(${t}::jsonb, '[]'::jsonb)))`;
  return t;
}

function values(r: ImageRow): unknown[] {
  const cols = r.columns as Record<string, unknown>;
  const value = (c: Column) => (c.type === 'text[]' ? JSON.stringify(cols[c.name] ?? []) : (cols[c.name] ?? null));
  return [r.id, ...STITCHED_COLUMNS.map(value), r.cameraId, r.telescopeId, r.searchText, JSON.stringify(r.record), r.stitchHash, r.stitcherVersion, r.createdAt ?? null];
}

/**
 * Writes rows of `images` in one statement. `upsert` replaces an existing row
 * (keeping its created_at); otherwise a row that exists is an error.
 */
export async function writeImageRows(db: Db, rows: readonly ImageRow[], o: { upsert: boolean }): Promise<void> {
  if (!rows.length) return;
  const names = ROW_COLUMNS.map((c) => sql.identifier([c.name]));
  const updates = ROW_COLUMNS.filter((c) => c.name !== 'id' && c.name !== 'created_at').map((c) => sql.fragment`${sql.identifier([c.name])} = excluded.${sql.identifier([c.name])}`);
  await db.query(sql.unsafe`
    insert into images (${sql.join(names, sql.fragment`, `)}, stitched_at)
    select ${sql.join(ROW_COLUMNS.map(valueOf), sql.fragment`, `)}, now()
      from ${sql.unnest(rows.map(values) as never, ROW_COLUMNS.map((c) => (c.type === 'text[]' ? 'text' : c.type)))} as t(${sql.join(names, sql.fragment`, `)})
    ${o.upsert ? sql.fragment`on conflict (id) do update set ${sql.join(updates, sql.fragment`, `)}, stitched_at = now()` : sql.fragment``}`);
}

/** Writes the link rows of images (objects in the field, filters, equipment), replacing those of `replace` ids. */
export async function writeImageLinks(
  db: Db,
  links: { imageId: string; objects: { id: string; primary: boolean }[]; filters: { filter: string; seconds: number; frames: number | null }[]; equipment: string[] }[],
  o: { replace: boolean },
): Promise<void> {
  if (!links.length) return;
  if (o.replace) {
    const ids = sql.array(links.map((l) => l.imageId), 'uuid');
    await db.query(sql.unsafe`delete from image_objects where image_id = any(${ids})`);
    await db.query(sql.unsafe`delete from image_equipment where image_id = any(${ids})`);
    await db.query(sql.unsafe`delete from image_filters where image_id = any(${ids})`);
  }
  const objects = links.flatMap((l) => l.objects.map((x) => [l.imageId, x.id, x.primary]));
  const filters = links.flatMap((l) => l.filters.map((f) => [l.imageId, f.filter, f.seconds, f.frames]));
  const equipment = links.flatMap((l) => [...new Set(l.equipment)].map((e) => [l.imageId, e]));
  if (objects.length) {
    await db.query(sql.unsafe`
      insert into image_objects (image_id, object_id, is_primary)
      select * from ${sql.unnest(objects as never, ['uuid', 'text', 'bool'])} as t on conflict do nothing`);
  }
  if (filters.length) {
    await db.query(sql.unsafe`
      insert into image_filters (image_id, filter, seconds, frames)
      select * from ${sql.unnest(filters as never, ['uuid', 'text', 'float8', 'int4'])} as t on conflict do nothing`);
  }
  if (equipment.length) {
    await db.query(sql.unsafe`
      insert into image_equipment (image_id, equipment_id)
      select * from ${sql.unnest(equipment as never, ['uuid', 'uuid'])} as t on conflict do nothing`);
  }
}
