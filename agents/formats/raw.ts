/**
 * Camera RAW (CR2, CR3, NEF, ARW, DNG, RAF, ORF, RW2, PEF…): metadata from
 * EXIF (exifr, plus our own box walk for CR3 and the embedded JPEG of RAF),
 * completed by `dcraw -i -v` when dcraw is installed; pixels through dcraw as
 * the raw undebayered mosaic (`-D -4 -T`: sensor values, no black subtraction,
 * no white balance), falling back to the embedded JPEG preview (`-e`), else an
 * AgentError.
 */
import { execFile, spawn } from 'node:child_process';
import exifr from 'exifr';
import type { HeaderCard } from '../sdk/facts.ts';
import { AgentError } from '../sdk/index.ts';
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


/** Options of the dcraw-backed functions. */
export interface DcrawOptions {
  /** dcraw executable (default "dcraw" from PATH) */
  dcraw?: string;
}

/** Runs dcraw; resolves stdout, rejects with AgentError (ENOENT → "not installed"). */
function dcraw(bin: string | undefined, args: string[], maxBuffer: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(bin ?? 'dcraw', args, { encoding: 'buffer', maxBuffer, timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(new AgentError('dcraw is not installed: camera RAW pixels cannot be decoded (apt-get install dcraw)', { permanent: false }));
          return;
        }
        const msg = stderr.toString().trim().split('\n')[0] || `exit code ${String((err as { code?: unknown }).code ?? 'unknown')}`;
        reject(new AgentError(`dcraw failed: ${msg}`, { cause: err }));
        return;
      }
      resolve(stdout);
    });
  });
}

export interface DcrawInfo {
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

/** Parses `dcraw -i -v` output. */
export function parseDcrawInfo(text: string): DcrawInfo {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? null;
  const size = /(\d+)\s*x\s*(\d+)/.exec(field('Output size') ?? field('Image size') ?? '');
  const pattern = (field('Filter pattern') ?? '').replace(/[^RGB]/g, '');
  const shutter = field('Shutter');
  let exposureSeconds: number | null = null;
  if (shutter) {
    const m = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)/.exec(shutter);
    exposureSeconds = m ? Number(m[1]) / Number(m[2]) : parseFloat(shutter);
    if (!Number.isFinite(exposureSeconds)) exposureSeconds = null;
  }
  const num = (s: string | null) => {
    const v = s === null ? NaN : parseFloat(s.replace(/^f\//, ''));
    return Number.isFinite(v) ? v : null;
  };
  return {
    camera: field('Camera'),
    width: size ? Number(size[1]) : null,
    height: size ? Number(size[2]) : null,
    rawColors: num(field('Raw colors')),
    bayerPattern: /^(RGGB|BGGR|GRBG|GBRG)$/.test(pattern) ? pattern : null,
    iso: num(field('ISO speed')),
    exposureSeconds,
    aperture: num(field('Aperture')),
    focalLengthMm: num(field('Focal length')),
    timestamp: dcrawTime(field('Timestamp')),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Wed Feb 21 12:08:56 2018" → "2018:02:21 12:08:56" */
function dcrawTime(s: string | null): string | null {
  const m = s ? /^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}:\d{2}:\d{2})\s+(\d{4})$/.exec(s) : null;
  if (!m) return null;
  const mo = MONTHS.indexOf(m[1]!) + 1;
  if (mo === 0) return null;
  return `${m[4]}:${String(mo).padStart(2, '0')}:${m[2]!.padStart(2, '0')} ${m[3]}`;
}

export async function dcrawInfo(path: string, options: DcrawOptions = {}): Promise<DcrawInfo> {
  const out = await dcraw(options.dcraw, ['-i', '-v', path], 1 << 20, 20_000);
  return parseDcrawInfo(out.toString('latin1'));
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

/** Metadata of a RAW file: EXIF cards, completed from `dcraw -i -v` where EXIF says nothing. */
export async function describeRaw(path: string, subformat: string, options: DcrawOptions = {}): Promise<RawDescription> {
  const headers = await rawExifCards(path, subformat);
  let info: DcrawInfo | null = null;
  try {
    info = await dcrawInfo(path, options);
  } catch {
    // dcraw missing or unable to parse: EXIF alone
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
    if (info.bayerPattern) add('dcraw:FilterPattern', info.bayerPattern);
  }
  const exifW = headers.find((c) => c.key === 'ExifImageWidth')?.value;
  const exifH = headers.find((c) => c.key === 'ExifImageHeight')?.value;
  return {
    width: info?.width ?? (typeof exifW === 'number' ? exifW : null),
    height: info?.height ?? (typeof exifH === 'number' ? exifH : null),
    // dcraw decodes to 16-bit linear; the sensor's own depth (12/14 bit) is not in EXIF
    bitDepth: 16,
    channels: info?.rawColors === 3 && info.bayerPattern === null ? 3 : 1,
    headers,
  };
}

/**
 * Decodes a RAW file with dcraw: the undebayered mosaic as stored (`-D -4 -T`:
 * sensor values / 65535, black level included, no white balance), binned by
 * libvips when over `maxPixels` (the Bayer pattern is then dropped). Falls back
 * to the embedded JPEG preview (`-e`, non-linear). Peak memory: dcraw's 16-bit
 * TIFF on stdout (2 bytes/pixel) plus the output planes.
 */
export async function readRawPixels(path: string, options: { maxPixels?: number } & DcrawOptions = {}): Promise<PixelImage> {
  let info: DcrawInfo | null = null;
  let failure: unknown = null;
  try {
    info = await dcrawInfo(path, options);
    if (!info.width || !info.height) throw new AgentError('dcraw found no raw image');
  } catch (e) {
    if (e instanceof AgentError && !e.permanent) throw e; // dcraw not installed
    failure = e;
  }
  if (info && !failure) {
    try {
      return await decodeMosaic(path, info, options);
    } catch (e) {
      failure = e;
    }
  }
  try {
    const jpeg = await dcraw(options.dcraw, ['-c', '-e', path], 64 << 20, 60_000);
    if (jpeg.length < 4) throw new AgentError('no embedded preview');
    const img = await readRasterPixels(jpeg, options);
    return { ...img, linear: false };
  } catch {
    throw new AgentError(`cannot decode RAW pixels: ${(failure as Error).message}`, { cause: failure });
  }
}

/**
 * Streams `dcraw -c -D -4 -T` and bins rows as they arrive: dcraw writes a
 * small TIFF header, then uncompressed 16-bit rows in the byte order the
 * header declares. Memory stays at the output planes plus one pipe chunk.
 */
async function decodeMosaic(path: string, info: DcrawInfo, options: { maxPixels?: number } & DcrawOptions): Promise<PixelImage> {
  const child = spawn(options.dcraw ?? 'dcraw', ['-c', '-D', '-4', '-T', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  try {
    let buf: Buffer = Buffer.alloc(0);
    let layout: TiffLayout | null = null;
    let sink: ReturnType<typeof makeSink> | null = null;
    let y = 0;
    let consumed = 0; // bytes of the stream before buf[0]
    let row: Float32Array | null = null;
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (!layout) {
        layout = tiffLayout(buf);
        if (!layout) {
          if (buf.length > 1 << 20) throw new AgentError('dcraw output is not a TIFF');
          continue;
        }
        if (layout.bps !== 16 || layout.spp !== 1) throw new AgentError(`unexpected dcraw output (${layout.spp}×${layout.bps} bit)`);
        const bin = binFactor(layout.width, layout.height, 1, options.maxPixels);
        sink = makeSink(layout.width, layout.height, 1, bin, info.bayerPattern);
        row = new Float32Array(layout.width);
      }
      const rowBytes = layout.width * 2;
      let off = Math.max(0, layout.dataOffset - consumed);
      while (off + rowBytes <= buf.length && y < layout.height) {
        for (let x = 0; x < layout.width; x++) {
          row![x] = (layout.le ? buf.readUInt16LE(off + x * 2) : buf.readUInt16BE(off + x * 2)) / 65535;
        }
        sink!.sink.addRow(0, y++, row!);
        off += rowBytes;
      }
      consumed += off;
      buf = buf.subarray(off);
    }
    const code = await exited;
    if (code !== 0) throw new AgentError(`dcraw failed: ${stderr.trim().split('\n')[0] || `exit code ${code}`}`);
    if (!layout || !sink) throw new AgentError('dcraw produced no image');
    if (y < layout.height) throw new AgentError(`dcraw output ended after ${y} of ${layout.height} rows`);
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
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

interface TiffLayout {
  le: boolean;
  width: number;
  height: number;
  bps: number;
  spp: number;
  dataOffset: number;
}

/** Reads IFD0 of a TIFF in `b`; null while more bytes are needed. */
function tiffLayout(b: Buffer): TiffLayout | null {
  if (b.length < 8) return null;
  const order = b.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') throw new AgentError('dcraw output is not a TIFF');
  const le = order === 'II';
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const ifd = u32(4);
  if (b.length < ifd + 2) return null;
  const n = u16(ifd);
  if (b.length < ifd + 2 + n * 12) return null;
  const t: Record<number, number> = {};
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    const type = u16(e + 2);
    const count = u32(e + 4);
    // only single SHORT/LONG values are needed (dcraw writes one strip)
    if (count === 1) t[u16(e)] = type === 3 ? u16(e + 8) : u32(e + 8);
  }
  if (!t[256] || !t[257] || t[273] === undefined) throw new AgentError('dcraw TIFF lacks geometry');
  return { le, width: t[256]!, height: t[257]!, bps: t[258] ?? 16, spp: t[277] ?? 1, dataOffset: t[273]! };
}
