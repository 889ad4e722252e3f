/**
 * TIFF, JPEG, PNG and WebP through sharp (libvips): geometry from the header,
 * pixels as planar Float32 (8/16-bit scaled to 0..1, float kept as stored),
 * downscaled by libvips when the image exceeds `maxPixels`.
 */
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { AgentError } from '../../sdk/index.ts';
import { binFactor } from './samples.ts';
import { checkDecodedBytes, checkImagePixels, DEFAULT_LIMITS, type DecodeLimits } from './limits.ts';
import type { PixelImage } from './types.ts';

export interface RasterInfo {
  width: number;
  height: number;
  /** colour channels without alpha */
  channels: number;
  /** 8, 16, 32 (integer), -32 (float), -64 (double) */
  bitDepth: number;
  format: string;
}

const DEPTH_BITS: Record<string, number> = { uchar: 8, char: 8, ushort: 16, short: 16, uint: 32, int: 32, float: -32, double: -64 };

/** a file path or an encoded image in memory (a RAW file's embedded JPEG) */
export type RasterInput = string | Buffer;

/** `limits` null: header only (any size may be described; nothing is decoded) */
function open(input: RasterInput, limits: DecodeLimits | null): Sharp {
  // no EXIF rotation: pixels stay in stored order, as for FITS; libvips refuses
  // to decode more pixels than the ceiling, whatever the file declares
  return sharp(input, { sequentialRead: true, limitInputPixels: limits ? Math.floor(limits.maxImagePixels) : false, failOn: 'truncated' });
}

/** Geometry from the header (no pixel is decoded, so no ceiling applies). */
export async function rasterInfo(path: RasterInput): Promise<RasterInfo> {
  let m: Metadata;
  try {
    m = await open(path, null).metadata();
  } catch (cause) {
    throw new AgentError(`unreadable image: ${(cause as Error).message}`, { cause });
  }
  if (!m.width || !m.height) throw new AgentError('unreadable image: no dimensions');
  const channels = (m.channels ?? 3) - (m.hasAlpha ? 1 : 0);
  return {
    width: m.width,
    height: m.height,
    channels: m.space === 'cmyk' ? 3 : channels,
    bitDepth: DEPTH_BITS[m.depth ?? 'uchar'] ?? 8,
    format: m.format ?? 'unknown',
  };
}

export async function readRasterPixels(path: RasterInput, options: { maxPixels?: number; limits?: DecodeLimits } = {}): Promise<PixelImage> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const info = await rasterInfo(path);
  checkImagePixels(`${info.format.toUpperCase()} image`, info.width, info.height, limits);
  const mono = info.channels === 1;
  const channels = mono ? 1 : 3;
  const bin = binFactor(info.width, info.height, channels, options.maxPixels);
  // libvips hands back the (shrunk) image in one buffer: bounded before decoding
  const sampleBytes = info.bitDepth === 8 ? 1 : info.bitDepth === 16 ? 2 : 4;
  checkDecodedBytes(`${info.format.toUpperCase()} image`, Math.ceil(info.width / bin) * Math.ceil(info.height / bin) * channels * sampleBytes, limits);
  let s = open(path, limits).removeAlpha();
  const outW = Math.ceil(info.width / bin);
  const outH = Math.ceil(info.height / bin);
  // libvips shrinks by block averaging for integer factors before its kernel
  if (bin > 1) s = s.resize({ width: outW, height: outH, fit: 'fill', kernel: 'linear' });
  let depth: 'uchar' | 'ushort' | 'float';
  let scale: number;
  if (info.bitDepth === 8) {
    s = s.toColourspace(mono ? 'b-w' : 'srgb');
    depth = 'uchar';
    scale = 1 / 255;
  } else if (info.bitDepth === 16) {
    s = s.toColourspace(mono ? 'grey16' : 'rgb16');
    depth = 'ushort';
    scale = 1 / 65535;
  } else {
    if (mono) s = s.toColourspace('b-w');
    depth = 'float';
    scale = info.bitDepth === 32 ? 1 / 4294967295 : 1;
  }
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await s.raw({ depth }).toBuffer({ resolveWithObject: true });
  } catch (cause) {
    throw new AgentError(`cannot decode image: ${(cause as Error).message}`, { cause });
  }
  const { width, height } = out.info;
  const nch = out.info.channels;
  const n = width * height;
  // typed views need aligned offsets; copy in the rare case the buffer is not
  const data = depth !== 'uchar' && out.data.byteOffset % 4 !== 0 ? Buffer.from(out.data) : out.data;
  const src =
    depth === 'uchar'
      ? data
      : depth === 'ushort'
        ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2)
        : new Float32Array(data.buffer, data.byteOffset, data.length / 4);
  const planes = Array.from({ length: channels }, () => new Float32Array(n));
  for (let c = 0; c < channels; c++) {
    const p = planes[c]!;
    const cc = Math.min(c, nch - 1);
    for (let i = 0; i < n; i++) p[i] = src[i * nch + cc]! * scale;
  }
  return {
    width,
    height,
    channels,
    planes,
    rowOrder: 'top-down',
    bayerPattern: null,
    linear: info.bitDepth === -32 || info.bitDepth === -64,
    binned: bin,
  };
}
