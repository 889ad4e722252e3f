/**
 * Renders the thumbnail and the preview of a PixelImage: reduce to display size
 * (bin, debayer), measure, auto-stretch linear data, convert to an interleaved
 * 16-bit buffer (flipped when stored bottom-up) and encode with sharp.
 *
 * Memory: the only buffers sized like the source are the caller's planes; every
 * copy made here is preview-sized.
 */
import sharp from 'sharp';
import type { PixelImage } from '../formats/types.ts';
import type { PreviewFacts } from '../sdk/facts.ts';
import { AgentError } from '../sdk/index.ts';
import { reduceForDisplay, type DebayerMethod } from './reduce.ts';
import { cfaIndex } from './debayer.ts';
import { finiteRange, mosaicStats, robustStats, type RobustStats } from './stats.ts';
import { computeStf, IDENTITY_STF, looksNonLinear, mtf, resolveMode, type Stf, type StretchMode } from './stretch.ts';

export type PreviewFormat = 'jpeg' | 'webp';

export interface RenderOptions {
  /** long side of the thumbnail in pixels (default 400) */
  thumbnailSize?: number;
  /** long side of the preview in pixels (default 2048); images are never enlarged */
  previewSize?: number;
  /** STF mode for linear data (default auto) */
  stretch?: StretchMode;
  /** output encoding (default jpeg) */
  format?: PreviewFormat;
  /** 1..100 (default 85) */
  quality?: number;
  /** how CFA mosaics are debayered (default auto) */
  debayer?: DebayerMethod;
  /**
   * Overrides `img.linear` when another source knows better (the `file` agent reads
   * headers and bit depth: a 16-bit TIFF from an astro camera is linear even though a
   * raster reader cannot tell). The statistics test for stretched data still applies.
   */
  linear?: boolean;
}

export interface RenderedPreviews {
  thumbnail: Uint8Array;
  preview: Uint8Array;
  contentType: string;
  facts: PreviewFacts;
}

/** Maps raw sample values to 0..1 before statistics and stretch. */
export interface Normalization {
  lo: number;
  hi: number;
}

/**
 * Integer data arrive already scaled to 0..1; float data are "as stored" (0..1,
 * ADU 0..65535, or calibrated with negative values). Data outside 0..1 are mapped
 * from [min(0, min), max] so that zero keeps its meaning when there is no negative value.
 */
export function normalizationFor(planes: readonly Float32Array[]): Normalization {
  const r = finiteRange(planes);
  if (!r) throw new AgentError('image has no finite pixel values');
  if (r.min >= 0 && r.max <= 1) return { lo: 0, hi: 1 };
  const lo = Math.min(0, r.min);
  const hi = r.max > lo ? r.max : lo + 1;
  return { lo, hi };
}

function normalizeStats(s: RobustStats, n: Normalization): RobustStats {
  const scale = n.hi - n.lo;
  return { median: (s.median - n.lo) / scale, mad: s.mad / scale, count: s.count };
}

/** Entries (minus one) of the transfer-function table used by toInterleaved16. */
const LUT_SIZE = 65536;

/**
 * Interleaves display planes into 16-bit samples, applying normalization and
 * STF per channel; rows are written in reverse when the data are stored bottom-up.
 */
export function toInterleaved16(
  planes: readonly Float32Array[],
  width: number,
  height: number,
  norm: Normalization,
  stfs: readonly Stf[],
  flip: boolean,
): Uint16Array {
  const channels = planes.length;
  const out = new Uint16Array(width * height * channels);
  const scale = 1 / (norm.hi - norm.lo);
  const lut = new Uint16Array(LUT_SIZE + 1);
  for (let c = 0; c < channels; c++) {
    const p = planes[c]!;
    const { c0, c1, m } = stfs[c]!;
    // fold normalization and clipping into one affine map: x = v·a + b
    const a = scale / (c1 - c0);
    const b = (-norm.lo * scale - c0) / (c1 - c0);
    // The MTF's slope is at most (1 − m)/m (at x = 0). For m ≥ 0.01 a table with input steps of
    // 1/65536 moves the output by < 0.4 of an 8-bit level, and saves a division per pixel;
    // a harder stretch (data using a tiny part of the range) is computed exactly.
    const useLut = m >= 0.01;
    if (useLut) for (let i = 0; i <= LUT_SIZE; i++) lut[i] = Math.round(mtf(m, i / LUT_SIZE) * 65535);
    for (let y = 0; y < height; y++) {
      const src = y * width;
      let dst = (flip ? height - 1 - y : y) * width * channels + c;
      for (let x = 0; x < width; x++, dst += channels) {
        const t = p[src + x]! * a + b;
        // !(t > 0) also catches NaN (blank pixels go black)
        if (!(t > 0)) out[dst] = 0;
        else if (t >= 1) out[dst] = 65535;
        else out[dst] = useLut ? lut[(t * LUT_SIZE + 0.5) | 0]! : Math.round(mtf(m, t) * 65535);
      }
    }
  }
  return out;
}

type SharpPipeline = ReturnType<typeof sharp>;

function encoder(img: SharpPipeline, format: PreviewFormat, quality: number): SharpPipeline {
  return format === 'webp' ? img.webp({ quality }) : img.jpeg({ quality, mozjpeg: false });
}

/**
 * Renders thumbnail and preview. Linear data are auto-stretched (STF); data that
 * are flagged non-linear, or whose statistics look already stretched, keep their
 * tonality. Throws AgentError on an image without any finite pixel.
 */
export async function renderPreviews(img: PixelImage, options: RenderOptions = {}): Promise<RenderedPreviews> {
  const thumbnailSize = Math.max(16, Math.floor(options.thumbnailSize ?? 400));
  const previewSize = Math.max(thumbnailSize, Math.floor(options.previewSize ?? 2048));
  const format = options.format ?? 'jpeg';
  const quality = Math.min(100, Math.max(1, Math.round(options.quality ?? 85)));

  const display = reduceForDisplay(img, previewSize, options.debayer ?? 'auto');
  const norm = normalizationFor(display.planes);

  // source statistics (facts, and the "already stretched?" test): on a subsample of the stored
  // planes, so the per-pixel noise is the sensor's and not the binned one
  const sourceStats = (
    display.debayer
      ? mosaicStats(img.planes[0]!, img.width, img.height, cfaIndex(img.bayerPattern!))
      : img.planes.slice(0, display.planes.length).map((p) => robustStats(p))
  ).map((s) => normalizeStats(s, norm));
  // the stretch itself is set from the display-sized data: it places the background and clips
  // the shadows at the noise level of the pixels actually shown
  const displayStats = display.planes.map((p) => normalizeStats(robustStats(p), norm));

  const nonLinear = !(options.linear ?? img.linear) || looksNonLinear(sourceStats);
  const mode = nonLinear ? null : resolveMode(options.stretch ?? 'auto', displayStats);
  const stfs = mode ? computeStf(displayStats, mode) : display.planes.map(() => IDENTITY_STF);
  const stretched = stfs.some((s) => s.m !== 0.5 || s.c0 !== 0 || s.c1 !== 1);

  const flip = img.rowOrder === 'bottom-up';
  const pixels = toInterleaved16(display.planes, display.width, display.height, norm, stfs, flip);
  const channels = display.planes.length as 1 | 3;
  const raw = { raw: { width: display.width, height: display.height, channels } };
  // sharp reads a Uint16Array as 16-bit samples (a Buffer view would be read as 8-bit)
  const resizeTo = (size: number) => {
    const pipeline = sharp(pixels, raw).resize({
      width: size,
      height: size,
      fit: 'inside',
      withoutEnlargement: true,
      kernel: 'mitchell', // less ringing around stars than lanczos
    });
    // grey data as a one-channel file (smaller than sRGB with three equal channels)
    return channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  };
  const [previewOut, thumbOut] = await Promise.all([
    encoder(resizeTo(previewSize), format, quality).toBuffer({ resolveWithObject: true }),
    encoder(resizeTo(thumbnailSize), format, Math.min(quality, 80)).toBuffer({ resolveWithObject: true }),
  ]);

  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const facts: PreviewFacts = {
    stretched,
    debayered: display.debayer !== null,
    previewWidth: previewOut.info.width,
    previewHeight: previewOut.info.height,
    thumbnailWidth: thumbOut.info.width,
    thumbnailHeight: thumbOut.info.height,
    median: finiteOrNull(mean(sourceStats.map((s) => s.median))),
    mad: finiteOrNull(mean(sourceStats.map((s) => s.mad))),
    linear: !nonLinear,
    stretchMode: mode,
    stf: mode ? stfs.map((s) => ({ c0: round6(s.c0), m: round6(s.m) })) : null,
    debayerMethod: display.debayer,
    sourceWidth: img.width,
    sourceHeight: img.height,
    format,
  };
  return {
    thumbnail: new Uint8Array(thumbOut.data.buffer, thumbOut.data.byteOffset, thumbOut.data.byteLength),
    preview: new Uint8Array(previewOut.data.buffer, previewOut.data.byteOffset, previewOut.data.byteLength),
    contentType: format === 'webp' ? 'image/webp' : 'image/jpeg',
    facts,
  };
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? round6(x) : null;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
