/**
 * FITS tile-compressed images (`.fz`, "Tiled Image Compression Convention",
 * FITS 4.0 §10): a BINTABLE with ZIMAGE = T, one row per tile, compressed
 * bytes in the heap. Supported: RICE_1, GZIP_1, GZIP_2, NOCOMPRESS, with
 * quantized floating-point data (NO_DITHER, SUBTRACTIVE_DITHER_1/2) and the
 * GZIP_COMPRESSED_DATA / UNCOMPRESSED_DATA fallbacks. PLIO_1 and HCOMPRESS_1
 * are rejected with a clear error.
 */
import { gunzipSync } from 'node:zlib';
import { AgentError } from '../../sdk/index.ts';
import type { Header } from './fits-header.ts';
import type { FitsImageInfo } from './fits.ts';
import { riceDecode } from './rice.ts';
import { unshuffle } from './shuffle.ts';
import { linearMap, type RowSink, type SampleType } from './samples.ts';
import { checkDecodedBytes, DEFAULT_LIMITS, type DecodeLimits } from './limits.ts';

const SUPPORTED = new Set(['RICE_1', 'RICE_ONE', 'GZIP_1', 'GZIP_2', 'NOCOMPRESS']);

/** Image geometry of a ZIMAGE table, validated. */
export function tileImageInfo(header: Header, index: number): FitsImageInfo | null {
  const zbitpix = header.int('ZBITPIX');
  const znaxis = header.int('ZNAXIS');
  if (zbitpix === undefined || ![8, 16, 32, 64, -32, -64].includes(zbitpix)) {
    throw new AgentError(`FITS HDU ${index}: tile-compressed image with invalid ZBITPIX`);
  }
  if (znaxis === undefined || znaxis < 0 || znaxis > 999) throw new AgentError(`FITS HDU ${index}: invalid ZNAXIS`);
  if (znaxis < 2) return null;
  const w = header.int('ZNAXIS1');
  const h = header.int('ZNAXIS2');
  const d = znaxis >= 3 ? header.int('ZNAXIS3') : 1;
  if (!w || !h || w < 0 || h < 0 || d === undefined || d <= 0) return null;
  const compression = (header.string('ZCMPTYPE') ?? '').trim().toUpperCase() || 'UNKNOWN';
  return { width: w, height: h, depth: d, bitpix: zbitpix, compression };
}

interface Column {
  name: string;
  offset: number;
  code: string;
  repeat: number;
}

const CODE_BYTES: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };

function columns(header: Header): Column[] {
  const n = header.int('TFIELDS') ?? 0;
  if (n < 0 || n > 999) throw new AgentError('tile-compressed FITS: invalid TFIELDS');
  const cols: Column[] = [];
  let offset = 0;
  for (let i = 1; i <= n; i++) {
    const form = (header.string(`TFORM${i}`) ?? '').trim().toUpperCase();
    const m = /^(\d*)([LXBIJKAEDCMPQ])/.exec(form);
    if (!m) throw new AgentError(`tile-compressed FITS: unsupported TFORM${i} '${form}'`);
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    if (!Number.isSafeInteger(repeat)) throw new AgentError(`tile-compressed FITS: invalid TFORM${i} '${form}'`);
    const code = m[2]!;
    const width = code === 'X' ? Math.ceil(repeat / 8) : repeat * CODE_BYTES[code]!;
    // for P/Q descriptors the element type follows: 1PB(…) → element B
    const elem = code === 'P' || code === 'Q' ? form.slice(m[0].length, m[0].length + 1) : code;
    cols.push({ name: (header.string(`TTYPE${i}`) ?? '').trim().toUpperCase(), offset, code: code + elem, repeat });
    offset += width;
  }
  if (offset !== header.int('NAXIS1')) throw new AgentError('tile-compressed FITS: TFORMn widths do not add up to NAXIS1');
  return cols;
}

function zparam(header: Header, name: string): number | undefined {
  for (let i = 1; i <= 99; i++) {
    const n = header.string(`ZNAME${i}`);
    if (n === undefined) return undefined;
    if (n.trim().toUpperCase() === name) return header.number(`ZVAL${i}`);
  }
  return undefined;
}

/** cfitsio's table of 10,000 pseudo-random floats used for subtractive dithering. */
let randoms: Float32Array | null = null;
function ditherTable(): Float32Array {
  if (randoms) return randoms;
  randoms = new Float32Array(10000);
  const a = 16807;
  const m = 2147483647;
  let seed = 1;
  for (let i = 0; i < 10000; i++) {
    const temp = a * seed;
    seed = temp - m * Math.trunc(temp / m);
    randoms[i] = seed / m;
  }
  return randoms;
}

/**
 * Decodes every tile of a tile-compressed image (table + heap in `data`) into
 * the binner. Every size the header declares (table, heap, tile shape) is
 * checked against `data` and the ceilings before a buffer is allocated, and
 * every inflate is limited to the bytes its tile needs.
 */
export function decodeTileCompressed(header: Header, image: FitsImageInfo, data: Uint8Array, binner: RowSink, limits: DecodeLimits = DEFAULT_LIMITS): void {
  const cmp = image.compression ?? 'UNKNOWN';
  if (!SUPPORTED.has(cmp)) throw new AgentError(`unsupported compression ${cmp} in tile-compressed FITS`);
  const cols = columns(header);
  const col = (name: string) => cols.find((c) => c.name === name);
  const cData = col('COMPRESSED_DATA');
  const cGzip = col('GZIP_COMPRESSED_DATA');
  const cRaw = col('UNCOMPRESSED_DATA');
  const cScale = col('ZSCALE');
  const cZero = col('ZZERO');
  const cBlank = col('ZBLANK');
  if (!cData) throw new AgentError('tile-compressed FITS: no COMPRESSED_DATA column');
  for (const c of [cData, cGzip, cRaw]) {
    if (c && c.code[0] !== 'P' && c.code[0] !== 'Q') throw new AgentError(`tile-compressed FITS: column ${c.name} is not a heap descriptor (TFORM P or Q)`);
  }
  const rowBytes = header.int('NAXIS1')!;
  const nrows = header.int('NAXIS2')!;
  const heapStart = header.int('THEAP') ?? rowBytes * nrows;
  if (rowBytes * nrows > data.length || heapStart < rowBytes * nrows || heapStart > data.length) {
    throw new AgentError('tile-compressed FITS: table or heap (NAXIS1, NAXIS2, THEAP) outside the data unit');
  }
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);

  const w = image.width;
  const h = image.height;
  const ztile1 = header.int('ZTILE1') ?? w;
  const ztile2 = header.int('ZTILE2') ?? 1;
  const td = header.int('ZTILE3') ?? 1;
  if (ztile1 <= 0 || ztile2 <= 0 || td !== 1) throw new AgentError(`tile-compressed FITS: unsupported tile shape ${ztile1}×${ztile2}×${td}`);
  // a tile larger than the image only means "the whole axis"
  const tw = Math.min(ztile1, w);
  const th = Math.min(ztile2, h);
  // the tile buffers below (ints, doubles) and one band of float rows
  checkDecodedBytes(`tile-compressed FITS: tiles of ${tw}×${th} pixels`, tw * th * 12 + w * th * 4, limits);
  const ntx = Math.ceil(w / tw);
  const nty = Math.ceil(h / th);
  const channels = binner.inputChannels;
  if (ntx * nty * image.depth > nrows) throw new AgentError('tile-compressed FITS: fewer table rows than tiles');

  const zbitpix = image.bitpix;
  const isFloat = zbitpix < 0;
  const quant = (header.string('ZQUANTIZ') ?? 'NO_DITHER').trim().toUpperCase();
  const dither0 = header.int('ZDITHER0') ?? 1;
  const blankKey = header.int('ZBLANK') ?? (isFloat ? undefined : header.int('BLANK'));
  const intType: SampleType = ({ 8: 'u8', 16: 'i16', 32: 'i32', 64: 'i64' } as Record<number, SampleType>)[zbitpix] ?? 'i32';
  const [ia, ib] = linearMap(intType, header.number('BSCALE') ?? 1, header.number('BZERO') ?? 0);
  const blockSize = zparam(header, 'BLOCKSIZE') ?? 32;
  const bytepixDefault = isFloat ? 4 : Math.min(4, Math.abs(zbitpix) / 8);
  const bytepix = zparam(header, 'BYTEPIX') ?? bytepixDefault;

  const band = new Float32Array(w * th);
  const ints = new Int32Array(tw * th);
  const vals = new Float64Array(tw * th);
  const rowBuf = new Float32Array(w);

  const descriptor = (c: Column, row: number): [number, number] => {
    const at = row * rowBytes + c.offset;
    if (c.code[0] === 'Q') return [Number(dv.getBigInt64(at)), Number(dv.getBigInt64(at + 8))];
    return [dv.getInt32(at), dv.getInt32(at + 4)];
  };
  const heapBytes = (c: Column, row: number): Uint8Array => {
    const [count, off] = descriptor(c, row);
    const size = count * (CODE_BYTES[c.code[1] ?? 'B'] ?? 1);
    const start = heapStart + off;
    if (count < 0 || off < 0 || start + size > data.length) throw new AgentError(`tile-compressed FITS: tile ${row + 1} points outside the heap`);
    return data.subarray(start, start + size);
  };
  const numberCol = (c: Column | undefined, row: number): number | undefined => {
    if (!c) return undefined;
    const at = row * rowBytes + c.offset;
    switch (c.code[0]) {
      case 'D': return dv.getFloat64(at);
      case 'E': return dv.getFloat32(at);
      case 'J': return dv.getInt32(at);
      case 'I': return dv.getInt16(at);
      case 'K': return Number(dv.getBigInt64(at));
      default: return undefined;
    }
  };

  for (let z = 0; z < channels; z++) {
    for (let ty = 0; ty < nty; ty++) {
      const y0 = ty * th;
      const rowsHere = Math.min(th, h - y0);
      for (let tx = 0; tx < ntx; tx++) {
        const x0 = tx * tw;
        const colsHere = Math.min(tw, w - x0);
        const n = colsHere * rowsHere;
        const row = (z * nty + ty) * ntx + tx;
        decodeTile(row, n);
        for (let r = 0; r < rowsHere; r++) {
          const dst = r * w + x0;
          for (let x = 0; x < colsHere; x++) band[dst + x] = vals[r * colsHere + x]!;
        }
      }
      for (let r = 0; r < rowsHere; r++) {
        rowBuf.set(band.subarray(r * w, r * w + w));
        binner.addRow(z, y0 + r, rowBuf);
      }
    }
  }

  function decodeTile(row: number, n: number): void {
    const bytes = heapBytes(cData!, row);
    if (bytes.length === 0) {
      // lossless fallbacks for tiles that could not be quantized
      if (cGzip) {
        const g = heapBytes(cGzip, row);
        if (g.length > 0) return rawTile(gunzip(g, n * (Math.abs(zbitpix) / 8)), n, zbitpix);
      }
      if (cRaw) {
        const u = heapBytes(cRaw, row);
        if (u.length > 0) return rawTile(u, n, cRaw.code[1] === 'D' ? -64 : cRaw.code[1] === 'E' ? -32 : zbitpix);
      }
      throw new AgentError(`tile-compressed FITS: tile ${row + 1} has no data`);
    }
    if (isFloat && quant === 'NONE' && cmp.startsWith('GZIP')) {
      const size = Math.abs(zbitpix) / 8;
      const raw = gunzip(bytes, n * size);
      return rawTile(cmp === 'GZIP_2' ? unshuffle(raw, size) : raw, n, zbitpix);
    }
    if (cmp === 'NOCOMPRESS') return rawTile(bytes, n, isFloat && quant === 'NONE' ? zbitpix : isFloat ? 32 : zbitpix);
    if (cmp === 'RICE_1' || cmp === 'RICE_ONE') {
      riceDecode(bytes, n, bytepix, blockSize, ints);
    } else {
      const width = isFloat ? 4 : Math.abs(zbitpix) / 8;
      let raw = gunzip(bytes, n * width);
      if (cmp === 'GZIP_2') raw = unshuffle(raw, width);
      if (raw.length < n * width) throw new AgentError(`tile-compressed FITS: tile ${row + 1} is short`);
      const rv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let i = 0; i < n; i++) {
        ints[i] = width === 1 ? rv.getUint8(i) : width === 2 ? rv.getInt16(i * 2) : width === 4 ? rv.getInt32(i * 4) : Number(rv.getBigInt64(i * 8));
      }
    }
    const blank = numberCol(cBlank, row) ?? blankKey;
    if (!isFloat) {
      for (let i = 0; i < n; i++) vals[i] = ints[i] === blank ? NaN : ints[i]! * ia + ib;
      return;
    }
    const scale = numberCol(cScale, row) ?? header.number('ZSCALE') ?? 1;
    const zero = numberCol(cZero, row) ?? header.number('ZZERO') ?? 0;
    if (quant === 'SUBTRACTIVE_DITHER_1' || quant === 'SUBTRACTIVE_DITHER_2') {
      const rnd = ditherTable();
      let iseed = (((row + dither0 - 1) % 10000) + 10000) % 10000;
      let nextrand = Math.trunc(rnd[iseed]! * 500);
      const d2 = quant === 'SUBTRACTIVE_DITHER_2';
      for (let i = 0; i < n; i++) {
        const q = ints[i]!;
        if (q === blank) vals[i] = NaN;
        else if (d2 && q === -2147483646) vals[i] = 0;
        else vals[i] = (q - rnd[nextrand]! + 0.5) * scale + zero;
        if (++nextrand === 10000) {
          if (++iseed === 10000) iseed = 0;
          nextrand = Math.trunc(rnd[iseed]! * 500);
        }
      }
    } else {
      for (let i = 0; i < n; i++) vals[i] = ints[i] === blank ? NaN : ints[i]! * scale + zero;
    }
  }

  function rawTile(bytes: Uint8Array, n: number, bitpix: number): void {
    const size = Math.abs(bitpix) / 8;
    if (bytes.length < n * size) throw new AgentError('tile-compressed FITS: uncompressed tile is short');
    const rv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      let v: number;
      switch (bitpix) {
        case -32: v = rv.getFloat32(o); break;
        case -64: v = rv.getFloat64(o); break;
        case 8: v = rv.getUint8(o) * ia + ib; break;
        case 16: v = rv.getInt16(o) * ia + ib; break;
        case 32: v = rv.getInt32(o) * ia + ib; break;
        default: v = Number(rv.getBigInt64(o)) * ia + ib;
      }
      vals[i] = v;
    }
  }
}

/**
 * Inflates one tile, never to more than the `expected` bytes the tile needs:
 * a tile that inflates further is a lie (or a bomb) and fails its image.
 */
function gunzip(bytes: Uint8Array, expected: number): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: Math.max(1, expected) });
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new AgentError(`tile-compressed FITS: a gzip tile inflates to more than the ${expected} bytes its tile holds`, { cause });
    }
    throw new AgentError(`tile-compressed FITS: corrupt gzip tile (${(cause as Error).message})`, { cause });
  }
}
