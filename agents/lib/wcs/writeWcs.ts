/** Writes a {@link Wcs} back as FITS WCS cards (CD form; SIP when present). */
import type { HeaderCard } from '../../sdk/facts.ts';
import type { Wcs } from './wcs.ts';

/**
 * FITS WCS cards of a solution, in a stable order, as a plain record (for
 * `SolveFacts.wcs`). Values are numbers or strings; strings are unquoted.
 */
export function wcsToCards(wcs: Wcs): Record<string, string | number> {
  const sip = wcs.sip;
  const suffix = sip ? '-SIP' : '';
  const out: Record<string, string | number> = {
    WCSAXES: 2,
    CTYPE1: 'RA---TAN' + suffix,
    CTYPE2: 'DEC--TAN' + suffix,
    CUNIT1: 'deg',
    CUNIT2: 'deg',
    RADESYS: 'ICRS',
    EQUINOX: 2000,
    CRVAL1: wcs.crval[0],
    CRVAL2: wcs.crval[1],
    CRPIX1: wcs.crpix[0],
    CRPIX2: wcs.crpix[1],
    CD1_1: wcs.cd[0],
    CD1_2: wcs.cd[1],
    CD2_1: wcs.cd[2],
    CD2_2: wcs.cd[3],
  };
  if (wcs.width > 0 && wcs.height > 0) {
    out.IMAGEW = wcs.width;
    out.IMAGEH = wcs.height;
  }
  if (sip) {
    const put = (prefix: string, order: number, c: number[][]): void => {
      out[`${prefix}_ORDER`] = order;
      for (let p = 0; p <= order; p++) for (let q = 0; q <= order - p; q++) out[`${prefix}_${p}_${q}`] = c[p]?.[q] ?? 0;
    };
    put('A', sip.aOrder, sip.a);
    put('B', sip.bOrder, sip.b);
    put('AP', sip.apOrder, sip.ap);
    put('BP', sip.bpOrder, sip.bp);
  }
  return out;
}

/** The same cards as {@link HeaderCard}s (e.g. to write a `.wcs` FITS header or to read back). */
export function cardsFromRecord(record: Record<string, string | number>): HeaderCard[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}
