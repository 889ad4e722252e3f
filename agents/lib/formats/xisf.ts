/**
 * XISF 1.0 monolithic files (PixInsight): 16-byte signature block, XML
 * header, data blocks as attachments, inline or embedded text. Reads image
 * geometry, FITSKeyword and Property elements (header-only, fast) and decodes
 * pixels (UInt8/16/32, Float32/64; planar or normal storage; zlib/lz4/lz4hc/
 * zstd ± byte shuffling).
 */
import type { HeaderCard } from '../../sdk/facts.ts';
import { AgentError } from '../../sdk/index.ts';
import { openRandomAccess, type RandomAccessFile } from './byte-source.ts';
import { parseValueField } from './fits-header.ts';
import { binFactor, makeRowDecoder, SAMPLE_BYTES, type RowSink, type SampleType } from './samples.ts';
import { makeSink } from './cfa.ts';
import { decompressBlock, parseCompression, parseSubblocks } from './xisf-codecs.ts';
import { checkDecodedBytes, checkImagePixels, DEFAULT_LIMITS, type DecodeLimits } from './limits.ts';
import { parseXml, type XmlElement } from './xml.ts';
import type { PixelImage } from './types.ts';

/** Largest XML header accepted; real headers are KBs, with thumbnails a few MB. */
const MAX_HEADER_BYTES = 64 << 20;
/** Largest decoded data of one vector/matrix property read from the header; bigger ones are kept as null. */
const MAX_PROPERTY_BYTES = 4 << 20;

const SAMPLE_FORMATS: Record<string, { type: SampleType; bitDepth: number }> = {
  uint8: { type: 'u8', bitDepth: 8 },
  uint16: { type: 'u16', bitDepth: 16 },
  uint32: { type: 'u32', bitDepth: 32 },
  uint64: { type: 'u64', bitDepth: 64 },
  float32: { type: 'f32', bitDepth: -32 },
  float64: { type: 'f64', bitDepth: -64 },
};

export interface XisfImageInfo {
  width: number;
  height: number;
  channels: number;
  bitDepth: number;
  sampleFormat: string;
  colorSpace: string;
  pixelStorage: 'planar' | 'normal';
  /** XISF imageType attribute ("Light", "MasterDark"…), when given */
  imageType: string | null;
  element: XmlElement;
}

/** A parsed Property: scalars as numbers/strings/booleans, vectors and matrices as number arrays. */
export type XisfPropertyValue = string | number | boolean | null | number[] | number[][];

export interface XisfHeader {
  image: XisfImageInfo | null;
  /** FITSKeyword elements of the image, in order */
  keywords: HeaderCard[];
  /** Property elements (image and global Metadata) by id */
  properties: Map<string, XisfPropertyValue>;
  /** properties in document order as cards (vectors as JSON text) */
  propertyCards: HeaderCard[];
  root: XmlElement;
}

/** Every header card of an XISF file: FITS keywords first, then properties, then image attributes. */
export function xisfCards(x: XisfHeader): HeaderCard[] {
  const cards = [...x.keywords, ...x.propertyCards];
  if (x.image?.imageType) cards.push({ key: 'XISF:ImageType', value: x.image.imageType });
  return cards;
}

/** Reads and parses the XML header (no pixel data is touched). */
export async function readXisfHeader(path: string): Promise<XisfHeader> {
  const raf = await openRandomAccess(path);
  try {
    return await headerFrom(raf);
  } finally {
    await raf.close();
  }
}

async function headerFrom(raf: RandomAccessFile): Promise<XisfHeader> {
  const sig = await raf.readAt(0, 16);
  if (sig.length < 16 || String.fromCharCode(...sig.subarray(0, 8)) !== 'XISF0100') {
    throw new AgentError('not an XISF 1.0 file (no XISF0100 signature)');
  }
  const len = new DataView(sig.buffer, sig.byteOffset, 16).getUint32(8, true);
  if (len === 0 || len > MAX_HEADER_BYTES || 16 + len > raf.size) {
    throw new AgentError(`XISF header length ${len} is invalid for a file of ${raf.size} bytes`);
  }
  const bytes = await raf.readAt(16, len);
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/\0+$/, '');
  } catch (cause) {
    throw new AgentError('XISF header is not valid UTF-8', { cause });
  }
  const root = parseXml(xml);
  if (root.name !== 'xisf') throw new AgentError(`XISF header root is <${root.name}>, expected <xisf>`);
  const imageEl = root.children.find((c) => c.name === 'Image' && c.attrs.geometry);
  const image = imageEl ? imageInfo(imageEl) : null;
  const keywords: HeaderCard[] = [];
  const properties = new Map<string, XisfPropertyValue>();
  const propertyCards: HeaderCard[] = [];
  const collect = (el: XmlElement) => {
    for (const c of el.children) {
      if (c.name === 'FITSKeyword') keywords.push(fitsKeyword(c));
      else if (c.name === 'Property' && c.attrs.id) {
        const v = propertyValue(c);
        properties.set(c.attrs.id, v);
        propertyCards.push({ key: c.attrs.id, value: Array.isArray(v) ? JSON.stringify(v) : v });
      }
    }
  };
  if (imageEl) collect(imageEl);
  for (const m of root.children.filter((c) => c.name === 'Metadata')) collect(m);
  return { image, keywords, properties, propertyCards, root };
}

function imageInfo(el: XmlElement): XisfImageInfo {
  const dims = (el.attrs.geometry ?? '').split(':').map((s) => Number(s.trim()));
  if (dims.length < 2 || dims.some((d) => !Number.isSafeInteger(d) || d <= 0)) {
    throw new AgentError(`XISF image has invalid geometry '${el.attrs.geometry}'`);
  }
  if (dims.length > 3) throw new AgentError(`XISF image with ${dims.length - 1} dimensions is not supported`);
  const fmt = SAMPLE_FORMATS[(el.attrs.sampleFormat ?? '').toLowerCase()];
  if (!fmt) throw new AgentError(`unsupported XISF sampleFormat '${el.attrs.sampleFormat ?? ''}'`);
  const storage = (el.attrs.pixelStorage ?? 'Planar').toLowerCase();
  if (storage !== 'planar' && storage !== 'normal') throw new AgentError(`unsupported XISF pixelStorage '${el.attrs.pixelStorage}'`);
  return {
    width: dims[0]!,
    height: dims[1]!,
    channels: dims[2] ?? 1,
    bitDepth: fmt.bitDepth,
    sampleFormat: el.attrs.sampleFormat!,
    colorSpace: el.attrs.colorSpace ?? 'Gray',
    pixelStorage: storage,
    imageType: el.attrs.imageType ?? null,
    element: el,
  };
}

function fitsKeyword(el: XmlElement): HeaderCard {
  const key = (el.attrs.name ?? '').trim().toUpperCase();
  const raw = el.attrs.value ?? '';
  const comment = el.attrs.comment?.trim() || undefined;
  if (key === 'COMMENT' || key === 'HISTORY') {
    // PixInsight puts commentary text in `comment`, value empty
    return { key, value: raw.trim() || comment || '' };
  }
  const { value } = parseValueField(raw);
  return comment ? { key, value, comment } : { key, value };
}

const SCALAR_INT = /^(u?int(8|16|32|64)|byte|short|int|ushort|uint)$/i;

function propertyValue(el: XmlElement): XisfPropertyValue {
  const type = (el.attrs.type ?? 'String').toLowerCase();
  const valueText = el.attrs.value ?? el.text;
  if (type === 'string' || type === 'timepoint') return (el.attrs.value ?? el.text).trim();
  if (type === 'boolean') return /^(true|1)$/i.test(valueText.trim());
  if (SCALAR_INT.test(type) || type === 'float32' || type === 'float64') {
    const n = Number(valueText.trim());
    return Number.isFinite(n) ? n : null;
  }
  const vec = /^([iuf])(8|16|32|64)(vector|matrix)$/.exec(type);
  if (vec) {
    // values of vectors/matrices live in a data block; only inline/embedded ones are read here
    const st: SampleType = vec[1] === 'f' ? (vec[2] === '32' ? 'f32' : 'f64') : ((vec[1] === 'u' ? 'u' : 'i') + vec[2]) as SampleType;
    const data = inlineBlock(el, MAX_PROPERTY_BYTES);
    if (!data) return null;
    const size = SAMPLE_BYTES[st];
    const n = Math.floor(data.length / size);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const vals: number[] = [];
    for (let i = 0; i < n; i++) vals.push(readSample(dv, i * size, st));
    if (vec[3] === 'matrix') {
      const rows = Number(el.attrs.rows);
      const cols = Number(el.attrs.columns);
      if (!(rows > 0 && cols > 0 && rows * cols === vals.length)) return vals;
      return Array.from({ length: rows }, (_, r) => vals.slice(r * cols, r * cols + cols));
    }
    return vals;
  }
  // complex numbers, other exotic types: keep the text
  return valueText.trim() || null;
}

function readSample(dv: DataView, o: number, t: SampleType): number {
  switch (t) {
    case 'u8': return dv.getUint8(o);
    case 'i8': return dv.getInt8(o);
    case 'u16': return dv.getUint16(o, true);
    case 'i16': return dv.getInt16(o, true);
    case 'u32': return dv.getUint32(o, true);
    case 'i32': return dv.getInt32(o, true);
    case 'u64': return Number(dv.getBigUint64(o, true));
    case 'i64': return Number(dv.getBigInt64(o, true));
    case 'f32': return dv.getFloat32(o, true);
    case 'f64': return dv.getFloat64(o, true);
  }
}

/** Decodes base64/hex text. */
function decodeText(text: string, encoding: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  const enc = encoding.toLowerCase();
  if (enc === 'base64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new AgentError('XISF inline data is not valid base64');
    return new Uint8Array(Buffer.from(clean, 'base64'));
  }
  if (enc === 'hex') {
    if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new AgentError('XISF inline data is not valid hex');
    return new Uint8Array(Buffer.from(clean, 'hex'));
  }
  throw new AgentError(`unsupported XISF data encoding '${encoding}'`);
}

/**
 * Data of an element stored inline (location="inline:enc") or embedded
 * (<Data encoding=…>); null for attachments, and for compressed data that
 * would inflate to more than `maxBytes`.
 */
function inlineBlock(el: XmlElement, maxBytes: number, limits: DecodeLimits = DEFAULT_LIMITS): Uint8Array | null {
  const loc = (el.attrs.location ?? '').split(':');
  let data: Uint8Array | null = null;
  let compression = el.attrs.compression;
  let subblocks = el.attrs.subblocks;
  if (loc[0] === 'inline') data = decodeText(el.text, loc[1] ?? 'base64');
  else if (loc[0] === 'embedded') {
    const d = el.children.find((c) => c.name === 'Data');
    if (!d) throw new AgentError('XISF embedded block without <Data> element');
    data = decodeText(d.text, d.attrs.encoding ?? 'base64');
    compression = d.attrs.compression ?? compression;
    subblocks = d.attrs.subblocks ?? subblocks;
  } else return null;
  if (compression) {
    const c = parseCompression(compression, 1);
    if (c.uncompressedSize > maxBytes) return null;
    data = decompressBlock(data, c, parseSubblocks(subblocks), limits);
  }
  return data;
}

export interface ReadXisfOptions {
  maxPixels?: number;
  /** memory ceilings (default: DEFAULT_LIMITS) */
  limits?: DecodeLimits;
  /** planes in SharedArrayBuffers (to hand them to other threads without a copy) */
  shared?: boolean;
}

/**
 * Decodes the first image. Uncompressed attachments are read in row bands
 * (≤ 4 MiB) straight into the binner; compressed, inline and embedded blocks
 * are decompressed whole first (peak = compressed + uncompressed block + output).
 */
export async function readXisfPixels(path: string, options: ReadXisfOptions = {}): Promise<PixelImage> {
  const raf = await openRandomAccess(path);
  try {
    const header = await headerFrom(raf);
    const img = header.image;
    if (!img) throw new AgentError('XISF file has no image');
    const el = img.element;
    const fmt = SAMPLE_FORMATS[img.sampleFormat.toLowerCase()]!;
    const bps = SAMPLE_BYTES[fmt.type];
    const limits = options.limits ?? DEFAULT_LIMITS;
    checkImagePixels('XISF image', img.width, img.height, limits);
    // rows are read whole (a band is at least one row, all channels for normal storage) and decoded to floats
    checkDecodedBytes('XISF image: one row', img.width * img.channels * (SAMPLE_BYTES[SAMPLE_FORMATS[img.sampleFormat.toLowerCase()]!.type] + 8), limits);
    const total = img.width * img.height * img.channels * bps;
    if (!Number.isSafeInteger(total)) throw new AgentError('XISF image geometry is absurd');
    const channels = img.channels;
    const bin = binFactor(img.width, img.height, channels, options.maxPixels);
    const decode = makeRowDecoder({ type: fmt.type, littleEndian: (el.attrs.byteOrder ?? 'little').toLowerCase() !== 'big' });

    const loc = (el.attrs.location ?? '').split(':');
    let source: (offset: number, length: number) => Promise<Uint8Array>;
    if (loc[0] === 'attachment') {
      const pos = Number(loc[1]);
      const size = Number(loc[2]);
      if (!Number.isSafeInteger(pos) || !Number.isSafeInteger(size) || pos < 0 || size < 0) {
        throw new AgentError(`XISF image has invalid location '${el.attrs.location}'`);
      }
      if (pos + size > raf.size) {
        throw new AgentError(`XISF image block (${size} bytes at ${pos}) extends past the end of the file (${raf.size} bytes): truncated file`);
      }
      if (el.attrs.compression) {
        const c = parseCompression(el.attrs.compression, bps);
        if (c.uncompressedSize !== total) throw new AgentError(`XISF compressed size ${c.uncompressedSize} does not match geometry (${total} bytes)`);
        // a compressed block is inflated whole (byte shuffling spans it): bounded before anything is read
        checkDecodedBytes('XISF compressed image block', total + size, limits);
        const block = decompressBlock(await raf.readAt(pos, size), c, parseSubblocks(el.attrs.subblocks), limits);
        source = async (o, l) => block.subarray(o, o + l);
      } else {
        if (size < total) throw new AgentError(`XISF image block holds ${size} bytes but the geometry needs ${total}`);
        source = (o, l) => raf.readAt(pos + o, l);
      }
    } else if (loc[0] === 'inline' || loc[0] === 'embedded') {
      const block = inlineBlock(el, limits.maxDecodedBytes, limits);
      if (!block) throw new AgentError(`XISF image block would inflate to more than ${limits.maxDecodedBytes} bytes (SIDEREAL_MAX_DECODED_BYTES)`);
      if (block.length !== total) throw new AgentError(`XISF image block holds ${block.length} bytes but the geometry needs ${total}`);
      source = async (o, l) => block.subarray(o, o + l);
    } else {
      throw new AgentError(`unsupported XISF image location '${el.attrs.location ?? ''}'`);
    }

    const cfa = header.properties.get('PCL:CFASourcePattern') ?? header.keywords.find((k) => k.key === 'BAYERPAT')?.value;
    const pattern = typeof cfa === 'string' && /^(RGGB|BGGR|GRBG|GBRG)$/i.test(cfa.trim()) ? cfa.trim().toUpperCase() : null;
    const { sink: binner, bayerPattern } = makeSink(img.width, img.height, channels, bin, pattern, options.shared);
    if (img.pixelStorage === 'planar') {
      await decodePlanar(source, img, bps, decode, binner);
    } else {
      await decodeNormal(source, img, bps, decode, binner);
    }
    return {
      width: binner.outWidth,
      height: binner.outHeight,
      channels: binner.planes.length,
      planes: binner.planes,
      // XISF stores rows top to bottom (XISF 1.0 §8.5.5)
      rowOrder: 'top-down',
      bayerPattern,
      linear: true,
      binned: binner.bin,
    };
  } finally {
    await raf.close();
  }
}

type Source = (offset: number, length: number) => Promise<Uint8Array>;

async function decodePlanar(source: Source, img: XisfImageInfo, bps: number, decode: ReturnType<typeof makeRowDecoder>, binner: RowSink): Promise<void> {
  const rowBytes = img.width * bps;
  const bandRows = Math.max(1, Math.floor((4 << 20) / rowBytes));
  const row = new Float32Array(img.width);
  for (let c = 0; c < img.channels; c++) {
    const planeOff = c * img.height * rowBytes;
    for (let y0 = 0; y0 < img.height; y0 += bandRows) {
      const rows = Math.min(bandRows, img.height - y0);
      const band = await source(planeOff + y0 * rowBytes, rows * rowBytes);
      if (band.length < rows * rowBytes) throw new AgentError('XISF image data end early (truncated block)');
      for (let r = 0; r < rows; r++) {
        decode(band, r * rowBytes, img.width, row);
        binner.addRow(c, y0 + r, row);
      }
    }
  }
}

async function decodeNormal(source: Source, img: XisfImageInfo, bps: number, decode: ReturnType<typeof makeRowDecoder>, binner: RowSink): Promise<void> {
  const n = img.channels;
  const rowBytes = img.width * n * bps;
  const bandRows = Math.max(1, Math.floor((4 << 20) / rowBytes));
  const inter = new Float32Array(img.width * n);
  const rows = Array.from({ length: n }, () => new Float32Array(img.width));
  for (let y0 = 0; y0 < img.height; y0 += bandRows) {
    const count = Math.min(bandRows, img.height - y0);
    const band = await source(y0 * rowBytes, count * rowBytes);
    if (band.length < count * rowBytes) throw new AgentError('XISF image data end early (truncated block)');
    for (let r = 0; r < count; r++) {
      decode(band, r * rowBytes, img.width * n, inter);
      for (let c = 0; c < n; c++) {
        const dst = rows[c]!;
        for (let x = 0; x < img.width; x++) dst[x] = inter[x * n + c]!;
        binner.addRow(c, y0 + r, dst);
      }
    }
  }
}
