/**
 * Rice decompression as used by FITS tile compression (RICE_1), after the
 * algorithm of cfitsio's ricecomp.c (R. White): per block of `blockSize`
 * pixels a k-bit code selects "all differences zero", "raw bbits values" or a
 * Golomb-Rice split with `fs` low bits; differences are zig-zag mapped.
 */
import { AgentError } from '../../sdk/index.ts';

const PARAMS: Record<number, { fsbits: number; fsmax: number; bbits: number }> = {
  1: { fsbits: 3, fsmax: 6, bbits: 8 },
  2: { fsbits: 4, fsmax: 14, bbits: 16 },
  4: { fsbits: 5, fsmax: 25, bbits: 32 },
};

/**
 * Decodes `n` pixels of `bytepix` bytes (1, 2 or 4) into `out` as signed
 * integers of that width (BYTEPIX 1 is unsigned, as FITS BITPIX 8).
 */
export function riceDecode(input: Uint8Array, n: number, bytepix: number, blockSize: number, out: Int32Array): void {
  const p = PARAMS[bytepix];
  if (!p) throw new AgentError(`RICE_1: unsupported BYTEPIX ${bytepix}`);
  if (blockSize <= 0) throw new AgentError(`RICE_1: invalid BLOCKSIZE ${blockSize}`);
  const { fsbits, fsmax, bbits } = p;
  const len = input.length;
  let ip = 0;
  const next = (): number => {
    if (ip >= len) throw new AgentError('RICE_1: compressed tile is truncated');
    return input[ip++]!;
  };
  // first pixel stored raw, big-endian, bytepix bytes
  let lastpix = 0;
  for (let k = 0; k < bytepix; k++) lastpix = lastpix * 256 + next();
  lastpix = wrap(lastpix, bytepix);
  // bit buffer: `b` holds `nbits` unread low bits (< 2^nbits ≤ 2^31 with care)
  let b = next();
  let nbits = 8;
  for (let i = 0; i < n; ) {
    nbits -= fsbits;
    while (nbits < 0) {
      b = b * 256 + next();
      nbits += 8;
    }
    const fs = Math.floor(b / 2 ** nbits) - 1;
    b = b % 2 ** nbits;
    const imax = Math.min(i + blockSize, n);
    if (fs < 0) {
      for (; i < imax; i++) out[i] = lastpix;
    } else if (fs === fsmax) {
      for (; i < imax; i++) {
        // read bbits raw bits
        let diff = b;
        let have = nbits;
        while (have < bbits) {
          diff = diff * 256 + next();
          have += 8;
        }
        const extra = have - bbits;
        const m = 2 ** extra;
        b = diff % m;
        diff = Math.floor(diff / m);
        nbits = extra;
        lastpix = wrap(unzig(diff) + lastpix, bytepix);
        out[i] = lastpix;
      }
    } else {
      for (; i < imax; i++) {
        // count leading zeros up to the terminating 1 bit
        let nzero = 0;
        while (b === 0) {
          nzero += nbits;
          b = next();
          nbits = 8;
        }
        const top = 31 - Math.clz32(b); // position of the highest set bit
        nzero += nbits - 1 - top;
        nbits = top;
        b -= 2 ** top; // drop the 1
        nbits -= fs;
        while (nbits < 0) {
          b = b * 256 + next();
          nbits += 8;
        }
        const m = 2 ** nbits;
        const diff = nzero * 2 ** fs + Math.floor(b / m);
        b = b % m;
        lastpix = wrap(unzig(diff) + lastpix, bytepix);
        out[i] = lastpix;
      }
    }
  }
}

/** undoes the zig-zag map: even → +d/2, odd → −(d+1)/2 */
function unzig(d: number): number {
  return d % 2 === 0 ? d / 2 : -(d + 1) / 2;
}

/** wraps to the pixel width, as the C code's unsigned arithmetic does; signed for 2 and 4 bytes */
function wrap(v: number, bytepix: number): number {
  if (bytepix === 1) return ((v % 256) + 256) % 256;
  if (bytepix === 2) return (v << 16) >> 16;
  return v | 0;
}
