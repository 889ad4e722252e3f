/**
 * Sample decoding and on-the-fly binning shared by the FITS and XISF readers.
 *
 * Integer samples are mapped linearly onto 0..1 by the range of the stored
 * type after BZERO/BSCALE (so unsigned 16-bit 0..65535 → v/65535 and signed
 * 16-bit −32768..32767 → (v+32768)/65535); floats are kept as stored. The map
 * is invertible, so nothing is lost for statistics or star detection.
 */
import { AgentError } from '../../sdk/index.ts';

export type SampleType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'i64' | 'u64' | 'f32' | 'f64';

export const SAMPLE_BYTES: Record<SampleType, number> = {
  u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, i64: 8, u64: 8, f32: 4, f64: 8,
};

const RANGES: Partial<Record<SampleType, [number, number]>> = {
  u8: [0, 255],
  i8: [-128, 127],
  u16: [0, 65535],
  i16: [-32768, 32767],
  u32: [0, 4294967295],
  i32: [-2147483648, 2147483647],
  i64: [-9223372036854775808, 9223372036854775807],
  u64: [0, 18446744073709551615],
};

/** Decodes `n` samples starting at byte `off` into `out` (0-based), normalized as described above. */
export type RowDecoder = (src: Uint8Array, off: number, n: number, out: Float32Array | Float64Array) => void;

export interface DecoderOptions {
  type: SampleType;
  littleEndian: boolean;
  /** FITS BSCALE / BZERO (physical = raw·scale + zero) */
  scale?: number;
  zero?: number;
  /** raw integer value meaning "undefined" (FITS BLANK) → NaN */
  blank?: number;
  /** keep integer values as physical numbers instead of mapping to 0..1 */
  raw?: boolean;
}

export function isFloatType(t: SampleType): boolean {
  return t === 'f32' || t === 'f64';
}

export function makeRowDecoder(o: DecoderOptions): RowDecoder {
  const scale = o.scale ?? 1;
  const zero = o.zero ?? 0;
  const le = o.littleEndian;
  const [a, b] = o.raw ? [scale, zero] : linearMap(o.type, scale, zero);
  const blank = o.blank;
  const table = sampleTable(o);
  if (table) return tableDecoder(table, SAMPLE_BYTES[o.type], le);
  const get = getter(o.type);
  const size = SAMPLE_BYTES[o.type];
  return (src, off, n, out) => {
    const dv = new DataView(src.buffer, src.byteOffset + off, n * size);
    if (blank === undefined) {
      for (let i = 0; i < n; i++) out[i] = get(dv, i * size, le) * a + b;
    } else {
      for (let i = 0; i < n; i++) {
        const r = get(dv, i * size, le);
        out[i] = r === blank ? NaN : r * a + b;
      }
    }
  };
}

/**
 * 8- and 16-bit integers: the value of every possible raw sample is computed
 * once (BLANK → NaN) and a sample is decoded by one lookup of its bytes, no
 * DataView and no multiply: the same values as raw·a + b, several times
 * faster on the 24–60 MP frames of a night.
 */
function tableDecoder(table: Float64Array, bytes: number, le: boolean): RowDecoder {
  if (bytes === 1) {
    return (src, off, n, out) => {
      for (let i = 0; i < n; i++) out[i] = table[src[off + i]!]!;
    };
  }
  if (le) {
    return (src, off, n, out) => {
      for (let i = 0, j = off; i < n; i++, j += 2) out[i] = table[src[j]! | (src[j + 1]! << 8)]!;
    };
  }
  return (src, off, n, out) => {
    for (let i = 0, j = off; i < n; i++, j += 2) out[i] = table[(src[j]! << 8) | src[j + 1]!]!;
  };
}

/**
 * The decoded value of every raw 8- or 16-bit integer sample, indexed by its
 * bits read as unsigned (null for other types). Float64, so that a Float64
 * row gets the exact value too.
 */
export function sampleTable(o: DecoderOptions): Float64Array | null {
  if (SAMPLE_BYTES[o.type] > 2 || isFloatType(o.type)) return null;
  const [a, b] = o.raw ? [o.scale ?? 1, o.zero ?? 0] : linearMap(o.type, o.scale ?? 1, o.zero ?? 0);
  const bits = SAMPLE_BYTES[o.type] * 8;
  const signed = o.type === 'i8' || o.type === 'i16';
  const table = new Float64Array(1 << bits);
  for (let u = 0; u < table.length; u++) {
    const r = signed && u >= 1 << (bits - 1) ? u - (1 << bits) : u;
    table[u] = r === o.blank ? NaN : r * a + b;
  }
  return table;
}

/**
 * [a, b] such that raw·a + b is the normalized value: 0..1 over the type's
 * physical range for integers, raw·scale + zero for floats.
 */
export function linearMap(type: SampleType, scale = 1, zero = 0): [number, number] {
  if (isFloatType(type)) return [scale, zero];
  const [rmin, rmax] = RANGES[type]!;
  const p1 = rmin * scale + zero;
  const p2 = rmax * scale + zero;
  const lo = Math.min(p1, p2);
  const span = Math.abs(p2 - p1) || 1;
  // v01 = (raw·scale + zero − lo) / span
  return [scale / span, (zero - lo) / span];
}

function getter(t: SampleType): (dv: DataView, o: number, le: boolean) => number {
  switch (t) {
    case 'u8': return (dv, o) => dv.getUint8(o);
    case 'i8': return (dv, o) => dv.getInt8(o);
    case 'u16': return (dv, o, le) => dv.getUint16(o, le);
    case 'i16': return (dv, o, le) => dv.getInt16(o, le);
    case 'u32': return (dv, o, le) => dv.getUint32(o, le);
    case 'i32': return (dv, o, le) => dv.getInt32(o, le);
    case 'i64': return (dv, o, le) => Number(dv.getBigInt64(o, le));
    case 'u64': return (dv, o, le) => Number(dv.getBigUint64(o, le));
    case 'f32': return (dv, o, le) => dv.getFloat32(o, le);
    case 'f64': return (dv, o, le) => dv.getFloat64(o, le);
  }
}

/** Hard cap on output samples (all planes) when the caller gives no maxPixels: 2^28 floats = 1 GiB. */
export const HARD_MAX_SAMPLES = 2 ** 28;

/**
 * Integer binning factor so that the binned image has at most `maxPixels`
 * pixels per plane (and at most HARD_MAX_SAMPLES samples in all planes).
 */
export function binFactor(width: number, height: number, channels: number, maxPixels?: number): number {
  let limit = maxPixels !== undefined && maxPixels > 0 ? maxPixels : Infinity;
  limit = Math.min(limit, HARD_MAX_SAMPLES / Math.max(1, channels));
  let b = 1;
  while (Math.ceil(width / b) * Math.ceil(height / b) > limit) b++;
  return b;
}

/**
 * A plane of `n` samples; in a SharedArrayBuffer when `shared` (pixels handed
 * to other threads then need no copy).
 */
export function newPlane(n: number, shared = false): Float32Array {
  return shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n);
}

/** Where decoders put full-resolution rows; implementations bin as they go. */
export interface RowSink {
  /** planes the decoder feeds (rows of channel 0..inputChannels-1) */
  readonly inputChannels: number;
  readonly bin: number;
  readonly outWidth: number;
  readonly outHeight: number;
  readonly planes: Float32Array[];
  addRow(c: number, y: number, row: ArrayLike<number>): void;
}

/**
 * Adds the samples of one row to per-block sums and counts (blocks of `b`
 * samples, the last one partial; NaN left out), block by block with no
 * division per sample. Bins of 2 (the most common: a 24 MP frame for a 2k
 * preview) take a path that adds both samples at once when neither is NaN.
 */
function addBlocks(row: ArrayLike<number>, w: number, b: number, sums: Float64Array, counts: Uint32Array): void {
  let x = 0;
  let ox = 0;
  if (b === 2) {
    for (; x + 1 < w; x += 2, ox++) {
      const v0 = row[x]!;
      const v1 = row[x + 1]!;
      const s = v0 + v1;
      if (s === s) {
        sums[ox]! += s;
        counts[ox]! += 2;
      } else {
        if (v0 === v0) {
          sums[ox]! += v0;
          counts[ox]!++;
        }
        if (v1 === v1) {
          sums[ox]! += v1;
          counts[ox]!++;
        }
      }
    }
  }
  for (; x < w; ox++) {
    const end = Math.min(w, x + b);
    let s = 0;
    let n = 0;
    for (; x < end; x++) {
      const v = row[x]!;
      if (v === v) {
        s += v;
        n++;
      }
    }
    sums[ox]! += s;
    counts[ox]! += n;
  }
}

/**
 * Collects full-resolution rows and writes b×b block averages (NaN ignored)
 * into Float32 planes. Rows of each channel must arrive in order; channels may
 * interleave. Memory: the output planes plus one Float64 row of sums per channel.
 */
export class PlaneBinner implements RowSink {
  readonly outWidth: number;
  readonly outHeight: number;
  readonly planes: Float32Array[];
  private readonly sums: Float64Array[];
  private readonly counts: Uint32Array[];

  constructor(
    readonly width: number,
    readonly height: number,
    readonly channels: number,
    readonly bin: number,
    /** output planes in SharedArrayBuffers */
    shared = false,
  ) {
    this.outWidth = Math.ceil(width / bin);
    this.outHeight = Math.ceil(height / bin);
    const n = this.outWidth * this.outHeight;
    if (!Number.isSafeInteger(n * channels) || n * channels > HARD_MAX_SAMPLES) {
      throw new AgentError(`image too large to decode (${width}×${height}×${channels})`);
    }
    this.planes = Array.from({ length: channels }, () => newPlane(n, shared));
    this.sums = bin === 1 ? [] : Array.from({ length: channels }, () => new Float64Array(this.outWidth));
    this.counts = bin === 1 ? [] : Array.from({ length: channels }, () => new Uint32Array(this.outWidth));
  }

  get inputChannels(): number {
    return this.channels;
  }

  /**
   * Bins two full-resolution rows (y even, y + 1) of 16-bit samples straight
   * from their bytes (`off0`, `off1` in `src`) when the bin is 2: no decoded
   * row and no running sums in between, and the very values and sums of two
   * `addRow` calls (`table`: {@link sampleTable} rounded to Float32, as a
   * decoded row holds them). Returns false, having done nothing, when the
   * bin is not 2 or y is odd: the caller then uses `addRow`.
   */
  addRowPair16(c: number, y: number, src: Uint8Array, off0: number, off1: number, table: Float32Array, littleEndian: boolean): boolean {
    if (this.bin !== 2 || y % 2 !== 0 || y + 1 >= this.height) return false;
    const w = this.width;
    const plane = this.planes[c]!;
    const base = (y / 2) * this.outWidth;
    const hi = littleEndian ? 1 : 0;
    const lo = 1 - hi;
    let ox = 0;
    for (let x = 0; x + 1 < w; x += 2, ox++) {
      const j0 = off0 + 2 * x;
      const j1 = off1 + 2 * x;
      const a = table[(src[j0 + hi]! << 8) | src[j0 + lo]!]!;
      const b = table[(src[j0 + 2 + hi]! << 8) | src[j0 + 2 + lo]!]!;
      const c0 = table[(src[j1 + hi]! << 8) | src[j1 + lo]!]!;
      const d = table[(src[j1 + 2 + hi]! << 8) | src[j1 + 2 + lo]!]!;
      const s = a + b + (c0 + d);
      if (s === s) {
        plane[base + ox] = s / 4;
        continue;
      }
      // a blank among them: the sums addRow would make, pair by pair
      let sum = 0;
      let n = 0;
      for (const [u, v] of [[a, b], [c0, d]] as const) {
        if (u + v === u + v) {
          sum += u + v;
          n += 2;
        } else {
          if (u === u) {
            sum += u;
            n++;
          }
          if (v === v) {
            sum += v;
            n++;
          }
        }
      }
      plane[base + ox] = n > 0 ? sum / n : NaN;
    }
    if (ox < this.outWidth) {
      // odd width: the last block is one column of two samples
      const j0 = off0 + 2 * (w - 1);
      const j1 = off1 + 2 * (w - 1);
      const a = table[(src[j0 + hi]! << 8) | src[j0 + lo]!]!;
      const c0 = table[(src[j1 + hi]! << 8) | src[j1 + lo]!]!;
      const n = (a === a ? 1 : 0) + (c0 === c0 ? 1 : 0);
      plane[base + ox] = n > 0 ? ((a === a ? a : 0) + (c0 === c0 ? c0 : 0)) / n : NaN;
    }
    return true;
  }

  /** Adds full-resolution row `y` of channel `c` (length ≥ width). */
  addRow(c: number, y: number, row: ArrayLike<number>): void {
    const w = this.width;
    const plane = this.planes[c]!;
    if (this.bin === 1) {
      const base = y * w;
      for (let x = 0; x < w; x++) plane[base + x] = row[x]!;
      return;
    }
    const b = this.bin;
    const sums = this.sums[c]!;
    const counts = this.counts[c]!;
    addBlocks(row, w, b, sums, counts);
    if (y % b === b - 1 || y === this.height - 1) {
      const base = ((y / b) | 0) * this.outWidth;
      for (let ox = 0; ox < this.outWidth; ox++) {
        plane[base + ox] = counts[ox]! > 0 ? sums[ox]! / counts[ox]! : NaN;
      }
      sums.fill(0);
      counts.fill(0);
    }
  }
}
