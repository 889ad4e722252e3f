/**
 * The solver's star catalog in memory: stars grouped by sky cell
 * ({@link SkyCells}) and sorted by magnitude inside each cell, as typed arrays.
 * Read once per thread from the compact file written by
 * scripts/build-star-catalog.ts (format in {@link encodeStarCatalog}).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { fileKey, sharedBuffer } from './sharedBuffers.ts';
import { SkyCells } from './cells.ts';

const MAGIC = 'SIDSTAR1';
const D2R = Math.PI / 180;
/** fixed-point RA: full circle = 2³² */
const RA_UNIT = 360 / 2 ** 32;
/** fixed-point Dec: ±90° = ±(2³¹−1) */
const DEC_UNIT = 90 / (2 ** 31 - 1);
/**
 * Bright layers ({@link StarCatalog.query}): every star down to the magnitude
 * that leaves `density` stars per deg² (all-sky mean), in cells of `zoneDeg`.
 * A query for the few brightest stars of a wide cap reads the sparsest layer
 * expected to hold them: merging the hundreds of 1° cells of a wide cap for
 * ~100 stars dominated the blind search of wide fields.
 */
const BRIGHT_LAYERS = [{ density: 2, zoneDeg: 6 }, { density: 12, zoneDeg: 2 }] as const;
const SKY_DEG2 = 41252.96;

export interface CatalogMeta {
  version: number;
  zoneDeg: number;
  stars: number;
  /** what went in, e.g. ["tycho2:index-4107", "hipparcos:d3-celestial"] */
  sources: string[];
  created: string;
}

/** Plain star list used while building. */
export interface StarList {
  ra: Float64Array;
  dec: Float64Array;
  mag: Float32Array;
}

/** Stars found by a query, brightest first. */
export interface StarSet extends StarList {
  count: number;
}

export class StarCatalog {
  readonly cells: SkyCells;
  /** bright layers as in {@link BRIGHT_LAYERS} (built on first use; null = not worth it) */
  private readonly brightLayers: (StarCatalog | null | undefined)[] = [];
  /** true for a bright layer itself (which has none) */
  private isLayer = false;
  constructor(
    readonly meta: CatalogMeta,
    /** first star of each cell, length cells + 1 */
    readonly cellStart: Uint32Array,
    readonly raFixed: Uint32Array,
    readonly decFixed: Int32Array,
    /** magnitude × 1000 */
    readonly magMilli: Int16Array,
  ) {
    this.cells = new SkyCells(meta.zoneDeg);
  }

  get size(): number {
    return this.raFixed.length;
  }

  /** Short name for reports: "tycho2+hipparcos" or "hipparcos". */
  get name(): string {
    const kinds = [...new Set(this.meta.sources.map((s) => s.split(':')[0]))];
    return kinds.join('+') || 'unknown';
  }

  /** True when the catalog is deep enough for sub-degree fields (Tycho-2 or a deeper source inside). */
  get deep(): boolean {
    return this.meta.sources.some((s) => /^(tycho2|astap|anindex)/.test(s));
  }

  ra(i: number): number { return this.raFixed[i] * RA_UNIT; }
  dec(i: number): number { return this.decFixed[i] * DEC_UNIT; }
  mag(i: number): number { return this.magMilli[i] / 1000; }

  /**
   * Stars within `radius` degrees of (ra, dec), at most `maxStars` of the
   * brightest (merged across cells), optionally fainter limit `maxMag`.
   */
  query(ra0: number, dec0: number, radius: number, options: { maxStars?: number; maxMag?: number } = {}): StarSet {
    const maxMag = options.maxMag ?? Infinity;
    const magLimit = Number.isFinite(maxMag) ? Math.round(maxMag * 1000) : 32767;
    const cosR = Math.cos(Math.min(radius, 180) * D2R);
    const sd0 = Math.sin(dec0 * D2R), cd0 = Math.cos(dec0 * D2R);
    const maxStars = options.maxStars ?? Infinity;
    if (maxStars < Infinity) {
      // A bright layer holds every star down to its cut: when it has maxStars in the cap, they
      // are the cap's brightest (any star it lacks is fainter than all of them).
      const area = 2 * Math.PI * (1 - cosR) * (180 / Math.PI) ** 2;
      for (let l = 0; l < BRIGHT_LAYERS.length; l++) {
        if (BRIGHT_LAYERS[l].density * area < 1.5 * maxStars) continue;
        const found = this.bright(l)?.query(ra0, dec0, radius, options);
        if (found && found.count >= maxStars) return found;
      }
    }
    const cells = this.cells.cellsInCap(ra0, dec0, radius);
    if (maxStars < Infinity) return this.brightestInCap(cells, ra0, dec0, radius, magLimit, maxStars);
    const idx: number[] = [];
    for (const c of cells) {
      const end = this.cellStart[c + 1];
      for (let i = this.cellStart[c]; i < end; i++) {
        if (this.magMilli[i] > magLimit) break; // sorted by magnitude within the cell
        const d = this.decFixed[i] * DEC_UNIT * D2R;
        const da = (this.raFixed[i] * RA_UNIT - ra0) * D2R;
        if (sd0 * Math.sin(d) + cd0 * Math.cos(d) * Math.cos(da) >= cosR) idx.push(i);
      }
    }
    idx.sort((a, b) => this.magMilli[a] - this.magMilli[b]);
    const n = Math.min(idx.length, options.maxStars ?? Infinity);
    const out: StarSet = { ra: new Float64Array(n), dec: new Float64Array(n), mag: new Float32Array(n), count: n };
    for (let k = 0; k < n; k++) {
      const i = idx[k];
      out.ra[k] = this.raFixed[i] * RA_UNIT;
      out.dec[k] = this.decFixed[i] * DEC_UNIT;
      out.mag[k] = this.magMilli[i] / 1000;
    }
    return out;
  }

  /** Bright layer `l` of {@link BRIGHT_LAYERS}. */
  private bright(l: number): StarCatalog | null {
    if (this.brightLayers[l] !== undefined) return this.brightLayers[l]!;
    const { density, zoneDeg } = BRIGHT_LAYERS[l];
    const want = Math.round(density * SKY_DEG2);
    if (this.isLayer || this.meta.zoneDeg >= zoneDeg || this.size < 2 * want) return (this.brightLayers[l] = null);
    // magnitude cut from a histogram of the (integer, milli-mag) magnitudes
    const hist = new Uint32Array(65536);
    for (let i = 0; i < this.size; i++) hist[this.magMilli[i] + 32768]++;
    let cut = 0, n = 0;
    while (cut < 65536 && n + hist[cut] <= want) n += hist[cut++];
    const cutMilli = cut - 32768 - 1;
    const list = { ra: new Float64Array(n), dec: new Float64Array(n), mag: new Float32Array(n) };
    for (let i = 0, k = 0; i < this.size && k < n; i++) {
      if (this.magMilli[i] > cutMilli) continue;
      list.ra[k] = this.ra(i); list.dec[k] = this.dec(i); list.mag[k] = this.mag(i); k++;
    }
    if (n === 0) return (this.brightLayers[l] = null);
    const layer = StarCatalog.fromList(list, this.meta.sources, zoneDeg);
    layer.isLayer = true;
    return (this.brightLayers[l] = layer);
  }

  /**
   * The brightest `maxStars` stars of the cap: a k-way merge of the cells'
   * magnitude-sorted runs (a heap keyed by each cell's next star), so a query
   * for a few bright stars over a wide field does not scan every faint star.
   */
  private brightestInCap(
    cells: number[], ra0: number, dec0: number, radius: number, magLimit: number, maxStars: number,
  ): StarSet {
    const m = cells.length;
    const ptr = new Int32Array(m), end = new Int32Array(m);
    const heap = new Int32Array(m); // run numbers, min-heap on the magnitude at ptr
    const hkey = new Int32Array(m); // magnitude at the top of each heap entry's run
    let hn = 0;
    const mag = this.magMilli, raF = this.raFixed, decF = this.decFixed;
    const down = (i: number): void => {
      const r0 = heap[i], k0 = hkey[i];
      for (;;) {
        const l = 2 * i + 1;
        if (l >= hn) break;
        const c = l + 1 < hn && hkey[l + 1] < hkey[l] ? l + 1 : l;
        if (hkey[c] >= k0) break;
        heap[i] = heap[c]; hkey[i] = hkey[c];
        i = c;
      }
      heap[i] = r0; hkey[i] = k0;
    };
    for (let k = 0; k < m; k++) {
      ptr[k] = this.cellStart[cells[k]];
      end[k] = this.cellStart[cells[k] + 1];
      if (ptr[k] < end[k]) { heap[hn] = k; hkey[hn] = mag[ptr[k]]; hn++; }
    }
    for (let i = (hn >> 1) - 1; i >= 0; i--) down(i);
    // Cheap integer pre-tests on the fixed-point coordinates (a box around the cap) before the
    // exact spherical test: most stars of the cells at the cap's edge fail them.
    const cosR = Math.cos(Math.min(radius, 180) * D2R);
    const sd0 = Math.sin(dec0 * D2R), cd0 = Math.cos(dec0 * D2R);
    const decLo = Math.floor((dec0 - radius) / DEC_UNIT), decHi = Math.ceil((dec0 + radius) / DEC_UNIT);
    const nearPole = Math.abs(dec0) + radius >= 89.5 || radius >= 90;
    const half = nearPole ? 180 : Math.asin(Math.min(1, Math.sin(radius * D2R) / Math.cos(dec0 * D2R))) / D2R;
    const halfF = half >= 180 ? Infinity : Math.ceil(half / RA_UNIT) + 2;
    const ra0F = Math.round((((ra0 % 360) + 360) % 360) / RA_UNIT) >>> 0;
    const found: number[] = [];
    while (hn > 0 && found.length < maxStars) {
      const r = heap[0];
      const i = ptr[r];
      if (mag[i] > magLimit) break; // every other run continues with fainter stars
      const di = decF[i];
      if (di >= decLo && di <= decHi && Math.abs((raF[i] - ra0F) | 0) <= halfF) {
        const d = di * DEC_UNIT * D2R;
        const da = (raF[i] * RA_UNIT - ra0) * D2R;
        if (sd0 * Math.sin(d) + cd0 * Math.cos(d) * Math.cos(da) >= cosR) found.push(i);
      }
      if (++ptr[r] < end[r]) { hkey[0] = mag[ptr[r]]; down(0); }
      else { hn--; heap[0] = heap[hn]; hkey[0] = hkey[hn]; down(0); }
    }
    const n = found.length;
    const out: StarSet = { ra: new Float64Array(n), dec: new Float64Array(n), mag: new Float32Array(n), count: n };
    for (let k = 0; k < n; k++) {
      const i = found[k];
      out.ra[k] = raF[i] * RA_UNIT;
      out.dec[k] = decF[i] * DEC_UNIT;
      out.mag[k] = mag[i] / 1000;
    }
    return out;
  }

  /** Builds the in-memory catalog from a plain list (any order). */
  static fromList(list: StarList, sources: string[], zoneDeg = 1): StarCatalog {
    const cells = new SkyCells(zoneDeg);
    const n = list.ra.length;
    const cellOf = new Uint32Array(n);
    const counts = new Uint32Array(cells.count + 1);
    for (let i = 0; i < n; i++) {
      cellOf[i] = cells.cellOf(list.ra[i], list.dec[i]);
      counts[cellOf[i] + 1]++;
    }
    const start = new Uint32Array(cells.count + 1);
    for (let c = 0; c < cells.count; c++) start[c + 1] = start[c] + counts[c + 1];
    const order = new Uint32Array(n);
    const fill = start.slice(0, cells.count);
    for (let i = 0; i < n; i++) order[fill[cellOf[i]]++] = i;
    for (let c = 0; c < cells.count; c++) {
      const seg = order.subarray(start[c], start[c + 1]);
      const sorted = Array.from(seg).sort((a, b) => list.mag[a] - list.mag[b]);
      seg.set(sorted);
    }
    const ra = new Uint32Array(n), dec = new Int32Array(n), mag = new Int16Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const r = ((list.ra[i] % 360) + 360) % 360;
      ra[k] = Math.min(2 ** 32 - 1, Math.round(r / RA_UNIT));
      dec[k] = Math.round(Math.max(-90, Math.min(90, list.dec[i])) / DEC_UNIT);
      mag[k] = Math.max(-32768, Math.min(32767, Math.round(list.mag[i] * 1000)));
    }
    const meta: CatalogMeta = { version: 1, zoneDeg, stars: n, sources, created: new Date().toISOString() };
    return new StarCatalog(meta, start, ra, dec, mag);
  }
}

/**
 * File layout (little endian): "SIDSTAR1", u32 JSON length, JSON metadata
 * padded to 4 bytes, u32 cellStart[cells+1], u32 ra[n], i32 dec[n], i16 mag[n].
 */
export function encodeStarCatalog(cat: StarCatalog): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(cat.meta));
  const jsonPadded = Math.ceil(json.length / 4) * 4;
  const n = cat.size;
  const total = 12 + jsonPadded + cat.cellStart.byteLength + 4 * n + 4 * n + 2 * n;
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  let p = 12 + jsonPadded;
  for (const arr of [cat.cellStart, cat.raFixed, cat.decFixed, cat.magMilli]) {
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), p);
    p += arr.byteLength;
  }
  return out;
}

export function decodeStarCatalog(bytes: Uint8Array): StarCatalog {
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new Error('not a Sidereal star catalog (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jl = dv.getUint32(8, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jl))) as CatalogMeta;
  if (meta.version !== 1) throw new Error(`unsupported star catalog version ${meta.version}`);
  const cells = new SkyCells(meta.zoneDeg);
  // Typed-array views need aligned offsets: view the bytes in place when the body is 4-byte
  // aligned (a shared or whole-file buffer), else copy it once into a fresh buffer.
  const start = 12 + Math.ceil(jl / 4) * 4;
  const inPlace = (bytes.byteOffset + start) % 4 === 0;
  const body = inPlace ? bytes.subarray(start) : new Uint8Array(bytes.subarray(start)); // (Buffer#slice would share memory)
  const buf = body.buffer;
  const base = body.byteOffset;
  const n = meta.stars;
  if (!(Number.isInteger(n) && n >= 0) || body.byteLength < 4 * (cells.count + 1) + 10 * n) {
    throw new Error('star catalog file is truncated or corrupt');
  }
  let p = 0;
  const cellStart = new Uint32Array(buf, base + p, cells.count + 1); p += cellStart.byteLength;
  const ra = new Uint32Array(buf, base + p, n); p += 4 * n;
  const dec = new Int32Array(buf, base + p, n); p += 4 * n;
  const mag = new Int16Array(buf, base + p, n); p += 2 * n;
  if (p > body.byteLength || cellStart[cells.count] !== n) throw new Error('star catalog file is truncated or corrupt');
  return new StarCatalog(meta, cellStart, ra, dec, mag);
}

const loaded = new Map<string, StarCatalog>();

/**
 * Loads (once per thread) the catalog file at `path`, sharing the bytes with
 * the process's other worker threads ({@link sharedBuffer}). Throws when
 * missing or corrupt.
 */
export function loadStarCatalog(path: string): StarCatalog {
  let cat = loaded.get(path);
  if (!cat) {
    const size = statSync(path).size;
    const sab = sharedBuffer(fileKey(path, 'star-catalog'), size, (into) => {
      const fd = openSync(path, 'r');
      try {
        let got = 0;
        while (got < size) {
          const k = readSync(fd, into, got, size - got, got);
          if (k <= 0) throw new Error(`${path}: file shrank while being read`);
          got += k;
        }
      } finally {
        closeSync(fd);
      }
    });
    cat = decodeStarCatalog(new Uint8Array(sab));
    loaded.set(path, cat);
  }
  return cat;
}
