/**
 * The HDUs of an astrometry.net index file (headers only, data located by
 * offset), shared by the Tycho-2 star reader and the index-quad search.
 */
import { readSync } from 'node:fs';
import type { HeaderCard } from '../../sdk/facts.ts';
import { BLOCK as FITS_BLOCK, parseFitsHeader } from '../formats/fits-header.ts';

export interface Hdu {
  cards: Map<string, HeaderCard['value']>;
  dataOffset: number;
  dataBytes: number;
}

/** Lists the HDUs of a FITS file (headers only). */
export function listHdus(fd: number, size: number): Hdu[] {
  const hdus: Hdu[] = [];
  let off = 0;
  const head = new Uint8Array(FITS_BLOCK * 16);
  while (off < size) {
    const n = readSync(fd, head, 0, head.length, off);
    const { cards, headerBytes } = parseFitsHeader(head.subarray(0, n));
    const m = new Map(cards.map((c) => [c.key, c.value]));
    const naxis = Number(m.get('NAXIS') ?? 0);
    let bytes = 0;
    if (naxis > 0) {
      bytes = Math.abs(Number(m.get('BITPIX'))) / 8;
      for (let k = 1; k <= naxis; k++) bytes *= Number(m.get(`NAXIS${k}`));
      bytes += Number(m.get('PCOUNT') ?? 0);
    }
    hdus.push({ cards: m, dataOffset: off + headerBytes, dataBytes: bytes });
    off += headerBytes + Math.ceil(bytes / FITS_BLOCK) * FITS_BLOCK;
  }
  return hdus;
}
