/**
 * First step of rendering: turn a PixelImage of any size into display-sized
 * planes (1 grey or 3 RGB), debayering CFA mosaics on the way. Everything after
 * this step works on at most about previewSize² pixels per channel.
 */
import type { PixelImage } from '../formats/types.ts';
import { AgentError } from '../../sdk/index.ts';
import { binPlane, binnedSize } from './bin.ts';
import { bilinearDebayer, superPixelDebayer } from './debayer.ts';

export type DebayerMethod = 'superpixel' | 'bilinear' | 'auto';

export interface DisplayPlanes {
  width: number;
  height: number;
  /** 1 (grey) or 3 (R, G, B) planes of width*height */
  planes: Float32Array[];
  /** how the mosaic was debayered, null when it was not a mosaic */
  debayer: 'superpixel' | 'bilinear' | null;
  /** binning factor applied here, in source pixels (a super-pixel counts 2) */
  factor: number;
}

/** Integer bin factor that brings `size` down to about `target` without going below it. */
export function binFactorFor(size: number, target: number): number {
  return Math.max(1, Math.floor(size / Math.max(1, target)));
}

/** Checks the PixelImage's shape; a reader bug must not turn into an out-of-bounds read. */
export function assertPixelImage(img: PixelImage): void {
  const n = img.width * img.height;
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new AgentError(`invalid image size ${img.width}×${img.height}`);
  }
  if (img.planes.length < 1 || img.planes.length < Math.min(img.channels, 3)) {
    throw new AgentError(`image declares ${img.channels} channels but has ${img.planes.length} planes`);
  }
  for (const p of img.planes) {
    if (p.length !== n) throw new AgentError(`plane of ${p.length} samples for a ${img.width}×${img.height} image`);
  }
}

/**
 * Reduces `img` to display planes of about `previewSize` on the long side
 * (never below it, never enlarged). Colour: a mono plane with a Bayer pattern is
 * debayered (super-pixel with binning fused in; bilinear when the mosaic is no
 * larger than 1.5× the preview in auto mode, 2× when asked for, where super-pixel
 * would waste resolution);
 * 3+ channels keep the first three; 2 channels show the first as grey. A mosaic the
 * reader binned (binned > 1) can no longer be debayered and is shown as grey.
 */
export function reduceForDisplay(img: PixelImage, previewSize: number, debayer: DebayerMethod = 'auto'): DisplayPlanes {
  assertPixelImage(img);
  const { width, height } = img;
  const longSide = Math.max(width, height);
  // a mosaic the reader already binned has its colours mixed: show it as luminance
  if (img.channels === 1 && img.bayerPattern && img.binned === 1 && width >= 2 && height >= 2) {
    // bilinear makes 3 full-size planes: only where the mosaic is about preview size. Beyond
    // 2× the preview, binning would average its interpolation away anyway, so super-pixel it is
    const bilinear = debayer === 'bilinear' ? longSide <= previewSize * 2 : debayer === 'auto' && longSide <= previewSize * 1.5;
    if (bilinear) {
      const rgb = bilinearDebayer(img.planes[0]!, width, height, img.bayerPattern);
      const f = binFactorFor(longSide, previewSize);
      const size = binnedSize(width, height, f);
      return { ...size, planes: rgb.planes.map((p) => binPlane(p, width, height, f)), debayer: 'bilinear', factor: f };
    }
    const bin = binFactorFor(Math.floor(longSide / 2), previewSize);
    const rgb = superPixelDebayer(img.planes[0]!, width, height, img.bayerPattern, bin);
    return { width: rgb.width, height: rgb.height, planes: rgb.planes, debayer: 'superpixel', factor: 2 * bin };
  }
  const f = binFactorFor(longSide, previewSize);
  const size = binnedSize(width, height, f);
  const sources = img.channels >= 3 ? img.planes.slice(0, 3) : [img.planes[0]!];
  // binPlane returns the source itself when f = 1; render.ts never writes into planes
  return { ...size, planes: sources.map((p) => binPlane(p, width, height, f)), debayer: null, factor: f };
}
