/**
 * ASTAP/HNSKY star databases, read so the built-in solver can solve fields
 * narrower than Tycho-2 allows. Two tilings of the sky exist, with the same
 * file contents (as documented by ASTAP's `unit_star_database.pas` and HNSKY's
 * `u_290.pas`, own code):
 *
 * - `.1476` (D05, D20, D50, D80, V50…: `d50_0101.1476` … `d50_3601.1476`):
 *   36 declination rings of 90/17.5° (the polar caps half that) with a
 *   ring-dependent number of equal RA cells, 1476 areas;
 * - `.290` (G05, G16–G18, H17, H18, V17…: `g18_0101.290` … `g18_1801.290`):
 *   290 equal-area cells after Gringorten & Yepez (1992): 18 rings whose
 *   borders are at sin δ = ±(1 − k²/289), k = 1, 3 … 17, holding
 *   1, 4, 8 … 32, 32 … 8, 4, 1 cells.
 *
 * In both, cells start at RA 0 and files are named `RRCC.<ext>` (ring and
 * cell, 1-based, south first) behind a database prefix. Each file has a
 * 110-byte text header whose last byte is the record size (5 or 6), then
 * records: RA as a 24-bit little-endian unsigned (full circle = 2²⁴−1), Dec as
 * the low two bytes of a 24-bit two's-complement integer (±90° = ±(2²³−1)). A
 * record with RA = 0xFFFFFF is a group header: its 4th byte is the Dec high
 * byte + 128 and its 5th the magnitude × 10 + 16 of the records that follow
 * (files are sorted bright to faint in 0.1 mag steps). The 6th byte of 6-byte
 * records (Gaia BP−RP) is ignored. The old 7–11-byte records (Tycho/UCAC
 * designations) are refused with a clear error.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import type { StarList } from './starCatalog.ts';

const HEADER_BYTES = 110;
const D2R = Math.PI / 180;

/** One way of cutting the sky into area files. */
export interface AstapTiling {
  /** file extension without the dot: "1476" or "290" */
  ext: '1476' | '290';
  /** RA cells per declination ring, south pole first */
  cells: readonly number[];
  /** lower declination boundary of ring r (0-based); ring `cells.length` = +90 */
  ringLow(r: number): number;
}

const RING_STEP_1476 = 90 / 17.5;
export const TILING_1476: AstapTiling = {
  ext: '1476',
  cells: [1, 3, 9, 15, 21, 27, 33, 38, 43, 48, 52, 56, 60, 63, 65, 67, 68, 69, 69, 68, 67, 65, 63, 60, 56, 52, 48, 43, 38, 33, 27, 21, 15, 9, 3, 1],
  ringLow(r) {
    if (r <= 0) return -90;
    if (r >= 36) return 90;
    return -90 + RING_STEP_1476 / 2 + (r - 1) * RING_STEP_1476;
  },
};

/** Southern borders of the 290 tiling: sin δ = −(1 − k²/289), k = 1, 3 … 17 (k = 17 is the equator). */
const SOUTH_290 = [1, 3, 5, 7, 9, 11, 13, 15, 17].map((k) => -Math.asin(1 - (k * k) / 289) / D2R);
export const TILING_290: AstapTiling = {
  ext: '290',
  cells: [1, 4, 8, 12, 16, 20, 24, 28, 32, 32, 28, 24, 20, 16, 12, 8, 4, 1],
  ringLow(r) {
    if (r <= 0) return -90;
    if (r >= 18) return 90;
    return r <= 9 ? SOUTH_290[r - 1] : -SOUTH_290[18 - r - 1];
  },
};

const TILINGS: Record<string, AstapTiling> = { '1476': TILING_1476, '290': TILING_290 };

/** The area (ring, cell; 0-based) holding (ra, dec). */
export function astapArea(ra: number, dec: number, tiling: AstapTiling = TILING_1476): { ring: number; cell: number } {
  const rings = tiling.cells.length;
  let ring = 0;
  while (ring < rings - 1 && dec >= tiling.ringLow(ring + 1)) ring++;
  const n = tiling.cells[ring];
  const a = ((ra % 360) + 360) % 360;
  return { ring, cell: Math.min(n - 1, Math.floor((a * n) / 360)) };
}

/** File name of an area (without the database prefix). */
export function astapAreaName(ring: number, cell: number, tiling: AstapTiling = TILING_1476): string {
  return `${String(ring + 1).padStart(2, '0')}${String(cell + 1).padStart(2, '0')}.${tiling.ext}`;
}

/** Areas that may hold stars within `radius` degrees of (ra, dec). */
export function astapAreasInCap(ra: number, dec: number, radius: number, tiling: AstapTiling = TILING_1476): { ring: number; cell: number }[] {
  const out: { ring: number; cell: number }[] = [];
  const lo = dec - radius, hi = dec + radius;
  const polar = lo <= -90 || hi >= 90;
  const maxAbs = Math.min(89.999, Math.max(Math.abs(lo), Math.abs(hi)));
  const halfRa = polar ? 180 : Math.min(180, radius / Math.cos(maxAbs * D2R));
  const rings = tiling.cells.length;
  for (let r = 0; r < rings; r++) {
    if (tiling.ringLow(r + 1) < lo || tiling.ringLow(r) > hi) continue;
    const n = tiling.cells[r];
    if (n === 1 || halfRa >= 180) { for (let c = 0; c < n; c++) out.push({ ring: r, cell: c }); continue; }
    const a0 = Math.floor(((ra - halfRa) * n) / 360), a1 = Math.floor(((ra + halfRa) * n) / 360);
    const seen = new Set<number>();
    for (let k = a0; k <= a1; k++) {
      const c = ((k % n) + n) % n;
      if (!seen.has(c)) { seen.add(c); out.push({ ring: r, cell: c }); }
    }
  }
  return out;
}

/** Decodes one area file (`.1476` or `.290`: the same records). */
export function decodeAstapArea(bytes: Uint8Array, name = 'area'): StarList {
  if (bytes.length < HEADER_BYTES) throw new Error(`${name}: too short for an ASTAP star file`);
  const size = bytes[HEADER_BYTES - 1];
  if (size !== 5 && size !== 6) throw new Error(`${name}: record size ${size} is not supported (5 or 6 byte records only: a Gaia-based database such as D50, V50 or G18)`);
  const n = Math.floor((bytes.length - HEADER_BYTES) / size);
  const ra = new Float64Array(n), dec = new Float64Array(n), mag = new Float32Array(n);
  let k = 0, dec9 = 0, mag10 = 0, haveHeader = false;
  for (let p = HEADER_BYTES; p + size <= bytes.length; p += size) {
    const raw = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16);
    // A group header, unless it would go back to brighter stars: some older
    // files hold a faint star at RA 360° written as 0xFFFFFF (HNSKY reads it so too).
    if (raw === 0xffffff && (!haveHeader || bytes[p + 4] - 16 >= mag10)) {
      dec9 = bytes[p + 3] - 128;
      mag10 = bytes[p + 4] - 16;
      haveHeader = true;
      continue;
    }
    if (!haveHeader) throw new Error(`${name}: star record before the first group header`);
    const d = dec9 * 65536 + (bytes[p + 4] << 8) + bytes[p + 3];
    ra[k] = raw === 0xffffff ? 0 : (raw * 360) / 16777215;
    dec[k] = (d * 90) / 8388607;
    if (!(dec[k] >= -90.001 && dec[k] <= 90.001)) throw new Error(`${name}: declination out of range`);
    mag[k] = mag10 / 10;
    k++;
  }
  return { ra: ra.subarray(0, k), dec: dec.subarray(0, k), mag: mag.subarray(0, k) };
}

/**
 * Encodes stars as one area file (5-byte records; `.1476` and `.290` alike), sorted bright to
 * faint in 0.1 mag groups and by the Dec high byte inside a group, as ASTAP
 * writes them. For tests and for users who convert their own catalogs.
 */
export function encodeAstapArea(stars: StarList, description = 'Sidereal test stars'): Uint8Array {
  const n = stars.ra.length;
  const rows = Array.from({ length: n }, (_, i) => {
    const m10 = Math.max(-16, Math.min(239, Math.round(stars.mag[i] * 10)));
    const d = Math.round((Math.max(-90, Math.min(90, stars.dec[i])) * 8388607) / 90);
    const a = Math.min(16777214, Math.round(((((stars.ra[i] % 360) + 360) % 360) * 16777215) / 360));
    return { m10, d9: d >> 16, d, a };
  });
  rows.sort((x, y) => x.m10 - y.m10 || x.d9 - y.d9);
  const out: number[] = [];
  const header = new Uint8Array(HEADER_BYTES);
  header.set(new TextEncoder().encode(description.slice(0, HEADER_BYTES - 1)));
  header[HEADER_BYTES - 1] = 5;
  let lastM = NaN, lastD9 = NaN;
  for (const r of rows) {
    if (r.m10 !== lastM || r.d9 !== lastD9) {
      out.push(0xff, 0xff, 0xff, r.d9 + 128, r.m10 + 16);
      lastM = r.m10; lastD9 = r.d9;
    }
    out.push(r.a & 0xff, (r.a >> 8) & 0xff, (r.a >> 16) & 0xff, r.d & 0xff, (r.d >> 8) & 0xff);
  }
  const bytes = new Uint8Array(HEADER_BYTES + out.length);
  bytes.set(header);
  bytes.set(out, HEADER_BYTES);
  return bytes;
}

/** One database (all `<prefix>_RRCC.1476` or `<prefix>_RRCC.290` files of a folder with the same prefix). */
export interface AstapDatabase {
  dir: string;
  /** e.g. "d50" (lower case; "" for files named without a prefix) */
  name: string;
  /** how its files cut the sky */
  tiling: AstapTiling;
  /** area name ("0101.1476", "0101.290") → file path */
  files: Map<string, string>;
  /** total bytes of the files: a proxy for depth when several databases are present */
  bytes: number;
}

const FILE = /^(?:([A-Za-z0-9]+)_)?(\d{4})\.(1476|290)$/;

const found = new Map<string, { at: number; dbs: AstapDatabase[] }>();
/** A folder is listed again after this long (files added or removed while running). */
const LIST_TTL_MS = 10 * 60_000;

/** The `.1476` and `.290` databases found in `dir`, the biggest (deepest) first (listed once per 10 minutes). */
export function findAstapDatabases(dir: string): AstapDatabase[] {
  if (!dir) return [];
  const hit = found.get(dir);
  if (hit && Date.now() - hit.at < LIST_TTL_MS) return hit.dbs;
  const dbs = listAstapDatabases(dir);
  found.set(dir, { at: Date.now(), dbs });
  return dbs;
}

function listAstapDatabases(dir: string): AstapDatabase[] {
  if (!existsSync(dir)) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const byPrefix = new Map<string, AstapDatabase>();
  for (const n of names) {
    const m = FILE.exec(n);
    if (!m) continue;
    const name = (m[1] ?? '').toLowerCase();
    const tiling = TILINGS[m[3]];
    const key = `${name}.${tiling.ext}`;
    let db = byPrefix.get(key);
    if (!db) { db = { dir, name, tiling, files: new Map(), bytes: 0 }; byPrefix.set(key, db); }
    const path = join(dir, n);
    db.files.set(`${m[2]}.${tiling.ext}`, path);
    try {
      const fd = openSync(path, 'r');
      try { db.bytes += fstatSync(fd).size; } finally { closeSync(fd); }
    } catch {
      // unreadable: skipped when read
    }
  }
  return [...byPrefix.values()].sort((a, b) => b.bytes - a.bytes);
}

const areaCache = new Map<string, StarList>();
const AREA_CACHE_MAX = 16;

function readArea(path: string): StarList {
  let list = areaCache.get(path);
  if (list) return list;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const k = readSync(fd, buf, got, size - got, got);
      if (k <= 0) throw new Error(`${path}: file shrank while being read`);
      got += k;
    }
    list = decodeAstapArea(buf, path);
  } finally {
    closeSync(fd);
  }
  if (areaCache.size >= AREA_CACHE_MAX) areaCache.delete(areaCache.keys().next().value!);
  areaCache.set(path, list);
  return list;
}

/**
 * Stars of the database within `radius` degrees of (ra, dec), the brightest
 * `maxStars` of them (the files are sorted by magnitude, so a file is read
 * whole but only its bright part is kept). Missing area files are reported in
 * `missing` (a partial database covers only part of the sky).
 */
export function queryAstap(db: AstapDatabase, ra0: number, dec0: number, radius: number, maxStars = Infinity): StarList & { missing: number } {
  const cosR = Math.cos(Math.min(radius, 180) * D2R);
  const sd0 = Math.sin(dec0 * D2R), cd0 = Math.cos(dec0 * D2R);
  const ras: number[] = [], decs: number[] = [], mags: number[] = [];
  let missing = 0;
  for (const { ring, cell } of astapAreasInCap(ra0, dec0, radius, db.tiling)) {
    const path = db.files.get(astapAreaName(ring, cell, db.tiling));
    if (!path) { missing++; continue; }
    const list = readArea(path);
    for (let i = 0; i < list.ra.length; i++) {
      const d = list.dec[i] * D2R;
      if (sd0 * Math.sin(d) + cd0 * Math.cos(d) * Math.cos((list.ra[i] - ra0) * D2R) < cosR) continue;
      ras.push(list.ra[i]); decs.push(list.dec[i]); mags.push(list.mag[i]);
    }
  }
  const order = ras.map((_, i) => i).sort((a, b) => mags[a] - mags[b]);
  const n = Math.min(order.length, maxStars);
  const out = { ra: new Float64Array(n), dec: new Float64Array(n), mag: new Float32Array(n), missing };
  for (let k = 0; k < n; k++) {
    const i = order[k];
    out.ra[k] = ras[i]; out.dec[k] = decs[i]; out.mag[k] = mags[i];
  }
  return out;
}
