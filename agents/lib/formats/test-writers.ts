/**
 * Test-only writers: minimal FITS (plain, gzip, tile-compressed with RICE_1 /
 * GZIP_1 / GZIP_2) and XISF (attachment/inline/embedded, every codec ± shuffle)
 * files, so the readers can be checked on exact, known data. Not used by the
 * readers themselves.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// lz4js is an independent LZ4 implementation: its encoder checks our decoder
// @ts-expect-error lz4js ships no type declarations
import * as lz4 from 'lz4js';
import { shuffle } from './shuffle.ts';

export type CardValue = string | number | boolean | null;
export type CardSpec = [key: string, value?: CardValue, comment?: string] | string;

/** A temporary folder removed by `cleanup()`. */
export function tempDir(): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sidereal-formats-'));
  return { dir, path: (n) => join(dir, n), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function pad80(s: string): string {
  return s.length >= 80 ? s.slice(0, 80) : s + ' '.repeat(80 - s.length);
}

function formatValue(v: CardValue): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return (v ? 'T' : 'F').padStart(20);
  if (typeof v === 'number') {
    const t = Number.isInteger(v) ? String(v) : v.toExponential(12).toUpperCase();
    return t.padStart(20);
  }
  const q = `'${v.replace(/'/g, "''").padEnd(8)}'`;
  return q.padEnd(20);
}

/** Renders header cards; long strings use CONTINUE, "HIERARCH A B" keys the ESO convention, raw 80-char strings pass through. */
export function headerCards(cards: CardSpec[]): string[] {
  const out: string[] = [];
  for (const c of cards) {
    if (typeof c === 'string') {
      out.push(pad80(c));
      continue;
    }
    const [key, value = null, comment] = c;
    if (key === 'COMMENT' || key === 'HISTORY') {
      out.push(pad80(`${key.padEnd(8)}${String(value ?? '')}`));
      continue;
    }
    if (key.startsWith('HIERARCH ')) {
      out.push(pad80(`${key} = ${formatValue(value).trim()}${comment ? ` / ${comment}` : ''}`));
      continue;
    }
    if (typeof value === 'string' && value.replace(/'/g, "''").length > 68) {
      // long string: 67 chars + '&' per card, then CONTINUE cards
      const esc = value;
      let rest = esc;
      let first = true;
      while (rest.length > 0) {
        let take = rest.length > 60 ? 60 : rest.length;
        const chunk = rest.slice(0, take);
        rest = rest.slice(take);
        const text = `'${chunk.replace(/'/g, "''")}${rest.length ? '&' : ''}'`;
        out.push(pad80(first ? `${key.padEnd(8)}= ${text}` : `CONTINUE  ${text}`));
        first = false;
        take = 0;
      }
      continue;
    }
    out.push(pad80(`${key.padEnd(8)}= ${formatValue(value)}${comment ? ` / ${comment}` : ''}`));
  }
  return out;
}

/** Header blocks from exactly these cards (+ END), for hand-made broken headers. */
export function rawHeader(cards: CardSpec[]): Uint8Array {
  return block(headerCards(cards));
}

function block(cards: string[]): Uint8Array {
  const all = [...cards, pad80('END')];
  const n = Math.ceil((all.length * 80) / 2880) * 2880;
  const buf = new Uint8Array(n).fill(0x20);
  all.forEach((c, i) => {
    for (let k = 0; k < 80; k++) buf[i * 80 + k] = c.charCodeAt(k);
  });
  return buf;
}

function padData(d: Uint8Array): Uint8Array {
  const n = Math.ceil(d.length / 2880) * 2880;
  if (n === d.length) return d;
  const out = new Uint8Array(n);
  out.set(d);
  return out;
}

/** Big-endian encoding of stored (raw) sample values for a BITPIX. */
export function encodeBE(bitpix: number, values: ArrayLike<number>): Uint8Array {
  const size = Math.abs(bitpix) / 8;
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    switch (bitpix) {
      case 8: dv.setUint8(i, v); break;
      case 16: dv.setInt16(i * 2, v); break;
      case 32: dv.setInt32(i * 4, v); break;
      case 64: dv.setBigInt64(i * 8, BigInt(v)); break;
      case -32: dv.setFloat32(i * 4, v); break;
      case -64: dv.setFloat64(i * 8, v); break;
    }
  }
  return out;
}

export interface FitsSpec {
  bitpix: number;
  /** NAXIS1, NAXIS2, … */
  axes: number[];
  /** stored values (before BZERO/BSCALE), axis 1 fastest */
  data?: ArrayLike<number>;
  /** raw data bytes instead of `data` (for broken files) */
  rawData?: Uint8Array;
  cards?: CardSpec[];
  /** skip data padding to 2880 */
  noPadding?: boolean;
}

/** One HDU (primary when `xtension` is undefined). */
export function fitsHdu(spec: FitsSpec, xtension?: string): Uint8Array {
  const base: CardSpec[] = xtension
    ? [['XTENSION', xtension], ['BITPIX', spec.bitpix], ['NAXIS', spec.axes.length]]
    : [['SIMPLE', true], ['BITPIX', spec.bitpix], ['NAXIS', spec.axes.length]];
  spec.axes.forEach((n, i) => base.push([`NAXIS${i + 1}`, n]));
  if (xtension) base.push(['PCOUNT', 0], ['GCOUNT', 1]);
  const head = block(headerCards([...base, ...(spec.cards ?? [])]));
  const data = spec.rawData ?? (spec.data ? encodeBE(spec.bitpix, spec.data) : new Uint8Array(0));
  return concat([head, spec.noPadding ? data : padData(data)]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function writeFits(path: string, ...hdus: Uint8Array[]): void {
  writeFileSync(path, concat(hdus));
}

export function writeFitsGz(path: string, ...hdus: Uint8Array[]): void {
  writeFileSync(path, gzipSync(concat(hdus)));
}

/** A BINTABLE HDU with the given rows/heap, for "skipped by size" tests. */
export function binTableHdu(rows: number, rowBytes: number): Uint8Array {
  const head = block(
    headerCards([
      ['XTENSION', 'BINTABLE'], ['BITPIX', 8], ['NAXIS', 2], ['NAXIS1', rowBytes], ['NAXIS2', rows],
      ['PCOUNT', 0], ['GCOUNT', 1], ['TFIELDS', 1], ['TFORM1', `${rowBytes}B`], ['TTYPE1', 'BYTES'],
    ]),
  );
  return concat([head, padData(new Uint8Array(rows * rowBytes).fill(7))]);
}

// ---------------------------------------------------------------- RICE_1 encoder

/** Rice encoder after cfitsio's fits_rcomp (bytepix 1, 2, 4), independent of the decoder's code. */
export function riceEncode(values: ArrayLike<number>, bytepix: number, blockSize = 32): Uint8Array {
  const fsbits = bytepix === 1 ? 3 : bytepix === 2 ? 4 : 5;
  const fsmax = bytepix === 1 ? 6 : bytepix === 2 ? 14 : 25;
  const bbits = 8 * bytepix;
  const bits: number[] = [];
  const put = (v: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) bits.push(Math.floor(v / 2 ** i) % 2);
  };
  // pixel values wrap to the stored width; differences wrap to its signed range (cfitsio's pdiff type)
  const wrap = (v: number) => (bytepix === 1 ? ((v % 256) + 256) % 256 : bytepix === 2 ? (v << 16) >> 16 : v | 0);
  const sdiff = (d: number) => (bytepix === 1 ? (d << 24) >> 24 : bytepix === 2 ? (d << 16) >> 16 : d | 0);
  let last = wrap(values[0] ?? 0);
  put(((last % 2 ** bbits) + 2 ** bbits) % 2 ** bbits, bbits);
  for (let i = 0; i < values.length; i += blockSize) {
    const n = Math.min(blockSize, values.length - i);
    const diffs: number[] = [];
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const next = wrap(values[i + j]!);
      const d = sdiff(next - last);
      const z = d < 0 ? -2 * d - 1 : 2 * d;
      diffs.push(z);
      sum += z;
      last = next;
    }
    let dpsum = (sum - n / 2 - 1) / n;
    if (dpsum < 0) dpsum = 0;
    let psum = Math.floor(dpsum) / 2;
    let fs = 0;
    while (psum >= 1) {
      psum /= 2;
      fs++;
    }
    if (fs >= fsmax) {
      put(fsmax + 1, fsbits);
      for (const z of diffs) put(z, bbits);
    } else if (fs === 0 && sum === 0) {
      put(0, fsbits);
    } else {
      put(fs + 1, fsbits);
      for (const z of diffs) {
        const top = Math.floor(z / 2 ** fs);
        for (let k = 0; k < top; k++) bits.push(0);
        bits.push(1);
        if (fs > 0) put(z % 2 ** fs, fs);
      }
    }
  }
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

export interface TileSpec {
  /** ZBITPIX of the image */
  bitpix: number;
  width: number;
  height: number;
  depth?: number;
  /** stored integer values (ints) or floats (for quantized float images) */
  data: ArrayLike<number>;
  compression: 'RICE_1' | 'GZIP_1' | 'GZIP_2' | 'HCOMPRESS_1';
  tileHeight?: number;
  /** quantization for float images: scale per tile (constant here) and dithering */
  quantize?: { scale: number; method: 'NO_DITHER' | 'SUBTRACTIVE_DITHER_1'; seed: number };
  cards?: CardSpec[];
}

let randoms: Float32Array | null = null;
function ditherTable(): Float32Array {
  if (randoms) return randoms;
  randoms = new Float32Array(10000);
  let seed = 1;
  for (let i = 0; i < 10000; i++) {
    const t = 16807 * seed;
    seed = t - 2147483647 * Math.trunc(t / 2147483647);
    randoms[i] = seed / 2147483647;
  }
  return randoms;
}

/** A tile-compressed image extension (ZIMAGE = T) after the FITS tiled image convention. */
export function tileCompressedHdu(spec: TileSpec): Uint8Array {
  const depth = spec.depth ?? 1;
  const th = spec.tileHeight ?? 1;
  const w = spec.width;
  const nty = Math.ceil(spec.height / th);
  const isFloat = spec.bitpix < 0;
  const bytepix = isFloat ? 4 : Math.min(4, Math.abs(spec.bitpix) / 8);
  const tiles: Uint8Array[] = [];
  const zeros: number[] = [];
  for (let z = 0; z < depth; z++) {
    for (let ty = 0; ty < nty; ty++) {
      const rows = Math.min(th, spec.height - ty * th);
      const vals: number[] = [];
      const row0 = z * spec.height + ty * th;
      for (let i = 0; i < rows * w; i++) vals.push(spec.data[row0 * w + i]!);
      let ints = vals;
      if (isFloat) {
        const q = spec.quantize!;
        const zero = Math.min(...vals);
        zeros.push(zero);
        const rnd = ditherTable();
        const tile = tiles.length + 1;
        let iseed = (tile + q.seed - 2) % 10000;
        let next = Math.trunc(rnd[iseed]! * 500);
        ints = vals.map((v) => {
          const r = q.method === 'SUBTRACTIVE_DITHER_1' ? rnd[next]! : 0.5;
          const out = Math.round((v - zero) / q.scale + r - 0.5);
          if (++next === 10000) {
            if (++iseed === 10000) iseed = 0;
            next = Math.trunc(rnd[iseed]! * 500);
          }
          return out;
        });
      }
      let bytes: Uint8Array;
      if (spec.compression === 'RICE_1') bytes = riceEncode(ints, bytepix);
      else if (spec.compression === 'HCOMPRESS_1') bytes = new Uint8Array(8);
      else {
        const be = encodeBE(isFloat ? 32 : spec.bitpix, ints);
        bytes = gzipSync(spec.compression === 'GZIP_2' ? shuffle(be, isFloat ? 4 : Math.abs(spec.bitpix) / 8) : be);
      }
      tiles.push(bytes);
    }
  }
  const rowBytes = isFloat ? 8 + 8 + 8 : 8;
  const nrows = tiles.length;
  const table = new Uint8Array(nrows * rowBytes);
  const dv = new DataView(table.buffer);
  let heapOff = 0;
  tiles.forEach((t, i) => {
    dv.setInt32(i * rowBytes, t.length);
    dv.setInt32(i * rowBytes + 4, heapOff);
    if (isFloat) {
      dv.setFloat64(i * rowBytes + 8, spec.quantize!.scale);
      dv.setFloat64(i * rowBytes + 16, zeros[i]!);
    }
    heapOff += t.length;
  });
  const heap = concat(tiles);
  const maxLen = Math.max(...tiles.map((t) => t.length));
  const cards: CardSpec[] = [
    ['XTENSION', 'BINTABLE'], ['BITPIX', 8], ['NAXIS', 2], ['NAXIS1', rowBytes], ['NAXIS2', nrows],
    ['PCOUNT', heap.length], ['GCOUNT', 1], ['TFIELDS', isFloat ? 3 : 1],
    ['TTYPE1', 'COMPRESSED_DATA'], ['TFORM1', `1PB(${maxLen})`],
  ];
  if (isFloat) cards.push(['TTYPE2', 'ZSCALE'], ['TFORM2', '1D'], ['TTYPE3', 'ZZERO'], ['TFORM3', '1D']);
  cards.push(['ZIMAGE', true], ['ZBITPIX', spec.bitpix], ['ZNAXIS', depth > 1 ? 3 : 2], ['ZNAXIS1', w], ['ZNAXIS2', spec.height]);
  if (depth > 1) cards.push(['ZNAXIS3', depth]);
  cards.push(['ZTILE1', w], ['ZTILE2', th]);
  if (depth > 1) cards.push(['ZTILE3', 1]);
  cards.push(['ZCMPTYPE', spec.compression]);
  if (spec.compression === 'RICE_1') cards.push(['ZNAME1', 'BLOCKSIZE'], ['ZVAL1', 32], ['ZNAME2', 'BYTEPIX'], ['ZVAL2', bytepix]);
  if (isFloat) cards.push(['ZQUANTIZ', spec.quantize!.method], ['ZDITHER0', spec.quantize!.seed]);
  cards.push(...(spec.cards ?? []));
  return concat([block(headerCards(cards)), padData(concat([table, heap]))]);
}

// ---------------------------------------------------------------- XISF writer

export type XisfCodec = 'zlib' | 'lz4' | 'lz4hc' | 'zstd';

export interface XisfSpec {
  width: number;
  height: number;
  channels: number;
  sampleFormat: 'UInt8' | 'UInt16' | 'UInt32' | 'Float32' | 'Float64';
  /** samples in the storage order given by `pixelStorage` */
  samples: ArrayLike<number>;
  pixelStorage?: 'Planar' | 'Normal';
  location?: 'attachment' | 'inline' | 'embedded';
  encoding?: 'base64' | 'hex';
  codec?: XisfCodec;
  shuffle?: boolean;
  /** zstd compressor (the tests pass one when a zstd tool is available, else the raw-block encoder is used) */
  zstd?: (data: Uint8Array) => Uint8Array;
  keywords?: [name: string, value: string, comment?: string][];
  /** extra XML inside <Image> (Property elements…) */
  imageXml?: string;
  /** extra XML inside <Metadata> */
  metadataXml?: string;
  imageAttrs?: Record<string, string>;
  /** override the header length field (broken files) */
  headerLength?: number;
}

const SAMPLE_SIZE = { UInt8: 1, UInt16: 2, UInt32: 4, Float32: 4, Float64: 8 } as const;

export function encodeLE(format: XisfSpec['sampleFormat'], values: ArrayLike<number>): Uint8Array {
  const size = SAMPLE_SIZE[format];
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (format === 'UInt8') dv.setUint8(i, v);
    else if (format === 'UInt16') dv.setUint16(i * 2, v, true);
    else if (format === 'UInt32') dv.setUint32(i * 4, v, true);
    else if (format === 'Float32') dv.setFloat32(i * 4, v, true);
    else dv.setFloat64(i * 8, v, true);
  }
  return out;
}

/** zstd frame made of raw blocks: valid zstd that any decoder must accept (no entropy coding). */
export function zstdRawFrame(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const head = new Uint8Array(4 + 1 + 8);
  const dv = new DataView(head.buffer);
  dv.setUint32(0, 0xfd2fb528, true);
  head[4] = 0b11100000; // FCS 8 bytes, single segment
  dv.setBigUint64(5, BigInt(data.length), true);
  parts.push(head);
  const MAX = 128 * 1024;
  for (let o = 0; o < data.length || o === 0; o += MAX) {
    const n = Math.min(MAX, data.length - o);
    const last = o + MAX >= data.length ? 1 : 0;
    const bh = (n << 3) | (0 << 1) | last; // Raw_Block
    parts.push(new Uint8Array([bh & 0xff, (bh >> 8) & 0xff, (bh >> 16) & 0xff]), data.subarray(o, o + n));
    if (data.length === 0) break;
  }
  return concat(parts);
}

function compress(codec: XisfCodec, data: Uint8Array, spec: XisfSpec): Uint8Array {
  if (codec === 'zlib') return deflateSync(data);
  if (codec === 'zstd') return (spec.zstd ?? zstdRawFrame)(data);
  const dst = new Uint8Array(lz4.compressBound(data.length));
  const n = lz4.compressBlock(data, dst, 0, data.length, new Uint32Array(65536)) as number;
  if (n === 0) throw new Error('lz4js could not compress the test block; use more repetitive data');
  return dst.subarray(0, n);
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text escaped for an XISF (XML) attribute or element. */
export const xisfEscape = xmlEscape;

/**
 * A PixInsight processing history (the `PixInsight:ProcessingHistory` property) as an
 * integration leaves it in the integrated image: xpsm process instances, an
 * ImageCalibration (whose master dark is no sub) then an ImageIntegration whose
 * `images` table has one row per sub (enabled, path, drizzlePath, localNormalizationDataPath).
 */
export function pixinsightHistory(paths: { path: string; enabled?: boolean }[], calibrationMaster = '/data/masters/masterDark_300s.xisf'): string {
  const rows = paths
    .map(
      (p) =>
        `<tr><td id="enabled" value="${p.enabled === false ? 'false' : 'true'}"/><td id="path" value="${xmlEscape(p.path)}"/><td id="drizzlePath" value=""/><td id="localNormalizationDataPath" value=""/></tr>`,
    )
    .join('\n');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<xpsm version="1.0" xmlns="http://www.pixinsight.com/xpsm">\n' +
    `<instance class="ImageCalibration" id="ImageCalibration_instance"><table id="targetFrames" rows="1"><tr><td id="enabled" value="true"/><td id="path" value="/data/raw/x.fits"/></tr></table>` +
    `<parameter id="masterDarkPath" value="${xmlEscape(calibrationMaster)}"/></instance>\n` +
    `<instance class="ImageIntegration" id="ImageIntegration_instance"><time start="2024-10-05T10:12:01.000Z" span="42.1"/>` +
    `<parameter id="combination" value="Average"/><table id="images" rows="${paths.length}">\n${rows}\n</table></instance>\n</xpsm>`
  );
}

/**
 * A 4×4 PixInsight master light (XISF): these keywords, the integration history
 * naming `subs`, and the capture window as `Observation:Time:Start/End`.
 */
export function pixinsightMasterXisf(o: { subs: { path: string; enabled?: boolean }[]; start: string; end: string; keywords: XisfSpec['keywords'] }): Uint8Array {
  return xisfFile({
    width: 4,
    height: 4,
    channels: 1,
    sampleFormat: 'Float32',
    samples: new Float32Array(16),
    keywords: o.keywords,
    imageXml:
      `<Property id="PixInsight:ProcessingHistory" type="String">${xmlEscape(pixinsightHistory(o.subs))}</Property>` +
      `<Property id="Observation:Time:Start" type="TimePoint" value="${o.start}"/>` +
      `<Property id="Observation:Time:End" type="TimePoint" value="${o.end}"/>`,
  });
}

/** Writes a monolithic XISF 1.0 file. */
export function xisfFile(spec: XisfSpec): Uint8Array {
  const size = SAMPLE_SIZE[spec.sampleFormat];
  let block = encodeLE(spec.sampleFormat, spec.samples);
  const rawLength = block.length;
  let compression = '';
  if (spec.codec) {
    const src = spec.shuffle ? shuffle(block, size) : block;
    block = compress(spec.codec, src, spec);
    compression = `${spec.codec}${spec.shuffle ? '+sh' : ''}:${rawLength}${spec.shuffle ? `:${size}` : ''}`;
  }
  const location = spec.location ?? 'attachment';
  const attrs: Record<string, string> = {
    geometry: `${spec.width}:${spec.height}:${spec.channels}`,
    sampleFormat: spec.sampleFormat,
    colorSpace: spec.channels === 3 ? 'RGB' : 'Gray',
    pixelStorage: spec.pixelStorage ?? 'Planar',
    ...(spec.sampleFormat.startsWith('Float') ? { bounds: '0:1' } : {}),
  };
  const enc = spec.encoding ?? 'base64';
  const text = Buffer.from(block).toString(enc);
  const keywords = (spec.keywords ?? [])
    .map(([n, v, c]) => `<FITSKeyword name="${n}" value="${xmlEscape(v)}" comment="${xmlEscape(c ?? '')}"/>`)
    .join('');
  const build = (attachAt: number): string => {
    const a = { ...attrs };
    let inner = '';
    if (location === 'attachment') a.location = `attachment:${attachAt}:${block.length}`;
    else if (location === 'inline') a.location = `inline:${enc}`;
    else {
      a.location = 'embedded';
      inner = `<Data encoding="${enc}"${compression ? ` compression="${compression}"` : ''}>${text}</Data>`;
    }
    if (compression && location !== 'embedded') a.compression = compression;
    Object.assign(a, spec.imageAttrs ?? {});
    const attrText = Object.entries(a).map(([k, v]) => `${k}="${xmlEscape(v)}"`).join(' ');
    const body = location === 'inline' ? text : '';
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- test file -->\n' +
      '<xisf version="1.0" xmlns="http://www.pixinsight.com/xisf" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      `<Image ${attrText}>${body}${inner}${keywords}${spec.imageXml ?? ''}</Image>` +
      `<Metadata><Property id="XISF:CreatorApplication" type="String">Sidereal test writer</Property>${spec.metadataXml ?? ''}</Metadata></xisf>`
    );
  };
  // attachment position depends on the header length: iterate until stable, aligned to 16 bytes
  let at = 0;
  let xml = build(at);
  for (let i = 0; i < 5; i++) {
    const next = Math.ceil((16 + Buffer.byteLength(xml)) / 16) * 16;
    if (next === at) break;
    at = next;
    xml = build(at);
  }
  const header = Buffer.from(xml, 'utf8');
  const start = new Uint8Array(16);
  start.set(Buffer.from('XISF0100', 'latin1'));
  new DataView(start.buffer).setUint32(8, spec.headerLength ?? header.length, true);
  if (location !== 'attachment') return concat([start, header]);
  const gap = new Uint8Array(at - 16 - header.length);
  return concat([start, header, gap, block]);
}

// ---------------------------------------------------------------- DNG writer

/**
 * A minimal uncompressed CFA DNG (little-endian TIFF, one strip of 16-bit
 * samples, black 0 / white 65535) that LibRaw (and dcraw) decode, so RAW pixel decoding
 * can be checked on known values.
 */
export function cfaDng(w: number, h: number, samples: Uint16Array, pattern: [number, number, number, number] = [0, 1, 1, 2]): Uint8Array {
  type Entry = [tag: number, type: number, count: number, value: number | number[] | string];
  const make = 'Sidereal\0';
  const model = 'Test CFA\0';
  const entries: Entry[] = [
    [254, 4, 1, 0], // NewSubFileType: main image
    [256, 4, 1, w],
    [257, 4, 1, h],
    [258, 3, 1, 16],
    [259, 3, 1, 1],
    [262, 3, 1, 32803], // CFA
    [271, 2, make.length, make],
    [272, 2, model.length, model],
    [273, 4, 1, -1], // StripOffsets, patched below
    [277, 3, 1, 1],
    [278, 4, 1, h],
    [279, 4, 1, samples.byteLength],
    [284, 3, 1, 1],
    [33421, 3, 2, [2, 2]], // CFARepeatPatternDim
    [33422, 1, 4, pattern], // CFAPattern (0 R, 1 G, 2 B)
    [50706, 1, 4, [1, 4, 0, 0]], // DNGVersion
    [50708, 2, model.length, model], // UniqueCameraModel
    [50714, 4, 1, 0], // BlackLevel
    [50717, 4, 1, 65535], // WhiteLevel
    [50721, 10, 9, [1, 0, 0, 0, 1, 0, 0, 0, 1]], // ColorMatrix1 (identity)
    [50778, 3, 1, 21], // CalibrationIlluminant1 D65
  ];
  const ifd = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  let extra = ifd + ifdSize;
  const blobs: [number, Uint8Array][] = [];
  const size = { 1: 1, 2: 1, 3: 2, 4: 4, 10: 8 } as Record<number, number>;
  const encoded = entries.map(([tag, type, count, value]) => {
    const n = size[type]! * count;
    const b = Buffer.alloc(n);
    if (typeof value === 'string') b.write(value, 'latin1');
    else {
      const vals = Array.isArray(value) ? value : [value];
      vals.forEach((v, i) => {
        if (type === 1) b.writeUInt8(v, i);
        else if (type === 3) b.writeUInt16LE(v, i * 2);
        else if (type === 4) b.writeUInt32LE(v >>> 0, i * 4);
        else if (type === 10) {
          b.writeInt32LE(v * 10000, i * 8);
          b.writeInt32LE(10000, i * 8 + 4);
        }
      });
    }
    return { tag, type, count, b };
  });
  for (const e of encoded) {
    if (e.b.length > 4) {
      blobs.push([extra, e.b]);
      extra += e.b.length + (e.b.length % 2);
    }
  }
  const dataOff = Math.ceil(extra / 2) * 2;
  const out = Buffer.alloc(dataOff + samples.byteLength);
  out.write('II*\0', 0, 'latin1');
  out.writeUInt32LE(ifd, 4);
  out.writeUInt16LE(encoded.length, ifd);
  let bi = 0;
  encoded.forEach((e, i) => {
    const at = ifd + 2 + i * 12;
    out.writeUInt16LE(e.tag, at);
    out.writeUInt16LE(e.type, at + 2);
    out.writeUInt32LE(e.count, at + 4);
    if (e.tag === 273) out.writeUInt32LE(dataOff, at + 8);
    else if (e.b.length > 4) out.writeUInt32LE(blobs[bi++]![0], at + 8);
    else Buffer.from(e.b).copy(out, at + 8);
  });
  for (const [off, b] of blobs) Buffer.from(b).copy(out, off);
  Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).copy(out, dataOff);
  return out;
}
