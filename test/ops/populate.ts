/**
 * Fills a migrated test database with rows in every catalog and account table
 * (awkward values included: Unicode, NULLs, JSONB, arrays, tsvector), and
 * fingerprints a database table by table so two databases can be compared.
 * The `images` rows and their links go through the one column table
 * (daemon/db/imageColumns.ts), as the stitcher writes them, so a column added
 * there is filled here too.
 */
import pg from 'pg';
import { STITCHER_VERSION } from '../../daemon/catalog/stitching/record.ts';
import { writeImageLinks, writeImageRows, type ImageRow } from '../../daemon/db/imageColumns.ts';
import { createDatabasePool } from '../../daemon/db/pool.ts';
import { facetKeys } from '../../daemon/db/images.ts';

const CAMERA = '00000000-0000-4000-8000-000000000001';
const TELESCOPE = '00000000-0000-4000-8000-000000000002';
const imageId = (i: number) => `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** Tables that `populate` fills (the object catalog comes seeded from the template). */
export const POPULATED_TABLES = [
  'providers', 'images_unprocessed', 'image_results', 'derived_files', 'derived_deletions', 'user_edits',
  'objects', 'equipment', 'equipment_aliases', 'images', 'image_objects', 'image_equipment', 'image_filters',
  'image_calibration', 'agent_settings', 'agent_cache', 'system_settings', 'users', 'sessions', 'api_tokens',
  'login_attempts', 'schema_migrations',
];

export async function populate(url: string, images = 40): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('begin');
    await c.query(`insert into providers (name, kind, root_uri, state) values
      ('library', 'local', 'file:///srv/astro/library', '{"lastReconcile": "2025-01-01T00:00:00Z", "files": 40}'),
      ('s3', 's3', 's3://astro/subs/', '{}')`);
    await c.query(`insert into equipment (id, type, name, notes, specs, auto) values
      ('00000000-0000-4000-8000-000000000001', 'camera', 'ZWO ASI2600MM Pro', 'cooled – “mono”', '{"pixelSizeUm": 3.76}', true),
      ('00000000-0000-4000-8000-000000000002', 'telescope', 'Askar FRA400', null, '{"focalLengthMm": 400}', false)`);
    await c.query(`insert into equipment_aliases (type, alias_key, alias, equipment_id) values
      ('camera', 'zwo asi2600mm pro', 'ZWO ASI2600MM Pro', '00000000-0000-4000-8000-000000000001'),
      ('telescope', 'fra400', 'FRA400', '00000000-0000-4000-8000-000000000002')`);
    const objectId = (await c.query<{ id: string }>('select id from objects order by id limit 1')).rows[0]!.id;
    const rows: ImageRow[] = [];
    const links: Parameters<typeof writeImageLinks>[1] = [];
    for (let i = 0; i < images; i++) {
      const id = imageId(i);
      const provider = i % 5 === 0 ? 's3' : 'library';
      const key = `2024/M 31/Light_${String(i).padStart(4, '0')}_300s_Hα.fits`;
      const calib = i % 10 === 9;
      await c.query(
        `insert into images_unprocessed (id, provider, storage_key, location_uri, size_bytes, modified_at, fingerprint, generation,
           next_update_at, processed_generation, attempts, last_error, processed_at, processed_by)
         values ($1, $2, $3, $4, $5, '2024-10-01T22:00:00Z'::timestamptz + make_interval(mins => $6), $7, 2, null, 2, $8, $9, now(), 'host-a')`,
        [id, provider, key, `${provider}:${key}`, 1_000_000 + i, i, `sha256:${i}`, i % 7 === 0 ? 1 : 0, i % 7 === 0 ? 'platesolve: no solution' : null],
      );
      await c.query(
        `insert into image_results (image_id, agent, stage, agent_version, input_hash, status, facts, error, warnings, attempts, runs, finished_at, duration_ms)
         values ($1, 'file', 'read', '1.0.0', $2, 'done', $3, null, '["odd header"]', 1, 1, now(), 12),
                ($1, 'platesolve', 'solve', '1.0.0', $2, $4, null, $5, null, 1, 1, now(), 3500)`,
        [id, `h${i}`, JSON.stringify({ exposure: 300, filter: 'Hα', headers: { OBJECT: 'M 31', NOTE: "it's \\ \"quoted\"\ttab" } }), i % 7 === 0 ? 'failed' : 'done', i % 7 === 0 ? 'no solution' : null],
      );
      await c.query(`insert into derived_files (image_id, name, storage_key, content_type, size_bytes) values ($1, 'thumb', $2, 'image/webp', 2048)`, [id, `thumbs/${id}.webp`]);
      rows.push({
        id,
        columns: {
          source: provider, path: key, format: 'fits', size_bytes: 1_000_000 + i, sha256: 'a'.repeat(63) + (i % 10), width: 6248, height: 4176,
          frame_type: calib ? 'dark' : 'light', is_calibration: calib, calib_kind: calib ? 'dark' : null, captured_at: '2024-10-01T22:00:00Z',
          file_modified_at: null, object_name: 'M 31', target_id: 'M31', exposure_s: 300, filter: 'Hα', gain: 100, offset: 50, sensor_temp_c: -10.0,
          binning: '1x1', camera: 'ZWO ASI2600MM Pro', telescope: 'Askar FRA400', ra: 10.6847 + i * 0.001, dec: 41.2687, field_w_deg: 3.3,
          field_h_deg: 2.2, pixel_scale: 1.94, rotation_deg: 12.5, solved: true, constellation: 'And', hemisphere: 'north',
          // image 11 is a byte-identical copy of image 1: not counted in totals
          integration_s: i === 11 ? null : 300, duplicate_of: i === 11 ? imageId(1) : null,
          agents_failed: i % 7 === 0 ? 1 : 0, agents_pending: 0, unknown_keywords: i % 4 === 0 ? ['XPOSURE', 'ÜBER-KEY'] : [],
          facet_keys: facetKeys({ targetId: 'M31', objectIds: calib ? [] : [objectId], filter: 'Hα', filters: calib ? [] : ['Hα'] }),
        },
        cameraId: CAMERA,
        telescopeId: TELESCOPE,
        searchText: 'M 31 Andromeda Hα',
        record: { id, tags: ['a', 'ü'] },
        stitchHash: `stitch-${i}`,
        stitcherVersion: STITCHER_VERSION,
      });
      links.push({ imageId: id, objects: calib ? [] : [{ id: objectId, primary: true }], filters: calib ? [] : [{ filter: 'Hα', seconds: 300, frames: 1 }], equipment: [CAMERA] });
    }
    await c.query('commit');
    // the catalog rows through the one column table, as the stitcher writes them
    const db = await createDatabasePool(url, { maximumPoolSize: 1 });
    try {
      await db.transaction(async (tx) => {
        await writeImageRows(tx, rows, { upsert: false });
        await writeImageLinks(tx, links, { replace: false });
      });
    } finally {
      await db.end();
    }
    await c.query('begin');
    for (let i = 0; i < images; i++) {
      const id = imageId(i);
      if (i % 3 === 0) await c.query(`insert into user_edits (image_id, edits, updated_by) values ($1, $2, 'ada')`, [id, JSON.stringify({ notes: 'seeing 2"\n🌙 bright' })]);
    }
    await c.query(`insert into image_calibration (light_id, calib_id)
      select l.id, d.id from images l cross join images d where l.frame_type = 'light' and d.frame_type = 'dark'`);
    // a deleted derived file queues its storage key for the janitor (trigger)
    await c.query(`delete from derived_files where image_id = '10000000-0000-4000-8000-000000000001'`);
    await c.query(`insert into agent_settings (agent, enabled, position, settings) values ('description', false, 3, '{"lang": "fr"}')`);
    await c.query(`insert into agent_cache (agent, key, value, expires_at) values ('description', 'wiki:M31', '{"text": "Andromède"}', now() + interval '1 day')`);
    await c.query(`insert into system_settings (key, value) values ('session_secret_test', '"s3cr3t"') on conflict do nothing`);
    await c.query(`insert into users (id, username, password_hash, role, recovery_codes) values
      ('20000000-0000-4000-8000-000000000001', 'ada', '$argon2id$v=19$m=19456,t=2,p=1$x$y', 'admin', '{abc,def}'),
      ('20000000-0000-4000-8000-000000000002', 'Grace', '$argon2id$v=19$m=19456,t=2,p=1$z$w', 'member', '{}')`);
    await c.query(`insert into sessions (id_hash, user_id, csrf_token, ip, user_agent, expires_at) values
      ('h1', '20000000-0000-4000-8000-000000000001', 'csrf', '192.0.2.1', 'Firefox', now() + interval '7 days')`);
    await c.query(`insert into api_tokens (user_id, name, token_hash, prefix) values ('20000000-0000-4000-8000-000000000001', 'backup script', 'th1', 'sdr_ab')`);
    await c.query(`insert into login_attempts (key, failures) values ('192.0.2.9|mallory', 3)`);
    await c.query('commit');
  } catch (err) {
    await c.query('rollback').catch(() => {});
    throw err;
  } finally {
    await c.end();
  }
}

export interface TableFingerprint {
  rows: number;
  /** md5 of all rows as text, in a fixed order */
  digest: string;
}

/**
 * Every table of the public schema with its row count and a digest of its
 * rows, plus the schema's indexes, constraints, triggers, functions and
 * sequence positions: equal fingerprints mean the same rows and schema.
 */
export async function fingerprint(url: string): Promise<{ tables: Record<string, TableFingerprint>; schema: Record<string, string[]> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const names = (await c.query<{ t: string }>(`select tablename as t from pg_tables where schemaname = 'public' order by 1`)).rows.map((r) => r.t);
    const tables: Record<string, TableFingerprint> = {};
    for (const t of names) {
      const { rows } = await c.query<{ n: number; d: string }>(
        `select count(*)::int as n, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as d from public.${pg.escapeIdentifier(t)} x`,
      );
      tables[t] = { rows: rows[0]!.n, digest: rows[0]!.d };
    }
    const list = async (q: string) => (await c.query<{ v: string }>(q)).rows.map((r) => r.v);
    const schema = {
      indexes: await list(`select indexname || ': ' || indexdef as v from pg_indexes where schemaname = 'public' order by 1`),
      constraints: await list(`select conrelid::regclass::text || '.' || conname || ': ' || pg_get_constraintdef(oid) as v from pg_constraint where connamespace = 'public'::regnamespace order by 1`),
      triggers: await list(`select tgrelid::regclass::text || '.' || tgname as v from pg_trigger where not tgisinternal order by 1`),
      functions: await list(`select proname as v from pg_proc where pronamespace = 'public'::regnamespace order by 1`),
      extensions: await list(`select extname as v from pg_extension order by 1`),
      sequences: await list(`select schemaname || '.' || sequencename || '=' || coalesce(last_value::text, 'null') as v from pg_sequences order by 1`),
    };
    return { tables, schema };
  } finally {
    await c.end();
  }
}
