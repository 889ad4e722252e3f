/**
 * FITS reader: HDU walk, image geometry and pixel decoding for plain and
 * gzip-compressed files (tile-compressed `.fz` images are in fits-tiles.ts).
 *
 * The walk is forward-only (works on a gzip stream) and stops at the first HDU
 * with image data, so reading headers costs one or two 2880-byte blocks for a
 * typical capture file.
 */
import type { HeaderCard } from '../../sdk/facts.ts';
import { AgentError } from '../../sdk/index.ts';
import { openFileSource, openGzipSource, openRandomAccess, type ByteSource, type Prefetched } from './byte-source.ts';
import { BLOCK, Header, HeaderParser } from './fits-header.ts';
import { binFactor, makeRowDecoder, PlaneBinner, sampleTable, type RowSink, type SampleType } from './samples.ts';
import { makeSink } from './cfa.ts';
import { decodeTileCompressed, tileImageInfo } from './fits-tiles.ts';
import { checkDecodedBytes, checkImagePixels, DEFAULT_LIMITS, type DecodeLimits } from './limits.ts';
import type { PixelImage } from './types.ts';

export interface FitsImageInfo {
  width: number;
  height: number;
  /** NAXIS3 (1 when absent) */
  depth: number;
  bitpix: number;
  /** ZCMPTYPE of a tile-compressed image, else null */
  compression: string | null;
}

export interface FitsHdu {
  index: number;
  kind: 'primary' | 'image' | 'bintable' | 'table' | 'other';
  header: Header;
  /** byte offset of the data unit (uncompressed stream offset) */
  dataOffset: number;
  /** data size without padding */
  dataBytes: number;
  image: FitsImageInfo | null;
}

export interface FitsScan {
  hdus: FitsHdu[];
  /** the first HDU with image data (NAXIS ≥ 2), or null */
  imageHdu: FitsHdu | null;
  gzip: boolean;
}

export interface FitsOpenOptions {
  gzip?: boolean;
  /** stop walking after the first HDU with image data (default true) */
  stopAtImage?: boolean;
  maxHdus?: number;
  maxHeaderBlocks?: number;
  /** the first bytes of a plain file, already read (saves an open for small headers) */
  prefetched?: Prefetched;
}

const BITPIX_TYPES: Record<number, SampleType> = { 8: 'u8', 16: 'i16', 32: 'i32', 64: 'i64', [-32]: 'f32', [-64]: 'f64' };

/** Walks the HDUs of a FITS file (headers only). */
export async function scanFits(path: string, options: FitsOpenOptions = {}): Promise<FitsScan> {
  const src = options.gzip ? openGzipSource(path) : await openFileSource(path, 0, options.prefetched);
  try {
    return await walk(src, options);
  } finally {
    await src.close();
  }
}

/** Cards of the primary HDU followed by those of the image HDU when that is an extension. */
export function fitsCards(scan: FitsScan): HeaderCard[] {
  const primary = scan.hdus[0];
  if (!primary) return [];
  const cards = [...primary.header.cards];
  if (scan.imageHdu && scan.imageHdu !== primary) cards.push(...scan.imageHdu.header.cards);
  return cards;
}

async function walk(src: ByteSource, options: FitsOpenOptions): Promise<FitsScan> {
  const maxHdus = options.maxHdus ?? 1000;
  const stopAtImage = options.stopAtImage ?? true;
  const hdus: FitsHdu[] = [];
  let imageHdu: FitsHdu | null = null;
  while (hdus.length < maxHdus) {
    const index = hdus.length;
    const first = await src.read(BLOCK);
    if (first.length === 0) break;
    const start = String.fromCharCode(...first.subarray(0, 9));
    if (index === 0 && start !== 'SIMPLE  =') throw new AgentError('not a FITS file (no SIMPLE card)');
    // anything after the last HDU that is not an extension is ignored (FITS 4.0 §3.5)
    if (index > 0 && start !== 'XTENSION=') break;
    const parser = new HeaderParser(options.maxHeaderBlocks);
    let block = first;
    try {
      while (!parser.push(block)) block = await src.read(BLOCK);
    } catch (e) {
      // a damaged trailing extension does not spoil the HDUs before it
      if (index === 0 || !(e instanceof AgentError)) throw e;
      break;
    }
    const header = new Header(parser.cards);
    const hdu = describeHdu(index, header, src.position);
    hdus.push(hdu);
    const padded = Math.ceil(hdu.dataBytes / BLOCK) * BLOCK;
    if (hdu.image && !imageHdu) {
      imageHdu = hdu;
      checkFits(src, hdu);
      if (stopAtImage) break;
    }
    if (src.size !== null && hdu.dataOffset + hdu.dataBytes > src.size) break;
    const skipped = await src.skip(padded);
    if (skipped < hdu.dataBytes) break;
  }
  return { hdus, imageHdu, gzip: src.size === null };
}

/** Throws when the data unit of the image HDU cannot be inside the file. */
function checkFits(src: ByteSource, hdu: FitsHdu): void {
  if (src.size !== null && hdu.dataOffset + hdu.dataBytes > src.size) {
    const have = Math.max(0, src.size - hdu.dataOffset);
    throw new AgentError(
      `FITS HDU ${hdu.index} declares ${hdu.dataBytes} bytes of data but the file holds only ${have} after its header ` +
        '(truncated file, or NAXISn/BITPIX do not match the data)',
    );
  }
}

function describeHdu(index: number, header: Header, dataOffset: number): FitsHdu {
  const xt = index === 0 ? 'PRIMARY' : (header.string('XTENSION') ?? '').trim().toUpperCase();
  const kind: FitsHdu['kind'] =
    index === 0 ? 'primary' : xt === 'IMAGE' ? 'image' : xt === 'BINTABLE' || xt === 'A3DTABLE' ? 'bintable' : xt === 'TABLE' ? 'table' : 'other';
  const bitpix = header.int('BITPIX');
  if (bitpix === undefined || !(bitpix in BITPIX_TYPES)) {
    throw new AgentError(`FITS HDU ${index}: invalid BITPIX ${String(header.get('BITPIX'))}`);
  }
  const naxis = header.int('NAXIS');
  if (naxis === undefined || naxis < 0 || naxis > 999) {
    throw new AgentError(`FITS HDU ${index}: invalid NAXIS ${String(header.get('NAXIS'))}`);
  }
  const axes: number[] = [];
  for (let i = 1; i <= naxis; i++) {
    const n = header.int(`NAXIS${i}`);
    if (n === undefined || n < 0) throw new AgentError(`FITS HDU ${index}: invalid or missing NAXIS${i}`);
    axes.push(n);
  }
  const pcount = header.int('PCOUNT') ?? 0;
  const gcount = header.int('GCOUNT') ?? 1;
  if (pcount < 0 || gcount < 0) throw new AgentError(`FITS HDU ${index}: invalid PCOUNT/GCOUNT`);
  const groups = index === 0 && naxis > 0 && axes[0] === 0 && header.bool('GROUPS') === true;
  let count = naxis === 0 ? 0 : 1;
  for (let i = groups ? 1 : 0; i < axes.length; i++) count *= axes[i]!;
  const dataBytes = naxis === 0 ? 0 : (Math.abs(bitpix) / 8) * gcount * (pcount + count);
  if (!Number.isSafeInteger(dataBytes)) throw new AgentError(`FITS HDU ${index}: absurd data size from NAXISn`);

  let image: FitsImageInfo | null = null;
  if ((kind === 'primary' || kind === 'image') && !groups && naxis >= 2 && axes[0]! > 0 && axes[1]! > 0) {
    image = { width: axes[0]!, height: axes[1]!, depth: naxis >= 3 ? axes[2]! : 1, bitpix, compression: null };
    if (image.depth === 0) image = null;
  } else if (kind === 'bintable' && header.bool('ZIMAGE') === true) {
    image = tileImageInfo(header, index);
  }
  return { index, kind, header, dataOffset, dataBytes, image };
}

/** Planes decoded from a FITS cube: 1, or NAXIS3 when it is a small colour cube (≤ 4). */
export function fitsChannels(image: FitsImageInfo): number {
  return image.depth <= 4 ? image.depth : 1;
}

/** FITS BAYERPAT (+ XBAYROFF/YBAYROFF) as a CFA pattern for the stored row order. */
export function fitsBayerPattern(header: Header): string | null {
  const raw = (header.string('BAYERPAT') ?? header.string('COLORTYP') ?? '').trim().toUpperCase();
  if (!/^(RGGB|BGGR|GRBG|GBRG)$/.test(raw)) return null;
  let p = raw.split('');
  if ((header.int('XBAYROFF') ?? 0) % 2 !== 0) p = [p[1]!, p[0]!, p[3]!, p[2]!];
  if ((header.int('YBAYROFF') ?? 0) % 2 !== 0) p = [p[2]!, p[3]!, p[0]!, p[1]!];
  return p.join('');
}

export interface ReadFitsOptions {
  gzip?: boolean;
  maxPixels?: number;
  /** memory ceilings (default: DEFAULT_LIMITS) */
  limits?: DecodeLimits;
  /** planes in SharedArrayBuffers (to hand them to other threads without a copy) */
  shared?: boolean;
}

/**
 * Decodes the first image of a FITS file into a PixelImage, binning on the fly.
 * Peak memory: output planes + one band of raw rows (≤ 4 MiB) + a row of sums
 * per channel; for `.fz` also the compressed table+heap of the image HDU.
 */
export async function readFitsPixels(path: string, options: ReadFitsOptions = {}): Promise<PixelImage> {
  const src = options.gzip ? openGzipSource(path) : await openFileSource(path);
  try {
    const scan = await walk(src, { stopAtImage: true });
    const hdu = scan.imageHdu;
    if (!hdu || !hdu.image) throw new AgentError('FITS file has no image data (no HDU with NAXIS ≥ 2)');
    const image = hdu.image;
    const limits = options.limits ?? DEFAULT_LIMITS;
    checkImagePixels(`FITS HDU ${hdu.index}`, image.width, image.height, limits);
    // rows are read whole (a band is at least one row) and decoded to floats
    checkDecodedBytes(`FITS HDU ${hdu.index}: one image row`, image.width * (Math.abs(image.bitpix) / 8 + 4), limits);
    // a tile-compressed image's table and heap are read whole: bounded before reading
    if (image.compression) checkDecodedBytes(`FITS HDU ${hdu.index}: tile-compressed table and heap`, hdu.dataBytes, limits);
    if (options.gzip) await checkGzipSize(path, hdu);
    const header = hdu.header;
    const primary = scan.hdus[0]!.header;
    const rowOrderText = (header.string('ROWORDER') ?? primary.string('ROWORDER') ?? '').trim().toUpperCase();
    const channels = fitsChannels(image);
    const bin = binFactor(image.width, image.height, channels, options.maxPixels);
    const pattern = channels === 1 ? (fitsBayerPattern(header) ?? fitsBayerPattern(primary)) : null;
    // a mosaic that must shrink is super-pixel debayered to RGB (block averages would mix colours)
    const { sink: binner, bayerPattern } = makeSink(image.width, image.height, channels, bin, pattern, options.shared);
    if (image.compression) {
      const data = await src.read(hdu.dataBytes);
      if (data.length < hdu.dataBytes) throw new AgentError('truncated FITS file: compressed image data end early');
      decodeTileCompressed(header, image, data, binner, limits);
    } else {
      await decodePlain(src, header, image, channels, binner);
    }
    return {
      width: binner.outWidth,
      height: binner.outHeight,
      channels: binner.planes.length,
      planes: binner.planes,
      rowOrder: rowOrderText === 'TOP-DOWN' ? 'top-down' : 'bottom-up',
      bayerPattern,
      linear: true,
      binned: binner.bin,
    };
  } finally {
    await src.close();
  }
}

/**
 * A gzip member ends with its uncompressed size mod 2^32 (ISIZE): when the
 * header promises more data than that, fail before allocating anything.
 * ISIZE is only trusted below 4 GiB (exact for single-member files); above,
 * deflate's maximum ratio bounds what the file can hold.
 */
async function checkGzipSize(path: string, hdu: FitsHdu): Promise<void> {
  const raf = await openRandomAccess(path);
  try {
    if (raf.size < 18) return;
    const tail = await raf.readAt(raf.size - 4, 4);
    const isize = new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
    const need = hdu.dataOffset + hdu.dataBytes;
    const lie = `FITS HDU ${hdu.index} declares ${hdu.dataBytes} bytes of data but the gzip stream`;
    if (need < 2 ** 32 && need > isize && isize >= hdu.dataOffset) {
      throw new AgentError(`${lie} holds only ${isize - hdu.dataOffset} after its header (truncated file, or NAXISn/BITPIX do not match the data)`);
    }
    // deflate cannot compress better than about 1032:1
    if (need > raf.size * 1032 + 65536) {
      throw new AgentError(`${lie} of ${raf.size} bytes cannot hold that much (NAXISn/BITPIX do not match the data)`);
    }
  } finally {
    await raf.close();
  }
}

async function decodePlain(src: ByteSource, header: Header, image: FitsImageInfo, channels: number, binner: RowSink): Promise<void> {
  const type = BITPIX_TYPES[image.bitpix]!;
  const isInt = image.bitpix > 0;
  const samples = {
    type,
    littleEndian: false,
    scale: header.number('BSCALE') ?? 1,
    zero: header.number('BZERO') ?? 0,
    blank: isInt ? header.int('BLANK') : undefined,
  };
  const decode = makeRowDecoder(samples);
  const bpp = Math.abs(image.bitpix) / 8;
  const rowBytes = image.width * bpp;
  // 16-bit frames binned ×2 (the usual preview of a 20–60 MP sub) go from bytes to bins in one step
  const table = bpp === 2 && binner instanceof PlaneBinner && binner.bin === 2 ? Float32Array.from(sampleTable(samples) ?? []) : null;
  let bandRows = Math.max(1, Math.floor((4 << 20) / rowBytes));
  if (table && bandRows > 1) bandRows -= bandRows % 2; // row pairs never straddle two bands
  const row = new Float32Array(image.width);
  // one band buffer for the whole image: a new one per band would be 48 MB of garbage for a 24 MP frame
  const buffer = new Uint8Array(Math.min(bandRows, image.height) * rowBytes);
  for (let c = 0; c < channels; c++) {
    for (let y0 = 0; y0 < image.height; y0 += bandRows) {
      const rows = Math.min(bandRows, image.height - y0);
      const band = await src.read(rows * rowBytes, buffer);
      if (band.length < rows * rowBytes) {
        throw new AgentError(`truncated FITS data: plane ${c + 1}, row ${y0 + Math.floor(band.length / rowBytes) + 1} of ${image.height} missing`);
      }
      for (let r = 0; r < rows; r++) {
        if (table && r + 1 < rows && (binner as PlaneBinner).addRowPair16(c, y0 + r, band, r * rowBytes, (r + 1) * rowBytes, table, false)) {
          r++;
          continue;
        }
        decode(band, r * rowBytes, image.width, row);
        binner.addRow(c, y0 + r, row);
      }
    }
  }
}
