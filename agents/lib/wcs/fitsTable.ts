/**
 * FITS binary tables of float64 columns: written for solve-field (`xylist`
 * with X, Y, FLUX) and wcs-xy2rd/wcs-rd2xy, read back for their outputs.
 */
import type { HeaderCard } from '../../sdk/facts.ts';
import { BLOCK as FITS_BLOCK, formatFitsHeader, parseFitsHeader } from '../formats/fits-header.ts';

/** A complete FITS file: empty primary HDU + one BINTABLE of big-endian doubles. */
export function writeFitsTable(
  columns: Record<string, ArrayLike<number>>, primaryCards: HeaderCard[] = [], tableCards: HeaderCard[] = [],
): Uint8Array {
  const names = Object.keys(columns);
  const rows = names.length ? columns[names[0]].length : 0;
  const primary = formatFitsHeader([
    { key: 'SIMPLE', value: true }, { key: 'BITPIX', value: 8 }, { key: 'NAXIS', value: 0 }, { key: 'EXTEND', value: true },
    ...primaryCards,
  ]);
  const ext = formatFitsHeader([
    { key: 'XTENSION', value: 'BINTABLE' }, { key: 'BITPIX', value: 8 }, { key: 'NAXIS', value: 2 },
    { key: 'NAXIS1', value: 8 * names.length }, { key: 'NAXIS2', value: rows },
    { key: 'PCOUNT', value: 0 }, { key: 'GCOUNT', value: 1 }, { key: 'TFIELDS', value: names.length },
    ...names.flatMap((n, i) => [{ key: `TTYPE${i + 1}`, value: n }, { key: `TFORM${i + 1}`, value: '1D' }]),
    ...tableCards,
  ]);
  const dataLen = rows * 8 * names.length;
  const data = new Uint8Array(Math.ceil(dataLen / FITS_BLOCK) * FITS_BLOCK);
  const view = new DataView(data.buffer);
  for (let r = 0; r < rows; r++) {
    names.forEach((n, c) => view.setFloat64((r * names.length + c) * 8, Number(columns[n][r]), false));
  }
  const out = new Uint8Array(primary.length + ext.length + data.length);
  out.set(primary, 0);
  out.set(ext, primary.length);
  out.set(data, primary.length + ext.length);
  return out;
}

/** Reads the first BINTABLE's numeric columns (D, E, J, I, K, B formats, repeat 1) as float64 arrays. */
export function readFitsTable(bytes: Uint8Array): Record<string, Float64Array> {
  let pos = 0;
  const first = parseFitsHeader(bytes, 0);
  const dataSize = (cards: HeaderCard[]): number => {
    const m = new Map(cards.map((c) => [c.key, Number(c.value)]));
    const naxis = m.get('NAXIS') ?? 0;
    if (!naxis) return 0;
    let n = Math.abs(m.get('BITPIX') ?? 8) / 8;
    for (let i = 1; i <= naxis; i++) n *= m.get(`NAXIS${i}`) ?? 0;
    return n + (m.get('PCOUNT') ?? 0);
  };
  pos = first.headerBytes + Math.ceil(dataSize(first.cards) / FITS_BLOCK) * FITS_BLOCK;
  const { cards, headerBytes } = parseFitsHeader(bytes, pos);
  const m = new Map(cards.map((c) => [c.key, c.value]));
  const rowLen = Number(m.get('NAXIS1'));
  const rows = Number(m.get('NAXIS2'));
  const nf = Number(m.get('TFIELDS'));
  const view = new DataView(bytes.buffer, bytes.byteOffset + pos + headerBytes);
  const out: Record<string, Float64Array> = {};
  let off = 0;
  for (let f = 1; f <= nf; f++) {
    const form = String(m.get(`TFORM${f}`)).trim();
    const name = String(m.get(`TTYPE${f}`) ?? `COL${f}`).trim();
    const mm = /^(\d*)([A-Z])/.exec(form);
    const rep = mm && mm[1] ? Number(mm[1]) : 1;
    const code = mm ? mm[2] : 'D';
    const size = { D: 8, E: 4, J: 4, I: 2, K: 8, B: 1, L: 1, A: 1 }[code] ?? 1;
    if (rep === 1 && 'DEJIKB'.includes(code)) {
      const col = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        const o = r * rowLen + off;
        col[r] = code === 'D' ? view.getFloat64(o) : code === 'E' ? view.getFloat32(o) : code === 'J' ? view.getInt32(o)
          : code === 'I' ? view.getInt16(o) : code === 'K' ? Number(view.getBigInt64(o)) : view.getUint8(o);
      }
      out[name] = col;
    }
    off += rep * size;
  }
  return out;
}
