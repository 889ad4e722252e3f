/**
 * The astro format readers behind the `file` agent (stage `read`):
 * `describeFile` (headers, geometry, acquisition, frame type — no pixel
 * decode for FITS/XISF) and `readPixels` (any supported format, binned to a
 * pixel budget). Broken input always ends in an AgentError.
 */
import type { Acquisition, HeaderCard } from '../../sdk/facts.ts';
import { AgentError, type FrameType } from '../../sdk/index.ts';
import { normalizeAcquisition } from './acquisition.ts';
import { openRandomAccess, type Prefetched } from './byte-source.ts';
import { capturedDate } from './dates.ts';
import { detectFormat, DETECT_HEAD_BYTES, type DetectedFormat, type FormatName } from './detect.ts';
import { exifCards } from './exif.ts';
import { fitsCards, fitsChannels, readFitsPixels, scanFits } from './fits.ts';
import { classifyFrame, processingSignal, type FrameTypeSource } from './frametype.ts';
import { rasterInfo, readRasterPixels } from './raster.ts';
import { describeRaw, readRawPixels } from './raw.ts';
import type { PixelImage } from './types.ts';
import type { DecodeLimits } from './limits.ts';
import { readXisfHeader, readXisfPixels, xisfCards } from './xisf.ts';
import { isStack, readStackEvidence } from './stackEvidence.ts';
import { readStackSources, type StackSources } from './stackSources.ts';

export type { PixelImage } from './types.ts';
export { detectFormat } from './detect.ts';
export { normalizeAcquisition, normalizeFilter } from './acquisition.ts';
export { classifyFrame } from './frametype.ts';
export { DEFAULT_LIMITS, decodeLimits, type DecodeLimits } from './limits.ts';

export interface Described {
  format: FormatName;
  subformat: string | null;
  mimeType: string | null;
  width: number | null;
  height: number | null;
  /** bits per sample as stored: 8, 16, 32, 64, -32 (float), -64 (double) */
  bitDepth: number | null;
  channels: number | null;
  linear: boolean | null;
  frameType: FrameType;
  frameTypeSource: FrameTypeSource;
  dates: { captured: string | null };
  acquisition: Acquisition;
  /** every header card in file order (FITS: primary HDU, then the image extension) */
  headers: HeaderCard[];
  /** what a stack or master says about its subs (stackSources.ts); null for a single frame */
  stack: StackSources | null;
}

export interface DescribeOptions {
  /** the file's name as the user sees it (storage key basename) */
  fileName: string;
  /** the folder of the file inside its storage, forward slashes */
  folderPath: string;
}

/** Reads the first bytes and detects the format by content. */
export async function detectFile(localPath: string, fileName: string): Promise<DetectedFormat> {
  return (await detectWithHead(localPath, fileName)).detected;
}

async function detectWithHead(localPath: string, fileName: string): Promise<{ detected: DetectedFormat; prefetched: Prefetched }> {
  const raf = await openRandomAccess(localPath);
  try {
    if (raf.size === 0) throw new AgentError('empty file');
    const head = await raf.readAt(0, DETECT_HEAD_BYTES);
    return { detected: detectFormat(head, fileName), prefetched: { head, size: raf.size } };
  } finally {
    await raf.close();
  }
}

interface Geometry {
  width: number | null;
  height: number | null;
  bitDepth: number | null;
  channels: number | null;
  linear: boolean | null;
  subformat?: string | null;
  headers: HeaderCard[];
  stackCount?: number | null;
}

/**
 * Describes a file from its headers: format, geometry, every header card,
 * normalized acquisition fields, capture date and frame type. FITS and XISF
 * are read header-only; JPEG/PNG/TIFF/WebP read their header and EXIF; RAW
 * reads EXIF only.
 */
export async function describeFile(localPath: string, options: DescribeOptions): Promise<Described> {
  const { detected, prefetched } = await detectWithHead(localPath, options.fileName);
  const g = await geometry(localPath, detected, prefetched);
  checkGeometry(g);
  g.headers = g.headers.map(cleanCard);
  const acquisition = normalizeAcquisition(g.headers, { stackCount: g.stackCount ?? null, width: g.width, height: g.height, fileName: options.fileName });
  const { frameType, source } = classifyFrame({
    cards: g.headers,
    fileName: options.fileName,
    folderPath: options.folderPath,
    format: detected.format,
  });
  return {
    format: detected.format,
    subformat: g.subformat ?? detected.subformat,
    mimeType: detected.mimeType,
    width: g.width,
    height: g.height,
    bitDepth: g.bitDepth,
    channels: g.channels,
    linear: g.linear,
    frameType,
    frameTypeSource: source,
    dates: { captured: capturedDate(g.headers) },
    acquisition,
    headers: g.headers,
    stack:
      frameType === 'master' || frameType === 'processed' || isStack(readStackEvidence(g.headers))
        ? readStackSources(g.headers, options.fileName)
        : null,
  };
}

/** Largest image side believed from a header: what a 32-bit integer holds (the catalog stores sides as such). */
const MAX_SIDE = 2 ** 31 - 1;

/**
 * Headers that are only read (ZNAXISn of a tile-compressed image, NAXISn in a
 * gzip stream, XISF geometry, EXIF) can declare any size; a side no real
 * image has is an error on this image, not a fact the catalog must store.
 */
function checkGeometry(g: Geometry): void {
  for (const [name, v] of [['width', g.width], ['height', g.height], ['channels', g.channels]] as const) {
    if (v !== null && (!Number.isSafeInteger(v) || v < 0 || v > MAX_SIDE)) {
      throw new AgentError(`the header declares an impossible image ${name} (${v}): damaged or hostile file`);
    }
  }
}

/**
 * Header text goes to JSON facts and PostgreSQL, which refuses NUL characters
 * and unpaired surrogates: both are dropped here, for every format.
 */
function cleanCard(c: HeaderCard): HeaderCard {
  const clean = (t: string) => t.replace(/\u0000/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const out: HeaderCard = { ...c, key: clean(c.key) };
  if (typeof c.value === 'string') out.value = clean(c.value);
  if (typeof c.comment === 'string') out.comment = clean(c.comment);
  return out;
}

async function geometry(path: string, d: DetectedFormat, prefetched: Prefetched): Promise<Geometry> {
  switch (d.format) {
    case 'fits': {
      const gzip = d.subformat === 'fits.gz';
      const scan = await scanFits(path, { gzip, prefetched: gzip ? undefined : prefetched });
      const headers = fitsCards(scan);
      const img = scan.imageHdu?.image ?? null;
      const subformat = img?.compression ? (gzip ? 'fits.fz.gz' : 'fits.fz') : gzip ? 'fits.gz' : 'fits';
      return {
        width: img?.width ?? null,
        height: img?.height ?? null,
        bitDepth: img?.bitpix ?? null,
        channels: img ? fitsChannels(img) : null,
        linear: img ? processingSignal(headers) !== 'processed' : null,
        subformat,
        headers,
      };
    }
    case 'xisf': {
      const x = await readXisfHeader(path);
      const img = x.image;
      const headers = xisfCards(x);
      return {
        width: img?.width ?? null,
        height: img?.height ?? null,
        bitDepth: img?.bitDepth ?? null,
        channels: img?.channels ?? null,
        linear: img ? processingSignal(headers) !== 'processed' : null,
        headers,
      };
    }
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'tiff': {
      const info = await rasterInfo(path);
      const headers = await exifCards(path);
      return {
        width: info.width,
        height: info.height,
        bitDepth: info.bitDepth,
        channels: info.channels,
        // 16-bit and float TIFF/PNG are usually linear camera or stacker output; 8-bit images are stretched
        linear: d.format === 'tiff' ? info.bitDepth !== 8 : false,
        headers,
      };
    }
    case 'raw': {
      const r = await describeRaw(path, d.subformat ?? 'raw');
      return { ...r, linear: true };
    }
    default:
      throw new AgentError(`unsupported or unrecognized file format${d.subformat ? ` (${d.subformat})` : ''}`);
  }
}

export interface ReadPixelsOptions {
  /** bin (average) so that width×height ≤ maxPixels; default: full size up to 2^28 samples */
  maxPixels?: number;
  /** file name for detection tie-breaks (defaults to the path) */
  fileName?: string;
  /** memory ceilings (default: DEFAULT_LIMITS) */
  limits?: DecodeLimits;
  /** planes in SharedArrayBuffers where the reader can allocate them so (FITS, XISF): no copy to share them between threads */
  shared?: boolean;
}

/**
 * Decodes the pixels of any supported format. Memory stays bounded by the
 * binned output: FITS/XISF decode row bands (≤ 4 MiB) into binned planes;
 * raster formats are shrunk by libvips while decoding; RAW goes through LibRaw.
 */
export async function readPixels(localPath: string, options: ReadPixelsOptions = {}): Promise<PixelImage> {
  const d = await detectFile(localPath, options.fileName ?? localPath);
  switch (d.format) {
    case 'fits':
      return readFitsPixels(localPath, { gzip: d.subformat === 'fits.gz', maxPixels: options.maxPixels, limits: options.limits, shared: options.shared });
    case 'xisf':
      return readXisfPixels(localPath, { maxPixels: options.maxPixels, limits: options.limits, shared: options.shared });
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'tiff':
      return readRasterPixels(localPath, { maxPixels: options.maxPixels, limits: options.limits });
    case 'raw':
      return readRawPixels(localPath, { maxPixels: options.maxPixels });
    default:
      throw new AgentError(`unsupported or unrecognized file format${d.subformat ? ` (${d.subformat})` : ''}`);
  }
}
