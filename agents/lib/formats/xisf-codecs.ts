/**
 * XISF data block compression: zlib, lz4, lz4hc, zstd, each optionally with
 * byte shuffling ("+sh"). lz4/lz4hc are raw LZ4 blocks (no frame); the
 * decoder below checks every bound, so corrupt input fails cleanly.
 */
import { inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { AgentError } from '../../sdk/index.ts';
import { unshuffle } from './shuffle.ts';
import { checkDecodedBytes, DEFAULT_LIMITS, type DecodeLimits } from './limits.ts';

export interface Compression {
  codec: 'zlib' | 'lz4' | 'lz4hc' | 'zstd';
  shuffle: boolean;
  uncompressedSize: number;
  itemSize: number;
}

/** Parses "codec:uncompressed-size[:item-size]" (XISF 1.0 §8.5.9). */
export function parseCompression(attr: string, defaultItemSize: number): Compression {
  const parts = attr.trim().split(':');
  const name = (parts[0] ?? '').toLowerCase();
  const shuffle = name.endsWith('+sh');
  const codec = shuffle ? name.slice(0, -3) : name;
  if (codec !== 'zlib' && codec !== 'lz4' && codec !== 'lz4hc' && codec !== 'zstd') {
    throw new AgentError(`unsupported compression ${parts[0]} in XISF data block`);
  }
  const uncompressedSize = Number(parts[1]);
  if (!Number.isSafeInteger(uncompressedSize) || uncompressedSize < 0) throw new AgentError(`invalid XISF compression size '${attr}'`);
  const itemSize = parts[2] !== undefined ? Number(parts[2]) : defaultItemSize;
  if (!Number.isInteger(itemSize) || itemSize < 1 || itemSize > 16) throw new AgentError(`invalid XISF shuffle item size '${attr}'`);
  return { codec, shuffle, uncompressedSize, itemSize };
}

/** Parses the `subblocks` attribute: "c1,u1:c2,u2:…" (compressed, uncompressed sizes). */
export function parseSubblocks(attr: string | undefined): [number, number][] | null {
  if (!attr) return null;
  return attr.split(':').map((p) => {
    const [c, u] = p.split(',').map(Number);
    if (!Number.isSafeInteger(c) || !Number.isSafeInteger(u) || c! < 0 || u! < 0) throw new AgentError(`invalid XISF subblocks '${attr}'`);
    return [c!, u!];
  });
}

/**
 * Decompresses a whole block. The declared sizes are checked before anything
 * is allocated (the uncompressed size against the ceiling, the subblock sizes
 * against the data and the declared total), and each codec writes into a
 * buffer of the size its subblock declares, never further: a block that
 * inflates to more than it declared is an error, not an allocation.
 */
export function decompressBlock(data: Uint8Array, c: Compression, subblocks: [number, number][] | null, limits: DecodeLimits = DEFAULT_LIMITS): Uint8Array {
  checkDecodedBytes('XISF compressed block', c.uncompressedSize, limits);
  const parts = subblocks ?? [[data.length, c.uncompressedSize]];
  let cTotal = 0;
  let uTotal = 0;
  for (const [cs, us] of parts) {
    cTotal += cs;
    uTotal += us;
  }
  if (cTotal > data.length || uTotal !== c.uncompressedSize) {
    throw new AgentError(`XISF compressed block: subblock sizes (${cTotal} compressed, ${uTotal} uncompressed) do not match the block (${data.length} compressed, ${c.uncompressedSize} uncompressed)`);
  }
  const out = new Uint8Array(c.uncompressedSize);
  let ip = 0;
  let op = 0;
  for (const [cs, us] of parts) {
    if (ip + cs > data.length || op + us > out.length) throw new AgentError('XISF compressed block: subblock sizes exceed the data');
    const piece = decodeOne(data.subarray(ip, ip + cs), c.codec, us);
    if (piece.length !== us) {
      throw new AgentError(`XISF ${c.codec} block decompressed to ${piece.length} bytes, expected ${us}`);
    }
    out.set(piece, op);
    ip += cs;
    op += us;
  }
  if (op !== out.length) throw new AgentError('XISF compressed block: uncompressed size mismatch');
  return c.shuffle ? unshuffle(out, c.itemSize) : out;
}

function decodeOne(src: Uint8Array, codec: Compression['codec'], size: number): Uint8Array {
  try {
    if (codec === 'zlib') return inflateSync(src, { maxOutputLength: Math.max(1, size) });
    // fzstd writes into the buffer it is given (a frame that needs more fails)
    if (codec === 'zstd') return zstdDecompress(src, new Uint8Array(size));
    return lz4DecodeBlock(src, size);
  } catch (cause) {
    if (cause instanceof AgentError) throw cause;
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new AgentError(`XISF ${codec} data inflate to more than the ${size} bytes declared`, { cause });
    }
    throw new AgentError(`corrupt XISF ${codec} data: ${(cause as Error).message}`, { cause });
  }
}

/** Decodes one raw LZ4 block of known output size. */
export function lz4DecodeBlock(src: Uint8Array, size: number): Uint8Array {
  const dst = new Uint8Array(size);
  let s = 0;
  let d = 0;
  const bad = (): never => {
    throw new AgentError('corrupt XISF lz4 data');
  };
  while (s < src.length) {
    const token = src[s++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (s >= src.length) bad();
        b = src[s++]!;
        lit += b;
      } while (b === 255);
    }
    if (s + lit > src.length || d + lit > size) bad();
    dst.set(src.subarray(s, s + lit), d);
    s += lit;
    d += lit;
    if (s >= src.length) break; // last sequence has literals only
    if (s + 2 > src.length) bad();
    const off = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (off === 0 || off > d) bad();
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (s >= src.length) bad();
        b = src[s++]!;
        len += b;
      } while (b === 255);
    }
    len += 4;
    if (d + len > size) bad();
    // overlapping copies are the RLE case: byte by byte
    for (let k = 0; k < len; k++, d++) dst[d] = dst[d - off]!;
  }
  return d === size ? dst : dst.subarray(0, d);
}
