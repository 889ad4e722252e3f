/**
 * Decode once per round: the pixels an agent decoded through `ctx.readPixels`
 * are kept, for the rest of the image's round, by the host's main thread, in
 * SharedArrayBuffers. The next agent of the round that asks for pixels (on
 * whichever pool thread, or on the main thread) gets the same memory, shared
 * and not copied, instead of decoding the file again.
 *
 * A decoded image answers a later request exactly when a direct read would
 * return the same pixels: the same decode limits, and a pixel budget for
 * which the readers pick the same binning. Every reader bins by the smallest
 * factor whose output fits the budget (`binFactor`), a rule that only grows as
 * the budget shrinks; so an image decoded for budget M, with an output of
 * w×h pixels, is also the answer to every budget between w×h and M (and to
 * any budget above w×h when it was not binned). The check is made with the
 * output rounded up by one pixel per side when binned, so that readers that
 * round a binned size down (libvips) are never served a wrong binning.
 */
import { decodeLimits, readPixels } from '../../agents/lib/formats/index.ts';
import type { PixelImage } from '../../agents/sdk/index.ts';

export interface PixelRequest {
  maxPixels?: number;
  limits?: { maxImagePixels?: number; maxDecodedBytes?: number };
}

interface Entry {
  maxPixels: number;
  limitsKey: string;
  image: PixelImage;
}

/** Decoded images kept per round; a round holds at most this many (the newest). */
const MAX_ENTRIES = 2;

function budget(req: PixelRequest): number {
  return req.maxPixels !== undefined && req.maxPixels > 0 ? req.maxPixels : Infinity;
}

/** the limits a decoder applies (defaults filled in), as a key */
function limitsKey(req: PixelRequest): string {
  const l = decodeLimits(req.limits);
  return `${l.maxImagePixels}/${l.maxDecodedBytes}`;
}

/** Whether `e` is exactly what a direct read with `req` returns (see the file comment). */
function serves(e: Entry, req: PixelRequest): boolean {
  if (e.limitsKey !== limitsKey(req)) return false;
  const m = budget(req);
  const pad = e.image.binned > 1 ? 1 : 0;
  const fits = (e.image.width + pad) * (e.image.height + pad) <= m;
  return fits && (e.image.binned === 1 || m <= e.maxPixels);
}

/** The pixels of one image's round (held on the host's main thread). */
export class PixelRound {
  private entries: Entry[] = [];
  /** how many times an agent of this round decoded the file (a test and the bench read it) */
  decodes = 0;
  /** requests answered from a decode made earlier in the round */
  hits = 0;
  private closed = false;

  lookup(req: PixelRequest): PixelImage | undefined {
    const e = this.entries.find((x) => serves(x, req));
    if (e) this.hits++;
    return e?.image;
  }

  /** Keeps an image an agent decoded (its planes should be shared: see {@link sharedPixels}). */
  store(req: PixelRequest, image: PixelImage): void {
    this.decodes++;
    if (this.closed) return;
    this.entries.push({ maxPixels: budget(req), limitsKey: limitsKey(req), image });
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
  }

  /** The round is over: its pixels are released. */
  close(): void {
    this.closed = true;
    this.entries = [];
  }
}

/** The same image with its planes in SharedArrayBuffers (copied once if they are not). */
export function sharedPixels(image: PixelImage): PixelImage {
  const planes = image.planes.map((p) => {
    if (p.buffer instanceof SharedArrayBuffer) return p;
    const s = new Float32Array(new SharedArrayBuffer(p.byteLength));
    s.set(p);
    return s;
  });
  return { ...image, planes };
}

/** The request an agent made, reduced to what the decoders read (structured-clone safe). */
export function pixelRequest(options?: { maxPixels?: number; limits?: PixelRequest['limits'] }): PixelRequest {
  const req: PixelRequest = {};
  if (typeof options?.maxPixels === 'number') req.maxPixels = options.maxPixels;
  if (options?.limits) {
    const l: NonNullable<PixelRequest['limits']> = {};
    if (typeof options.limits.maxImagePixels === 'number') l.maxImagePixels = options.limits.maxImagePixels;
    if (typeof options.limits.maxDecodedBytes === 'number') l.maxDecodedBytes = options.limits.maxDecodedBytes;
    req.limits = l;
  }
  return req;
}

/** Decodes the file with Sidereal's readers, planes shared (what the pool threads and the main thread call). */
export async function decodePixels(localPath: string, req: PixelRequest): Promise<PixelImage> {
  // FITS and XISF decode straight into shared memory; other readers' planes are copied once
  return sharedPixels(await readPixels(localPath, { maxPixels: req.maxPixels, limits: decodeLimits(req.limits), shared: true }));
}
