/**
 * Realistic catalog content without processing real files: synthetic agent
 * facts (file, platesolve, objects, integration, description) for plausible
 * lights, stacks and calibration frames of real targets, turned into final
 * images by the real stitching code.
 *
 * - `seedImages` (tests): writes the facts as image_results and runs the real
 *   Stitcher on each image, so records, links and equipment are exactly what
 *   the engine makes. Optional star-field thumbnails and previews.
 * - `seedImagesBulk` (benchmark): the same records through the pure
 *   assembleImage(), inserted in batches (10,000s of images in seconds).
 *
 * Seeded rows are never due (next_update_at null), so a running daemon leaves
 * them alone.
 */
import { randomUUID, createHash } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import sharp from 'sharp';
import { Readable } from 'node:stream';
import { assembleImage } from '../../daemon/catalog/stitching/assemble.ts';
import { Stitcher } from '../../daemon/catalog/stitching/Stitcher.ts';
import type { ResultRow } from '../../daemon/db/results.ts';
import { aliasKey } from '../../daemon/db/stitch.ts';
import { writeImageLinks, writeImageRows, type ImageRow } from '../../daemon/db/imageColumns.ts';
import { STITCHER_VERSION, type StoredRecord } from '../../daemon/catalog/stitching/record.ts';
import { constellationNames } from '../../agents/lib/sky/constellation.ts';
import type { StorageBackend } from '../../daemon/storage/StorageBackend.ts';
import { log } from '../../daemon/log.ts';
import fileAgent from '../../agents/file/index.ts';
import previewAgent from '../../agents/preview/index.ts';
import platesolveAgent from '../../agents/platesolve/index.ts';
import objectsAgent from '../../agents/objects/index.ts';
import integrationAgent from '../../agents/integration/index.ts';
import descriptionAgent from '../../agents/description/index.ts';

/** Seeded results carry the built-in agents' current versions: a daemon started on them finds nothing to catch up. */
const AGENT_VERSIONS: Record<string, string> = Object.fromEntries(
  [fileAgent, previewAgent, platesolveAgent, objectsAgent, integrationAgent, descriptionAgent].map((a) => [a.name, a.version]),
);

/** A small deterministic PRNG, so that a seed gives the same library every time. */
export function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  return {
    next,
    int: (a: number, b: number) => a + Math.floor(next() * (b - a + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

export const TARGETS = ['M31', 'M42', 'M45', 'M33', 'M51', 'M81', 'M101', 'M13', 'M27', 'M57', 'M16', 'M8', 'M20', 'M17', 'M1', 'M63', 'M64', 'M106',
  'NGC 7000', 'NGC 6992', 'NGC 6960', 'NGC 2244', 'NGC 7635', 'NGC 281', 'NGC 1499', 'NGC 2264', 'NGC 6888', 'NGC 7380', 'NGC 253', 'NGC 891',
  'NGC 4565', 'NGC 2903', 'NGC 3628', 'NGC 7293', 'NGC 6946', 'IC 1805', 'IC 1848', 'IC 434', 'IC 5070', 'IC 1396', 'IC 2177', 'IC 405', 'IC 410',
  'NGC 3372', 'NGC 5128', 'NGC 104', 'NGC 2070', 'NGC 6611', 'M83', 'M104'] as const;

export const CAMERAS = [
  { name: 'ZWO ASI2600MM Pro', header: 'ZWO ASI2600MM Pro', w: 6248, h: 4176, px: 3.76, mono: true },
  { name: 'ZWO ASI294MC Pro', header: 'ZWO ASI294MC Pro', w: 4144, h: 2822, px: 4.63, mono: false },
  { name: 'QHY268M', header: 'QHYCCD-Cameras-Capture', w: 6280, h: 4210, px: 3.76, mono: true },
  { name: 'Canon EOS 6D', header: 'Canon EOS 6D', w: 5472, h: 3648, px: 6.54, mono: false },
  { name: 'ZWO ASI533MC Pro', header: 'ZWO ASI533MC Pro', w: 3008, h: 3008, px: 3.76, mono: false },
] as const;
export const TELESCOPES = [
  { name: 'William Optics RedCat 51', header: 'RedCat 51', fl: 250 },
  { name: 'Sky-Watcher Esprit 100ED', header: 'Esprit 100', fl: 550 },
  { name: 'Celestron EdgeHD 8', header: 'EdgeHD 8"', fl: 2032 },
  { name: 'Askar FRA400', header: 'FRA400', fl: 400 },
  { name: 'Takahashi FSQ-106EDX4', header: 'FSQ-106', fl: 530 },
] as const;
export const MOUNTS = ['Sky-Watcher EQ6-R Pro', 'ZWO AM5', 'iOptron CEM40'] as const;
const MONO_FILTERS = ['L', 'R', 'G', 'B', 'Ha', 'OIII', 'SII'] as const;

export interface SeedOptions {
  count: number;
  seed?: number;
  /** share of calibration frames (default 0.15) */
  calibrationShare?: number;
  /** share of stacks (masters, processed) (default 0.1) */
  stackShare?: number;
  /** share of plate-solved images (default 0.75) */
  solvedShare?: number;
  provider?: string;
}

interface Target {
  id: string;
  name: string | null;
  ra: number;
  dec: number;
  constellation: string | null;
  designations: string[];
  type: string | null;
}

async function loadTargets(db: DatabasePool): Promise<Target[]> {
  const rows = await db.any(sql.type(z.object({ id: z.string(), name: z.string().nullable(), ra: z.number(), dec: z.number(), constellation: z.string().nullable(), designations: z.array(z.string()), type: z.string().nullable() }))`
    select id, name, ra, dec, constellation, designations, type from objects where id = any(${sql.array([...TARGETS], 'text')})`);
  if (!rows.length) throw new Error('the objects table is empty: seed it first');
  return [...rows];
}

async function neighbours(db: DatabasePool, t: Target, radiusDeg: number): Promise<Target[]> {
  const rows = await db.any(sql.type(z.object({ id: z.string(), name: z.string().nullable(), ra: z.number(), dec: z.number(), constellation: z.string().nullable(), designations: z.array(z.string()), type: z.string().nullable() }))`
    select id, name, ra, dec, constellation, designations, type from objects
     where dec between ${t.dec - radiusDeg} and ${t.dec + radiusDeg} and id <> ${t.id}
       and abs(ra - ${t.ra}) * cos(radians(${t.dec})) < ${radiusDeg} and magnitude < 14
     order by magnitude nulls last limit 6`);
  return [...rows];
}

/** Tangent-plane offsets (degrees) → RA/Dec. */
function offset(ra: number, dec: number, dx: number, dy: number): [number, number] {
  const d = Math.PI / 180;
  const x = dx * d;
  const y = dy * d;
  const dec0 = dec * d;
  const den = Math.cos(dec0) - y * Math.sin(dec0);
  const raOut = ra + Math.atan2(x, den) / d;
  const decOut = Math.atan2(Math.sin(dec0) + y * Math.cos(dec0), Math.sqrt(x * x + den * den)) / d;
  return [((raOut % 360) + 360) % 360, decOut];
}

export interface SeedSpec {
  id: string;
  path: string;
  sizeBytes: number;
  createdAt: string;
  results: ResultRow[];
  target: Target | null;
}

const constNames = () => new Map(constellationNames());

/** Synthetic agent results for `count` images (deterministic for a seed). */
export async function makeSpecs(db: DatabasePool, o: SeedOptions): Promise<SeedSpec[]> {
  const r = rng(o.seed ?? 42);
  const targets = await loadTargets(db);
  const near = new Map<string, Target[]>();
  for (const t of targets) near.set(t.id, await neighbours(db, t, 1.5));
  const names = constNames();
  const specs: SeedSpec[] = [];
  const start = Date.parse('2021-01-01T00:00:00Z');
  const span = Date.parse('2025-12-31T00:00:00Z') - start;
  for (let i = 0; i < o.count; i++) {
    const id = randomUUID();
    const cam = r.pick(CAMERAS);
    const tel = r.pick(TELESCOPES);
    const mount = r.pick(MOUNTS);
    const roll = r.next();
    const calib = roll < (o.calibrationShare ?? 0.15);
    const stack = !calib && roll < (o.calibrationShare ?? 0.15) + (o.stackShare ?? 0.1);
    const frameType = calib ? r.pick(['dark', 'flat', 'bias', 'darkflat'] as const) : stack ? r.pick(['master', 'processed'] as const) : 'light';
    const t = calib ? null : r.pick(targets);
    const filter = cam.mono ? r.pick(MONO_FILTERS) : r.pick(['UV/IR-cut', 'L-eXtreme', 'L-Pro', null] as const);
    const exposure = frameType === 'bias' ? 0.001 : frameType === 'flat' ? 2 : r.pick([60, 120, 180, 300, 600]);
    const captured = new Date(start + Math.floor(r.next() * span)).toISOString();
    const gain = r.pick([0, 100, 101, 120]);
    const temp = -10 + r.int(-2, 2) * 0.5;
    const fileName = `${frameType === 'light' ? 'Light' : frameType[0]!.toUpperCase() + frameType.slice(1)}_${t ? t.id.replace(/\s+/g, '') : 'cal'}_${exposure}s_${filter ?? 'OSC'}_${String(i).padStart(5, '0')}.fits`;
    const path = `${t ? t.id.replace(/\s+/g, '') : 'calibration'}/${captured.slice(0, 10)}/${fileName}`;
    const acquisition = {
      object: t ? t.id : null,
      exposureSeconds: exposure,
      filter,
      filterRaw: filter,
      gain,
      offset: 50,
      sensorTempC: temp,
      setTempC: -10,
      binning: '1x1',
      camera: cam.header,
      telescope: tel.header,
      mount,
      focalLengthMm: tel.fl,
      apertureMm: null,
      pixelSizeUm: cam.px,
      bayerPattern: cam.mono ? null : 'RGGB',
      software: r.pick(['N.I.N.A. 3.1', 'SharpCap 4.1', 'APT 4.3']),
      pointing: t ? { ra: t.ra, dec: t.dec } : null,
      site: { latitude: 48.1, longitude: 11.6, elevationM: 520 },
      stackCount: stack ? r.int(20, 200) : null,
      stackExposureSeconds: null,
    };
    const size = cam.w * cam.h * 2 + 2880 * 4;
    const file = {
      format: 'fits', subformat: 'fits', mimeType: 'image/fits', sizeBytes: size,
      sha256: createHash('sha256').update(id).digest('hex'),
      width: cam.w, height: cam.h, bitDepth: stack ? -32 : 16, channels: 1, linear: true,
      frameType, frameTypeSource: 'header',
      dates: { captured, created: null, modified: captured },
      acquisition,
      headers: [
        { key: 'SIMPLE', value: true }, { key: 'BITPIX', value: stack ? -32 : 16 }, { key: 'NAXIS', value: 2 },
        { key: 'NAXIS1', value: cam.w }, { key: 'NAXIS2', value: cam.h },
        { key: 'IMAGETYP', value: frameType === 'light' ? 'LIGHT' : frameType.toUpperCase() },
        { key: 'EXPTIME', value: exposure, comment: '[s] exposure' }, { key: 'DATE-OBS', value: captured.slice(0, 19) },
        { key: 'INSTRUME', value: cam.header }, { key: 'TELESCOP', value: tel.header }, { key: 'FOCALLEN', value: tel.fl },
        { key: 'XPIXSZ', value: cam.px }, { key: 'GAIN', value: gain }, { key: 'CCD-TEMP', value: temp },
        ...(filter ? [{ key: 'FILTER', value: filter }] : []),
        ...(t ? [{ key: 'OBJECT', value: t.id }, { key: 'RA', value: t.ra }, { key: 'DEC', value: t.dec }] : []),
      ],
    };
    const results: ResultRow[] = [];
    const row = (agent: string, stage: string, facts: unknown, status: 'done' | 'failed' | 'skipped' = 'done', error: string | null = null): ResultRow => ({
      agent, stage, agent_version: AGENT_VERSIONS[agent] ?? '1', input_hash: 'seed', status, facts, error, warnings: null, attempts: status === 'failed' ? 1 : 0, runs: 1, next_attempt_at: null,
      finished_at: new Date(Date.parse(captured) + 86400_000).toISOString(), duration_ms: r.int(20, 4000),
    });
    results.push(row('file', 'read', file));
    if (t) {
      const solved = r.next() < (o.solvedShare ?? 0.75);
      const scale = (206.265 * cam.px) / tel.fl;
      const fw = (cam.w * scale) / 3600;
      const fh = (cam.h * scale) / 3600;
      const rot = r.int(0, 359);
      const [cra, cdec] = offset(t.ra, t.dec, (r.next() - 0.5) * fw * 0.2, (r.next() - 0.5) * fh * 0.2);
      if (solved) {
        const c = Math.cos((rot * Math.PI) / 180);
        const s = Math.sin((rot * Math.PI) / 180);
        const corner = (sx: number, sy: number) => offset(cra, cdec, (sx * fw * c - sy * fh * s) / 2, (sx * fw * s + sy * fh * c) / 2);
        results.push(row('platesolve', 'solve', {
          solved: true, reason: null, solver: r.pick(['builtin', 'astrometry.net', 'wcs-header']), ra: cra, dec: cdec,
          fieldWidthDeg: fw, fieldHeightDeg: fh, pixelScaleArcsec: scale, rotationDeg: rot, parity: 'normal',
          corners: [corner(-1, 1), corner(1, 1), corner(1, -1), corner(-1, -1)], wcs: { CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRVAL1: cra, CRVAL2: cdec },
          matchedStars: r.int(40, 400), rmsArcsec: 0.4 + r.next(), durationMs: r.int(300, 9000),
        }));
        // objects in pixel space: the target near the centre, neighbours where they fall
        const toPix = (ra: number, dec: number): [number, number] => {
          const dx = (ra - cra) * Math.cos((cdec * Math.PI) / 180);
          const dy = dec - cdec;
          const u = dx * c + dy * s;
          const v = -dx * s + dy * c;
          return [cam.w / 2 - (u / fw) * cam.w, cam.h / 2 - (v / fh) * cam.h];
        };
        const objs = [t, ...(near.get(t.id) ?? [])].map((x, k) => {
          const [px, py] = toPix(x.ra, x.dec);
          const radius = k === 0 ? Math.min(cam.w, cam.h) * 0.18 : Math.min(cam.w, cam.h) * 0.03;
          return { id: x.id, designations: x.designations, name: x.name, type: x.type, ra: x.ra, dec: x.dec, magnitude: 8 + k, sizeArcmin: k === 0 ? 30 : 3, x: px, y: py, rx: radius, ry: radius * 0.6, angleDeg: r.int(0, 179), primary: k === 0 };
        }).filter((x) => x.x >= 0 && x.x <= cam.w && x.y >= 0 && x.y <= cam.h);
        results.push(row('objects', 'identify', {
          objects: objs, primary: t.id, primarySource: 'center', constellation: t.constellation,
          constellationName: t.constellation ? names.get(t.constellation) ?? null : null, constellations: t.constellation ? [t.constellation] : [],
          hemisphere: cdec >= 0 ? 'north' : 'south',
        }));
      } else {
        results.push(row('platesolve', 'solve', null, 'failed', 'no solution: too few stars matched'));
        results.push(row('objects', 'identify', {
          objects: [], primary: t.id, primarySource: 'header', constellation: t.constellation,
          constellationName: t.constellation ? names.get(t.constellation) ?? null : null, constellations: [], hemisphere: t.dec >= 0 ? 'north' : 'south',
        }));
      }
      const byFilter = stack
        ? (cam.mono ? ['Ha', 'OIII', 'SII'] : [filter ?? 'none']).map((f) => ({ filter: f, seconds: exposure * r.int(10, 60), frames: r.int(10, 60) }))
        : [{ filter: filter ?? 'none', seconds: exposure, frames: 1 }];
      results.push(row('integration', 'aggregate', { totalSeconds: byFilter.reduce((a, b) => a + b.seconds, 0), byFilter, source: stack ? 'stack-header' : 'own-exposure' }));
      if (t.name) {
        results.push(row('description', 'describe', {
          object: t.id, title: t.name, text: `${t.name} (${t.id}) is a ${t.type ?? 'deep-sky object'} in the constellation ${t.constellation ? names.get(t.constellation) : 'unknown'}.`,
          source: 'Wikipedia', url: `https://en.wikipedia.org/wiki/${encodeURIComponent(t.name.replace(/ /g, '_'))}`, license: 'CC BY-SA 4.0',
        }));
      }
    } else {
      results.push(row('integration', 'aggregate', { totalSeconds: null, byFilter: [], source: null }));
    }
    specs.push({ id, path, sizeBytes: size, createdAt: new Date(Date.parse(captured) + 86400_000 * 2).toISOString(), results, target: t });
  }
  return specs;
}

async function insertSources(db: DatabasePool, specs: SeedSpec[], provider: string): Promise<void> {
  await db.query(sql.unsafe`insert into providers (name, kind, root_uri) values (${provider}, 'local', ${'file:///seed/' + provider + '/'}) on conflict do nothing`);
  const BATCH = 2000;
  for (let i = 0; i < specs.length; i += BATCH) {
    const rows = specs.slice(i, i + BATCH).map((s) => [s.id, provider, s.path, `file:///seed/${provider}/${s.path}`, s.sizeBytes, s.createdAt]);
    await db.query(sql.unsafe`
      insert into images_unprocessed (id, provider, storage_key, location_uri, size_bytes, modified_at, fingerprint, created_at, next_update_at, processed_generation, processed_at)
      select id, p, k, u, sz, c, 'seed', c, null, 1, c from ${sql.unnest(rows as never, ['uuid', 'text', 'text', 'text', 'int8', 'timestamptz'])} as t(id, p, k, u, sz, c)`);
    const results = specs.slice(i, i + BATCH).flatMap((s) => s.results.map((r) => [s.id, r.agent, r.stage, r.agent_version, r.status, r.facts === null ? null : JSON.stringify(r.facts), r.error, r.finished_at, r.duration_ms]));
    await db.query(sql.unsafe`
      insert into image_results (image_id, agent, stage, agent_version, input_hash, status, facts, error, attempts, runs, started_at, finished_at, duration_ms)
      select id, a, st, v, 'seed', s, f::jsonb, e, 0, 1, fin, fin, d from ${sql.unnest(results as never, ['uuid', 'text', 'text', 'text', 'text', 'text', 'text', 'timestamptz', 'int4'])} as t(id, a, st, v, s, f, e, fin, d)`);
  }
}

/** Star-field JPEGs (a few, shared by many images), stored as derived files. */
async function starfields(derived: StorageBackend, n: number): Promise<{ thumb: { key: string; size: number }; preview: { key: string; size: number } }[]> {
  const out = [];
  for (let k = 0; k < n; k++) {
    const r = rng(1000 + k);
    const W = 1200;
    const H = 800;
    const stars = Array.from({ length: 400 }, () => `<circle cx="${r.int(0, W)}" cy="${r.int(0, H)}" r="${(0.5 + r.next() * r.next() * 3).toFixed(2)}" fill="#fff" fill-opacity="${(0.4 + r.next() * 0.6).toFixed(2)}"/>`).join('');
    const hue = r.pick(['#ff6b8b', '#7ab8ff', '#ffcf7a', '#c89bff']);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><defs><radialGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity=".9"/><stop offset=".25" stop-color="${hue}" stop-opacity=".6"/><stop offset="1" stop-color="${hue}" stop-opacity="0"/></radialGradient></defs><rect width="100%" height="100%" fill="#06080d"/><ellipse cx="${W / 2}" cy="${H / 2}" rx="${r.int(150, 300)}" ry="${r.int(80, 160)}" fill="url(#g)" transform="rotate(${r.int(0, 179)} ${W / 2} ${H / 2})"/>${stars}</svg>`;
    const preview = await sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
    const thumb = await sharp(preview).resize(400).jpeg({ quality: 75 }).toBuffer();
    const pk = `seed/${k}-preview.jpg`;
    const tk = `seed/${k}-thumb.jpg`;
    await derived.write(pk, Readable.from(preview));
    await derived.write(tk, Readable.from(thumb));
    out.push({ thumb: { key: tk, size: thumb.length }, preview: { key: pk, size: preview.length } });
  }
  return out;
}

/**
 * Seeds images through the real Stitcher. Returns the specs (ids, targets).
 * With `derived`, images also get star-field thumbnails and previews; `arrange`
 * may change the synthetic agent facts before anything is written.
 */
export async function seedImages(db: DatabasePool, o: SeedOptions & { derived?: StorageBackend; arrange?: (specs: SeedSpec[]) => void }): Promise<SeedSpec[]> {
  const specs = await makeSpecs(db, o);
  // a test may rewrite the synthetic facts first (e.g. put lights into the same night and train: sessions)
  o.arrange?.(specs);
  await insertSources(db, specs, o.provider ?? 'library');
  if (o.derived) {
    const fields = await starfields(o.derived, 4);
    for (const [i, s] of specs.entries()) {
      if (!s.target) continue;
      const f = fields[i % fields.length]!;
      await db.query(sql.unsafe`
        insert into derived_files (image_id, name, storage_key, content_type, size_bytes) values
          (${s.id}, 'thumbnail', ${f.thumb.key}, 'image/jpeg', ${f.thumb.size}), (${s.id}, 'preview', ${f.preview.key}, 'image/jpeg', ${f.preview.size})`);
    }
  }
  const stitcher = new Stitcher({ db, log: log.child({ component: 'seed' }) });
  // calibration frames first, so that lights link to them
  const order = [...specs].sort((a, b) => Number(!!a.target) - Number(!!b.target));
  for (const s of order) await stitcher.stitch(s.id);
  return specs;
}

/**
 * Seeds many images fast (benchmark): records from the pure assembleImage(),
 * equipment resolved through an in-memory alias map, rows inserted in batches.
 */
export async function seedImagesBulk(db: DatabasePool, o: SeedOptions, progress?: (done: number) => void): Promise<number> {
  const provider = o.provider ?? 'library';
  const BATCH = 5000;
  // one equipment item per header value, created up front
  const equipment = new Map<string, { id: string; type: string; name: string }>();
  const ensure = async (type: string, value: string) => {
    const key = `${type}|${aliasKey(value)}`;
    let e = equipment.get(key);
    if (!e) {
      const id = await db.oneFirst(sql.type(z.object({ id: z.string() }))`
        with ins as (insert into equipment (type, name, auto) values (${type}, ${value}, true) on conflict (type, lower(name)) do nothing returning id)
        select id from ins union all select id from equipment where type = ${type} and lower(name) = lower(${value}) limit 1`);
      await db.query(sql.unsafe`insert into equipment_aliases (type, alias_key, alias, equipment_id) values (${type}, ${aliasKey(value)}, ${value}, ${id}) on conflict do nothing`);
      e = { id, type, name: value };
      equipment.set(key, e);
    }
    return e;
  };
  let done = 0;
  for (let start = 0; start < o.count; start += BATCH) {
    const specs = await makeSpecs(db, { ...o, count: Math.min(BATCH, o.count - start), seed: (o.seed ?? 42) + start });
    await insertSources(db, specs, provider);
    const imageRows: ImageRow[] = [];
    const links: Parameters<typeof writeImageLinks>[1] = [];
    for (const s of specs) {
      const a = assembleImage({ id: s.id, provider, storageKey: s.path, sizeBytes: s.sizeBytes, modifiedAt: s.createdAt, createdAt: s.createdAt, results: s.results, edits: null, derived: [] });
      const eq = [];
      for (const h of a.equipmentHints) eq.push(await ensure(h.type, h.value));
      const record: StoredRecord = { ...a.record, equipment: eq.map((e) => ({ id: e.id, type: e.type, name: e.name })), calibration: [], duplicateOf: null, session: null };
      imageRows.push({
        id: s.id,
        columns: a.columns,
        cameraId: eq.find((e) => e.type === 'camera')?.id ?? null,
        telescopeId: eq.find((e) => e.type === 'telescope')?.id ?? null,
        searchText: a.searchText,
        record,
        stitchHash: 'seed',
        stitcherVersion: STITCHER_VERSION,
        createdAt: s.createdAt,
      });
      links.push({ imageId: s.id, objects: a.objects, filters: a.filters, equipment: eq.map((e) => e.id) });
    }
    await db.transaction(async (tx) => {
      await writeImageRows(tx, imageRows, { upsert: false });
      await writeImageLinks(tx, links, { replace: false });
    });
    done += specs.length;
    progress?.(done);
  }
  // as autovacuum would have done on a library that grew over time (visibility map: index-only counts)
  for (const t of ['images', 'image_objects', 'image_filters', 'image_equipment', 'images_unprocessed']) await db.query(sql.unsafe`vacuum analyze ${sql.identifier([t])}`);
  return done;
}
