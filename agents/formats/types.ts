/**
 * Decoded pixel data shared by the format readers and the agents that look at
 * pixels (preview, platesolve, star metrics).
 */
export interface PixelImage {
  width: number;
  height: number;
  /** 1 (mono or undebayered CFA), 3 (RGB), or more */
  channels: number;
  /**
   * Planar samples, one Float32Array of width*height per channel, row-major,
   * row 0 = the FIRST STORED ROW (for FITS usually the bottom of the displayed
   * picture; see `rowOrder`). Integer data are scaled to 0..1 by the type's
   * range (after BZERO/BSCALE); float data are kept as stored.
   */
  planes: Float32Array[];
  /** how row 0 is displayed: "bottom-up" (FITS default) or "top-down" (JPEG/TIFF, FITS with ROWORDER=TOP-DOWN) */
  rowOrder: 'bottom-up' | 'top-down';
  /** CFA pattern for one-shot-colour raw data (RGGB, BGGR, GRBG, GBRG), else null */
  bayerPattern: string | null;
  /** true when the data are linear sensor values (FITS/XISF/RAW), false for processed JPEG/PNG */
  linear: boolean;
  /** factor by which the reader binned the image to bound memory (1 = full size) */
  binned: number;
}
