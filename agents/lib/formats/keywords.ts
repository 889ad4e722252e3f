/**
 * Which header keywords the file agent maps, and which it does not: the
 * "unknown keywords" users can report so that a capture program's convention
 * gets read. The mapped set is not a second list of keywords — it is recorded
 * from the readers themselves (every key `normalizeAcquisition`,
 * `capturedDate` and `classifyFrame` look up on an empty header, where each
 * reader asks for all of its keys), plus the stack rule's keywords and the
 * FITS structure and WCS keywords, which describe the file rather than the
 * observation.
 */
import type { HeaderCard } from '../../sdk/facts.ts';
import { STACK_KEYWORDS } from './stackEvidence.ts';
import { STACK_SOURCE_KEYWORDS } from './stackSources.ts';
import { normalizeAcquisition } from './acquisition.ts';
import { capturedDate, recordLookups } from './dates.ts';
import { classifyFrame } from './frametype.ts';

/** FITS structure, tile compression, checksums and the like: never "unknown". */
const STRUCTURAL = new Set([
  'SIMPLE', 'BITPIX', 'NAXIS', 'EXTEND', 'BZERO', 'BSCALE', 'BLANK', 'BUNIT', 'COMMENT', 'HISTORY', 'END', '', 'XTENSION', 'PCOUNT',
  'GCOUNT', 'GROUPS', 'TFIELDS', 'EXTNAME', 'EXTVER', 'EXTLEVEL', 'INHERIT', 'CHECKSUM', 'DATASUM', 'DATAMIN', 'DATAMAX', 'ORIGIN',
  'DATE', 'FILENAME', 'ROWORDER', 'XBAYROFF', 'YBAYROFF', 'BAYOFFX', 'BAYOFFY', 'ZIMAGE', 'ZCMPTYPE', 'ZBITPIX', 'ZNAXIS', 'ZTILE',
  'ZNAME', 'ZVAL', 'ZSIMPLE', 'ZEXTEND', 'ZBLOCKED', 'ZTENSION', 'ZPCOUNT', 'ZGCOUNT', 'ZQUANTIZ', 'ZDITHER0', 'ZHECKSUM', 'ZDATASUM',
  'ZBLANK', 'ZSCALE', 'ZZERO',
  // celestial WCS (read by the plate-solve and objects agents from the same cards)
  'WCSAXES', 'WCSNAME', 'EQUINOX', 'EPOCH', 'RADESYS', 'RADECSYS', 'LONPOLE', 'LATPOLE', 'IMAGEW', 'IMAGEH', 'MJD-OBS', 'MJDREF',
  'A_ORDER', 'B_ORDER', 'AP_ORDER', 'BP_ORDER', 'A_DMAX', 'B_DMAX', 'PLTSOLVD',
]);

/** Indexed structure and WCS keywords: NAXISn, CTYPEn, CRVALn, CDi_j, PCi_j, PVi_m, SIP coefficients, tile-compression Zxxxn, TTYPEn… */
const STRUCTURAL_PATTERN =
  /^(NAXIS\d+|ZNAXIS\d+|ZTILE\d+|ZNAME\d+|ZVAL\d+|T(TYPE|FORM|UNIT|NULL|SCAL|ZERO|DIM|DISP)\d+|C(TYPE|RVAL|RPIX|DELT|ROTA|UNIT|RDER|SYER)\d+[A-Z]?|CD\d+_\d+[A-Z]?|PC\d+_\d+[A-Z]?|PV\d+_\d+[A-Z]?|PS\d+_\d+[A-Z]?|(A|B|AP|BP)_\d+_\d+|DSS\w*)$/;

let mapped: Set<string> | null = null;

/** Upper-case keys the file agent reads into normalized fields, frame type or capture date. */
export function mappedKeywords(): Set<string> {
  if (mapped) return mapped;
  // an empty header makes each reader ask for all of its keys; the probe header reaches the keys read only
  // in some cases (cooler power beside a 0 °C reading, the date of coordinates of date, EXIF offsets…)
  const probe: HeaderCard[] = [
    { key: 'CCD-TEMP', value: 0 }, { key: 'FOCALLEN', value: 100 }, { key: 'RA', value: 10 }, { key: 'DEC', value: 10 },
    { key: 'EQUINOX', value: 'JNOW' }, { key: 'DateTimeOriginal', value: '2020:01:01 00:00:00' },
  ];
  // smart telescopes whose own cards are read only once the device is recognised (smartTelescopes.ts)
  const devices: HeaderCard[][] = [
    [{ key: 'ORIGIN', value: 'Unistellar' }],
    [{ key: 'CREATOR', value: 'Origin' }, { key: 'DATE-OBS', value: '2020-01-01T00:00:00' }],
  ];
  const seen = recordLookups(() => {
    for (const cards of [[], probe, ...devices]) {
      normalizeAcquisition(cards);
      capturedDate(cards);
      classifyFrame({ cards, fileName: '', folderPath: '' });
    }
  });
  for (const k of [...STACK_KEYWORDS, ...STACK_SOURCE_KEYWORDS]) seen.add(k.toUpperCase());
  for (const k of ['TIME-OBS', 'UT', 'UTSTART', 'TIME-BEG', 'SUBEXP', 'INTEGRAT', 'COLORTYP', 'YBINNING', 'CCDYBIN', 'YPIXSZ', 'PIXSIZE2', 'YPIXELSZ']) seen.add(k);
  mapped = seen;
  return mapped;
}

/** Whether a FITS or XISF keyword describes the file itself or is read by the file agent. */
export function isKnownKeyword(key: string): boolean {
  const k = key.trim().toUpperCase();
  return STRUCTURAL.has(k) || STRUCTURAL_PATTERN.test(k) || mappedKeywords().has(k);
}

/**
 * The distinct keywords of a FITS or XISF header that the file agent does
 * not map (upper case, sorted). XISF properties (`Namespace:Name`) and the
 * EXIF tags of camera files are not FITS keywords and are not listed.
 */
export function unmappedKeywords(cards: readonly HeaderCard[], format: string | null | undefined): string[] {
  if (format !== 'fits' && format !== 'xisf') return [];
  const out = new Set<string>();
  for (const c of cards) {
    const k = c.key.trim().toUpperCase();
    if (!k || k.includes(':') || k.length > 70) continue;
    if (!isKnownKeyword(k)) out.add(k);
  }
  return [...out].sort();
}
