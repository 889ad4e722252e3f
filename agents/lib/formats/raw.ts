/**
 * Camera RAW (CR2, CR3, NEF, ARW, DNG, RAF, ORF, RW2, PEF…): metadata from
 * EXIF (exifr, plus our own box walk for CR3 and the embedded JPEG of RAF),
 * completed by LibRaw; pixels through LibRaw (the libraw-wasm npm package, a
 * WebAssembly build: nothing to install beside `npm install`) as the raw
 * undebayered mosaic of the visible area (sensor values, no black
 * subtraction, no white balance — what `dcraw -D -4` writes), falling back to
 * the embedded JPEG preview, else an AgentError.
 *
 * LibRaw runs synchronously in the calling thread (agents run in worker
 * threads), one instance per thread loaded from the package's own files (no
 * network). LibRaw does not clear its buffers, so a file it cannot fill
 * (truncated, or a metadata-only stub) would show samples of the file decoded
 * before it: such files are refused — LibRaw's own data-error reports, and
 * files too small for their pixel count.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import exifr from 'exifr';
import type { HeaderCard } from '../../sdk/facts.ts';
import { AgentError } from '../../sdk/index.ts';
import { openRandomAccess } from './byte-source.ts';
import { exifCards } from './exif.ts';
import { readRasterPixels } from './raster.ts';
import { binFactor } from './samples.ts';
import { makeSink } from './cfa.ts';
import type { PixelImage } from './types.ts';

export interface RawDescription {
  width: number | null;
  height: number | null;
  bitDepth: number | null;
  channels: number | null;
  headers: HeaderCard[];
}

// ------------------------------------------------------------------ LibRaw

/** The part of libraw-wasm's metadata() answer that is used here. */
export interface LibRawMetadata {
  width?: number;
  height?: number;
  camera_make?: string;
  camera_model?: string;
  iso_speed?: number;
  shutter?: number;
  aperture?: number;
  focal_len?: number;
  /** seconds: the camera's local clock read as UTC (LibRaw runs with TZ=UTC) */
  timestamp?: number;
  colors?: number;
  filters?: number;
  cdesc?: string;
}

interface RawImageData {
  raw_width: number;
  raw_height: number;
  top_margin: number;
  left_margin: number;
  width: number;
  height: number;
  data: Uint16Array;
}

interface LibRawInstance {
  open(bytes: Uint8Array, settings: Record<string, unknown>): void;
  metadata(full: boolean): LibRawMetadata;
  rawImageData(): RawImageData;
  thumbnailData(): { format?: string; data?: Uint8Array } | Uint8Array;
  delete(): void;
}

interface LibRawModule {
  LibRaw: new () => LibRawInstance;
}

/** The WebAssembly global (its types live in the DOM library, which this project does not load). */
const wasmApi = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object>; instantiate(module: object, imports: object): Promise<object> } }).WebAssembly;

let libRawModule: Promise<LibRawModule> | null = null;
/** LibRaw's messages (printErr) of the current decode, for error texts. */
const libRawMessages: string[] = [];

/**
 * The WebAssembly LibRaw of this thread, loaded on first use. The package's
 * entry point wraps it in a browser Web Worker; Node needs the Emscripten
 * module itself, given its .wasm file from disk (its own loader would fetch
 * it). One instance per thread: an instance's memory is never released.
 */
function loadLibRaw(): Promise<LibRawModule> {
  libRawModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasm = await wasmApi.compile(await readFile(require.resolve('libraw-wasm/dist/libraw.wasm')));
    // @ts-expect-error the Emscripten module ships without type declarations
    const factory = (await import('libraw-wasm/dist/libraw.js')).default as (options: object) => Promise<LibRawModule>;
    return factory({
      instantiateWasm(imports: object, done: (instance: object, module: object) => void) {
        void wasmApi.instantiate(wasm, imports).then((instance) => done(instance, wasm));
        return {};
      },
      print: () => {},
      printErr: (m: string) => {
        libRawMessages.push(String(m));
        if (libRawMessages.length > 20) libRawMessages.shift();
      },
    });
  })();
  libRawModule.catch(() => (libRawModule = null));
  return libRawModule;
}

/** Opens `bytes` in a LibRaw object and runs `fn` on it (the object is freed after). */
async function withLibRaw<T>(bytes: Uint8Array, fn: (raw: LibRawInstance) => T): Promise<T> {
  const mod = await loadLibRaw();
  const raw = new mod.LibRaw();
  libRawMessages.length = 0;
  try {
    try {
      raw.open(bytes, {});
    } catch (err) {
      throw new AgentError(`LibRaw cannot open this file${libRawDetail()}`, { cause: err });
    }
    return fn(raw);
  } finally {
    raw.delete();
  }
}

function libRawDetail(): string {
  const m = libRawMessages.map((s) => s.trim()).filter(Boolean).at(-1);
  return m ? `: ${m}` : ' (unsupported camera or damaged file)';
}

export interface RawInfo {
  camera: string | null;
  width: number | null;
  height: number | null;
  rawColors: number | null;
  /** "RGGB"… for 2×2 Bayer sensors */
  bayerPattern: string | null;
  iso: number | null;
  exposureSeconds: number | null;
  aperture: number | null;
  focalLengthMm: number | null;
  /** local time, "YYYY:MM:DD hh:mm:ss" as EXIF writes it */
  timestamp: string | null;
}

/** LibRaw's metadata in our terms (pure; see LibRawMetadata). */
export function rawInfoFromLibRaw(m: LibRawMetadata): RawInfo {
  const pos = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
  const camera = [m.camera_make, m.camera_model].map((s) => (s ?? '').trim()).filter(Boolean).join(' ') || null;
  let timestamp: string | null = null;
  if (pos(m.timestamp)) {
    const d = new Date(m.timestamp! * 1000);
    const p = (n: number) => String(n).padStart(2, '0');
    timestamp = `${d.getUTCFullYear()}:${p(d.getUTCMonth() + 1)}:${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  }
  return {
    camera,
    width: pos(m.width),
    height: pos(m.height),
    rawColors: pos(m.colors),
    bayerPattern: bayerFromFilters(m.filters, m.cdesc),
    iso: pos(m.iso_speed),
    exposureSeconds: pos(m.shutter),
    aperture: pos(m.aperture),
    focalLengthMm: pos(m.focal_len) === null ? null : Math.round(m.focal_len! * 1000) / 1000,
    timestamp,
  };
}

/** dcraw/LibRaw `filters` bit field → "RGGB"… of the top-left 2×2 block, or null for non-Bayer sensors. */
export function bayerFromFilters(filters: number | undefined, cdesc: string | undefined): string | null {
  if (!filters || filters < 1000 || !cdesc) return null; // 0: no CFA; 1, 2, 9: Leaf/X-Trans/… layouts
  const fc = (row: number, col: number) => cdesc[(filters >>> ((((row << 1) & 14) | (col & 1)) << 1)) & 3] ?? '?';
  const p = (fc(0, 0) + fc(0, 1) + fc(1, 0) + fc(1, 1)).replace(/[^RGB]/g, 'G');
  return /^(RGGB|BGGR|GRBG|GBRG)$/.test(p) ? p : null;
}

/** Camera and capture metadata of a RAW file as LibRaw reads it. */
export async function rawInfo(path: string): Promise<RawInfo> {
  return withLibRaw(await readFile(path), (raw) => rawInfoFromLibRaw(raw.metadata(true)));
}

/** EXIF cards of a RAW file, reaching into the CR3 and RAF containers exifr does not read. */
export async function rawExifCards(path: string, subformat: string): Promise<HeaderCard[]> {
  if (subformat === 'cr3') return cr3Cards(path);
  if (subformat === 'raf') {
    const jpeg = await rafJpeg(path);
    return jpeg ? exifCards(jpeg) : [];
  }
  return exifCards(path);
}

/** RAF: big-endian offset/length of the embedded JPEG at bytes 84 and 88. */
async function rafJpeg(path: string): Promise<Uint8Array | null> {
  const raf = await openRandomAccess(path);
  try {
    const h = await raf.readAt(84, 8);
    if (h.length < 8) return null;
    const dv = new DataView(h.buffer, h.byteOffset, 8);
    const off = dv.getUint32(0);
    const len = dv.getUint32(4);
    if (len === 0 || off + len > raf.size || len > 64 << 20) return null;
    return raf.readAt(off, len);
  } finally {
    await raf.close();
  }
}

const CANON_UUID = '85c0b687820f11e08111f4ce462b6a48';

/** CR3 (ISO BMFF): moov/uuid(Canon)/CMT1..CMT4 are TIFF structures: IFD0, Exif IFD, makernote, GPS IFD. */
async function cr3Cards(path: string): Promise<HeaderCard[]> {
  const raf = await openRandomAccess(path);
  let cmt: Record<string, Uint8Array> = {};
  try {
    cmt = await cr3Boxes(raf.readAt.bind(raf), 0, raf.size, 0);
  } finally {
    await raf.close();
  }
  const tagKeys = (exifr as unknown as { tagKeys: Map<string, Map<number, string>> }).tagKeys;
  const cards: HeaderCard[] = [];
  const blocks: [string, string][] = [['CMT1', 'ifd0'], ['CMT2', 'exif'], ['CMT4', 'gps']];
  const gps: Record<string, unknown> = {};
  for (const [box, dict] of blocks) {
    const data = cmt[box];
    if (!data) continue;
    const parsed = (await exifr
      .parse(Buffer.from(data), { tiff: true, ifd0: true, exif: false, gps: false, mergeOutput: false, reviveValues: false, translateValues: false } as unknown as Parameters<typeof exifr.parse>[1])
      .catch(() => undefined)) as { ifd0?: Record<string, unknown> } | undefined;
    const names = tagKeys.get(dict);
    for (const [k, v] of Object.entries(parsed?.ifd0 ?? {})) {
      const name = /^\d+$/.test(k) ? names?.get(Number(k)) : k;
      if (!name) continue;
      if (dict === 'gps') gps[name] = v;
      const value = typeof v === 'string' || typeof v === 'number' ? v : null;
      if (value !== null) cards.push({ key: name, value });
    }
  }
  const lat = gpsDegrees(gps.GPSLatitude, gps.GPSLatitudeRef);
  const lon = gpsDegrees(gps.GPSLongitude, gps.GPSLongitudeRef);
  if (lat !== null && lon !== null && !(lat === 0 && lon === 0)) cards.push({ key: 'latitude', value: lat }, { key: 'longitude', value: lon });
  return cards;
}

function gpsDegrees(v: unknown, ref: unknown): number | null {
  const a = v && typeof v === 'object' ? Array.from(Object.values(v as Record<string, number>)) : null;
  if (!a || a.length < 3 || a.some((x) => typeof x !== 'number')) return null;
  const d = a[0]! + a[1]! / 60 + a[2]! / 3600;
  return ref === 'S' || ref === 'W' ? -d : d;
}

async function cr3Boxes(
  read: (pos: number, len: number) => Promise<Uint8Array>,
  start: number,
  end: number,
  depth: number,
): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  let p = start;
  for (let count = 0; p + 8 <= end && count < 1000; count++) {
    const h = await read(p, 24);
    if (h.length < 8) break;
    const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    let size = dv.getUint32(0);
    const type = String.fromCharCode(...h.subarray(4, 8));
    let hdr = 8;
    if (size === 1 && h.length >= 16) {
      size = Number(dv.getBigUint64(8));
      hdr = 16;
    } else if (size === 0) size = end - p;
    if (size < hdr || p + size > end) break;
    if (type === 'moov' && depth === 0) Object.assign(out, await cr3Boxes(read, p + hdr, p + size, depth + 1));
    else if (type === 'uuid' && depth === 1 && h.length >= 24) {
      const uuid = Buffer.from(h.subarray(8, 24)).toString('hex');
      if (uuid === CANON_UUID) Object.assign(out, await cr3Boxes(read, p + 24, p + size, depth + 1));
    } else if (depth === 2 && /^CMT[1-4]$/.test(type) && size < 1 << 20) {
      out[type] = await read(p + hdr, size - hdr);
    }
    p += size;
  }
  return out;
}

/** Metadata of a RAW file: EXIF cards, completed from LibRaw where EXIF says nothing. */
export async function describeRaw(path: string, subformat: string): Promise<RawDescription> {
  const headers = await rawExifCards(path, subformat);
  let info: RawInfo | null = null;
  try {
    info = await rawInfo(path);
  } catch {
    // LibRaw cannot read it: EXIF alone
  }
  const has = (k: string) => headers.some((c) => c.key === k);
  if (info) {
    const add = (key: string, value: HeaderCard['value']) => {
      if (value !== null && !has(key)) headers.push({ key, value });
    };
    add('Model', info.camera);
    add('ISO', info.iso);
    add('ExposureTime', info.exposureSeconds);
    add('FNumber', info.aperture);
    add('FocalLength', info.focalLengthMm);
    if (!has('DateTimeOriginal') && !has('CreateDate')) add('DateTimeOriginal', info.timestamp);
    // the card keeps dcraw's name (LibRaw is dcraw's successor; stored records and acquisition.ts read it)
    if (info.bayerPattern) add('dcraw:FilterPattern', info.bayerPattern);
  }
  const exifW = headers.find((c) => c.key === 'ExifImageWidth')?.value;
  const exifH = headers.find((c) => c.key === 'ExifImageHeight')?.value;
  return {
    width: info?.width ?? (typeof exifW === 'number' ? exifW : null),
    height: info?.height ?? (typeof exifH === 'number' ? exifH : null),
    // decoded to 16-bit linear samples; the sensor's own depth (12/14 bit) is not in EXIF
    bitDepth: 16,
    channels: info?.rawColors === 3 && info.bayerPattern === null ? 3 : 1,
    headers,
  };
}

/**
 * Decodes a RAW file with LibRaw: the undebayered mosaic of the visible area
 * as stored (sensor values / 65535, black level included, no white balance),
 * binned when over `maxPixels` (the Bayer pattern is then dropped by
 * super-pixel debayering). Falls back to the embedded JPEG preview
 * (non-linear). Peak memory: the file and LibRaw's 16-bit mosaic in the
 * WebAssembly heap, plus the output planes.
 */
export async function readRawPixels(path: string, options: { maxPixels?: number } = {}): Promise<PixelImage> {
  const bytes = await readFile(path);
  let failure: unknown = null;
  let preview: Uint8Array | null = null;
  try {
    return await withLibRaw(bytes, (raw) => {
      const info = rawInfoFromLibRaw(raw.metadata(true));
      try {
        const mosaic = raw.rawImageData();
        checkComplete(mosaic, bytes.length);
        return mosaicPixels(mosaic, info, options);
      } catch (err) {
        failure = err instanceof AgentError ? err : new AgentError(`LibRaw cannot decode the raw image${libRawDetail()}`, { cause: err });
        preview = embeddedJpeg(raw);
        throw failure;
      }
    });
  } catch (err) {
    failure ??= err;
  }
  if (preview) {
    try {
      const img = await readRasterPixels(preview, options);
      return { ...img, linear: false };
    } catch {
      // no usable preview either
    }
  }
  throw new AgentError(`cannot decode RAW pixels: ${(failure as Error).message}`, { cause: failure });
}

/**
 * Refuses a raw image LibRaw could not fill: it reported a data error (short
 * read, corrupt data), or the file holds less than half a bit per pixel (no
 * lossless raw codec gets there: the file is a stub or cut short).
 */
function checkComplete(r: RawImageData, fileBytes: number): void {
  const error = libRawMessages.find((m) => /unexpected end of file|corrupt|data error/i.test(m));
  if (error) throw new AgentError(`the raw image is damaged or incomplete: ${error.trim()}`);
  if (fileBytes * 16 < r.width * r.height) {
    throw new AgentError(`the file (${fileBytes} bytes) is too small to hold its ${r.width}×${r.height} raw image: it is cut short or holds metadata only`);
  }
}

/** The embedded JPEG preview, or null. */
function embeddedJpeg(raw: LibRawInstance): Uint8Array | null {
  try {
    const t = raw.thumbnailData();
    const data = t instanceof Uint8Array ? t : t.data;
    return data && data.length > 4 && data[0] === 0xff && data[1] === 0xd8 ? data : null;
  } catch {
    return null;
  }
}

/** The visible area of LibRaw's raw mosaic (inside the masked margins), binned row by row. */
function mosaicPixels(r: RawImageData, info: RawInfo, options: { maxPixels?: number }): PixelImage {
  const { width, height, top_margin: top, left_margin: left, raw_width: pitch } = r;
  if (!width || !height || top + height > r.raw_height || left + width > pitch || r.data.length < pitch * r.raw_height) {
    throw new AgentError(`LibRaw returned an inconsistent raw image (${width}×${height} in ${pitch}×${r.raw_height})`);
  }
  const bin = binFactor(width, height, 1, options.maxPixels);
  const sink = makeSink(width, height, 1, bin, info.bayerPattern);
  const row = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    const o = (top + y) * pitch + left;
    for (let x = 0; x < width; x++) row[x] = r.data[o + x]! / 65535;
    sink.sink.addRow(0, y, row);
  }
  const out = sink.sink;
  return {
    width: out.outWidth,
    height: out.outHeight,
    channels: out.planes.length,
    planes: out.planes,
    rowOrder: 'top-down',
    bayerPattern: sink.bayerPattern,
    linear: true,
    binned: out.bin,
  };
}
