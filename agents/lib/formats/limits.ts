/**
 * Memory ceilings of the decoders. A header is a promise made by whoever
 * wrote the file: every size it declares (NAXISn × BITPIX, XISF geometry ×
 * sample format, a compressed block's uncompressed size, a tile shape) is
 * checked against the geometry and against these ceilings *before* anything
 * is allocated, and every inflate runs with an output limit. A violation is a
 * permanent AgentError on that image only (docs/operations.md, "Memory
 * ceilings"). The host passes its configuration (SIDEREAL_MAX_IMAGE_PIXELS,
 * SIDEREAL_MAX_DECODED_BYTES) to the agents as settings; these defaults apply
 * to every other caller.
 */
import { AgentError } from '../../sdk/index.ts';

export interface DecodeLimits {
  /** largest image accepted, width × height as declared (per plane; sharp's `limitInputPixels`) */
  maxImagePixels: number;
  /**
   * largest amount of decoded data a reader may hold in memory at once for
   * one image: a decompressed XISF block, the table and heap of a
   * tile-compressed FITS image, one inflated tile or property block
   */
  maxDecodedBytes: number;
}

/** 2^30 pixels (a 32k × 32k mosaic); 768 MiB (a 62 MP RGB float32 stack, compressed, fits). */
export const DEFAULT_LIMITS: Readonly<DecodeLimits> = Object.freeze({ maxImagePixels: 2 ** 30, maxDecodedBytes: 768 * 2 ** 20 });

/** Limits from partial options (agent settings), falling back to the defaults for anything missing or invalid. */
export function decodeLimits(partial?: Partial<Record<keyof DecodeLimits, unknown>>): DecodeLimits {
  const pick = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);
  return {
    maxImagePixels: pick(partial?.maxImagePixels, DEFAULT_LIMITS.maxImagePixels),
    maxDecodedBytes: pick(partial?.maxDecodedBytes, DEFAULT_LIMITS.maxDecodedBytes),
  };
}

const MIB = 2 ** 20;

function mib(n: number): string {
  return n >= MIB ? `${(n / MIB).toFixed(n % MIB === 0 ? 0 : 1)} MiB` : `${n} bytes`;
}

/** Throws unless width × height is a sane integer within the pixel ceiling. */
export function checkImagePixels(what: string, width: number, height: number, limits: DecodeLimits): void {
  const pixels = width * height;
  if (!Number.isSafeInteger(pixels) || pixels > limits.maxImagePixels) {
    throw new AgentError(
      `${what}: ${width}×${height} pixels is more than this server accepts (${limits.maxImagePixels.toLocaleString('en')} pixels, SIDEREAL_MAX_IMAGE_PIXELS)`,
    );
  }
}

/** Throws unless `bytes` is a sane integer within the decoded-bytes ceiling. */
export function checkDecodedBytes(what: string, bytes: number, limits: DecodeLimits): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > limits.maxDecodedBytes) {
    throw new AgentError(
      `${what}: ${Number.isSafeInteger(bytes) ? mib(bytes) : 'an absurd size'} would have to be held in memory, more than this server accepts (${mib(limits.maxDecodedBytes)}, SIDEREAL_MAX_DECODED_BYTES)`,
    );
  }
}
