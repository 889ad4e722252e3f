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
import type { PreviewFacts } from '../../sdk/facts.ts';
import { AgentError } from '../../sdk/index.ts';
import { binFactorFor, reduceForDisplay, type DebayerMethod, type DisplayPlanes } from './reduce.ts';
import { cfaIndex } from './debayer.ts';
import { binPlane, binnedSize } from './bin.ts';
import { finiteRange, mosaicStats, robustStats, select, subsample, type RobustStats } from './stats.ts';
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
      const dst = (flip ? height - 1 - y : y) * width * channels + c;
      if (useLut) lutRow(p, src, width, a, b, lut, out, dst, channels);
      else exactRow(p, src, width, a, b, m, out, dst, channels);
    }
  }
  return out;
}

/** One row through the exact transfer function (a small function per row: see CHUNK in stats.ts). */
function exactRow(p: Float32Array, src: number, width: number, a: number, b: number, m: number, out: Uint16Array, dst: number, step: number): void {
  const end = src + width;
  for (let i = src, d = dst; i < end; i++, d += step) {
    const t = p[i]! * a + b;
    // !(t > 0) also catches NaN (blank pixels go black); the store truncates, so + 0.5
    // rounds like Math.round (0 ≤ value < 65535.5) at a quarter of its cost
    out[d] = !(t > 0) ? 0 : t >= 1 ? 65535 : mtf(m, t) * 65535 + 0.5;
  }
}

/** One row through the table (the hot loop of toInterleaved16, kept small so that it stays optimized). */
function lutRow(p: Float32Array, src: number, width: number, a: number, b: number, lut: Uint16Array, out: Uint16Array, dst: number, step: number): void {
  const end = src + width;
  for (let i = src, d = dst; i < end; i++, d += step) {
    const t = p[i]! * a + b;
    // !(t > 0) also catches NaN (blank pixels go black)
    out[d] = !(t > 0) ? 0 : t >= 1 ? 65535 : lut[(t * LUT_SIZE + 0.5) | 0]!;
  }
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
  const { norm, sourceStats, nonLinear } = analyse(img, display, options.linear);
  const requested = options.stretch ?? 'auto';
  const flip = img.rowOrder === 'bottom-up';
  const channels = display.planes.length as 1 | 3;

  // Each rendition is stretched from the pixels it shows: binning lowers the noise, so a
  // thumbnail stretched with the preview's clip point comes out dull and grey
  // when the preview shows the decoded planes themselves, their statistics are the source's (computed once)
  const same = display.planes.every((p, i) => p === img.planes[i]) && !display.debayer;
  const preview = transferFor(display.planes, norm, nonLinear, requested, same ? sourceStats : undefined);
  const thumbFactor = binFactorFor(Math.max(display.width, display.height), thumbnailSize);
  const thumbSize = binnedSize(display.width, display.height, thumbFactor);
  const thumbPlanes = display.planes.map((p) => binPlane(p, display.width, display.height, thumbFactor));
  const thumb = transferFor(thumbPlanes, norm, nonLinear, requested);

  const encode = (planes: readonly Float32Array[], w: number, h: number, stfs: readonly Stf[], size: number, q: number) => {
    const pixels = toInterleaved16(planes, w, h, norm, stfs, flip);
    // sharp reads a Uint16Array as 16-bit samples (a Buffer view would be read as 8-bit)
    const pipeline = sharp(pixels, { raw: { width: w, height: h, channels } }).resize({
      width: size,
      height: size,
      fit: 'inside',
      withoutEnlargement: true,
      kernel: 'mitchell', // less ringing around stars than lanczos
    });
    // grey data as a one-channel file (smaller than sRGB with three equal channels)
    const coloured = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
    return encoder(coloured, format, q).toBuffer({ resolveWithObject: true });
  };
  const [previewOut, thumbOut] = await Promise.all([
    encode(display.planes, display.width, display.height, preview.stfs, previewSize, quality),
    encode(thumbPlanes, thumbSize.width, thumbSize.height, thumb.stfs, thumbnailSize, Math.min(quality, 80)),
  ]);

  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const facts: PreviewFacts = {
    stretched: preview.stretched,
    debayered: display.debayer !== null,
    previewWidth: previewOut.info.width,
    previewHeight: previewOut.info.height,
    thumbnailWidth: thumbOut.info.width,
    thumbnailHeight: thumbOut.info.height,
    median: finiteOrNull(mean(sourceStats.map((s) => s.median))),
    mad: finiteOrNull(mean(sourceStats.map((s) => s.mad))),
    linear: !nonLinear,
    stretchMode: preview.mode,
    stf: preview.mode ? preview.stfs.map((s) => ({ c0: round6(s.c0), m: round6(s.m) })) : null,
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

/**
 * Normalization of the display planes, and whether the data are linear: from statistics of
 * the stored planes (a subsample), so that the per-pixel noise is the sensor's and not the
 * binned one.
 */
function analyse(img: PixelImage, display: DisplayPlanes, linear: boolean | undefined) {
  const norm = normalizationFor(display.planes);
  const sourceStats = (
    display.debayer
      ? mosaicStats(img.planes[0]!, img.width, img.height, cfaIndex(img.bayerPattern!))
      : img.planes.slice(0, display.planes.length).map((p) => robustStats(p))
  ).map((s) => normalizeStats(s, norm));
  const nonLinear = !(linear ?? img.linear) || looksNonLinear(sourceStats);
  return { norm, sourceStats, nonLinear };
}

export interface PyramidOptions extends Pick<RenderOptions, 'stretch' | 'debayer' | 'linear' | 'quality'> {
  /** tile edge in pixels (default 512) */
  tileSize?: number;
  /** the long side of the full-resolution level is capped here (default 16384) */
  maxSide?: number;
}

export interface RenderedPyramid {
  /** a Deep Zoom (DZI) pyramid of JPEG tiles in an uncompressed ZIP: `<name>.dzi` and `<name>_files/<level>/<col>_<row>.jpeg` */
  zip: Uint8Array;
  width: number;
  height: number;
  tileSize: number;
  overlap: number;
}

/**
 * The full-resolution rendition of an image as a Deep Zoom pyramid, for the viewer's deep
 * zoom: stretched like the preview (from the statistics of the full-resolution pixels), cut
 * into tiles by libvips and packed in one ZIP so that the cache holds one file per image.
 */
export async function renderPyramid(img: PixelImage, options: PyramidOptions = {}): Promise<RenderedPyramid> {
  const tileSize = Math.min(1024, Math.max(128, Math.floor(options.tileSize ?? 512)));
  const maxSide = Math.max(256, Math.floor(options.maxSide ?? 16384));
  const quality = Math.min(100, Math.max(1, Math.round(options.quality ?? 85)));
  const display = reduceForDisplay(img, Math.min(maxSide, Math.max(img.width, img.height)), options.debayer ?? 'auto');
  const { norm, nonLinear } = analyse(img, display, options.linear);
  const { stfs } = transferFor(display.planes, norm, nonLinear, options.stretch ?? 'auto');
  const channels = display.planes.length as 1 | 3;
  const pixels = toInterleaved16(display.planes, display.width, display.height, norm, stfs, img.rowOrder === 'bottom-up');
  const base = sharp(pixels, { raw: { width: display.width, height: display.height, channels } });
  const zip = await (channels === 1 ? base.toColourspace('b-w') : base.toColourspace('srgb'))
    .jpeg({ quality })
    .tile({ size: tileSize, overlap: 1, layout: 'dz', container: 'zip' })
    .toBuffer();
  return { zip: new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength), width: display.width, height: display.height, tileSize, overlap: 1 };
}

/**
 * The transfer functions for one rendition, from the statistics of the pixels it shows.
 * Linear data get the STF; non-linear data keep their tonality unless they are washed out
 * (see levelsFor).
 */
function transferFor(
  planes: readonly Float32Array[],
  norm: Normalization,
  nonLinear: boolean,
  requested: StretchMode,
  /** the planes' statistics, normalized, when already known */
  known?: RobustStats[],
): { stfs: Stf[]; mode: 'linked' | 'unlinked' | null; stretched: boolean } {
  if (nonLinear) {
    const stfs = levelsFor(planes, norm);
    return { stfs, mode: null, stretched: false };
  }
  const stats = known ?? planes.map((p) => normalizeStats(robustStats(p), norm));
  const mode = resolveMode(requested, stats);
  const stfs = computeStf(stats, mode);
  return { stfs, mode, stretched: stfs.some((s) => s.m !== 0.5 || s.c0 !== 0 || s.c1 !== 1) };
}

/**
 * Non-linear data look washed out when their darkest samples are lifted well above black
 * and all of them fill only a narrow band of the range (the 0.01 %–99.99 % quantiles).
 */
export const LIFTED_BLACK = 0.08;
export const NARROW_BAND = 0.5;

/**
 * Linear levels for washed-out non-linear data (a digitised plate, a flat-looking export):
 * the band is spread over the range, one set for every channel so colours keep their balance.
 * Anything else keeps its tonality (identity).
 */
export function levelsFor(planes: readonly Float32Array[], norm: Normalization): Stf[] {
  const samples = planes.map((p) => subsample(p, 1 << 17));
  const total = samples.reduce((n, s) => n + s.length, 0);
  if (total === 0) return planes.map(() => ({ ...IDENTITY_STF }));
  const pooled = new Float32Array(total);
  let at = 0;
  for (const s of samples) {
    pooled.set(s, at);
    at += s.length;
  }
  const scale = 1 / (norm.hi - norm.lo);
  const lo = (select(pooled, Math.floor(total * 0.0001)) - norm.lo) * scale;
  const hi = (select(pooled, Math.min(total - 1, Math.floor(total * 0.9999))) - norm.lo) * scale;
  if (!(lo > LIFTED_BLACK) || !(hi - lo > 1e-6) || hi - lo >= NARROW_BAND) return planes.map(() => ({ ...IDENTITY_STF }));
  return planes.map(() => ({ c0: Math.max(0, lo), c1: Math.min(1, hi), m: 0.5 }));
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? round6(x) : null;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
