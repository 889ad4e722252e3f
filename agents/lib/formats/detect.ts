/**
 * Format detection by content (magic bytes); the file name only breaks ties
 * (a TIFF container that is a camera RAW, a gzip stream too short to peek into).
 */
import { constants, gunzipSync } from 'node:zlib';

export type FormatName = 'fits' | 'xisf' | 'tiff' | 'raw' | 'jpeg' | 'png' | 'webp' | 'unknown';

export interface DetectedFormat {
  format: FormatName;
  /** fits | fits.gz | fits.fz | xisf | tiff | cr2 | cr3 | nef | arw | dng | orf | rw2 | raf | pef | … */
  subformat: string | null;
  mimeType: string | null;
}

/** How many leading bytes `detectFormat` wants (TIFF IFD0 usually sits in the first few KB). */
export const DETECT_HEAD_BYTES = 64 * 1024;

const RAW_EXTENSIONS = new Set([
  'cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'dng', 'orf', 'rw2', 'raf', 'pef', 'srw', 'erf',
  'kdc', 'dcr', 'mos', 'mrw', '3fr', 'fff', 'iiq', 'x3f', 'rwl', 'raw',
]);

const RAW_MIME: Record<string, string> = {
  cr2: 'image/x-canon-cr2', cr3: 'image/x-canon-cr3', crw: 'image/x-canon-crw', nef: 'image/x-nikon-nef',
  nrw: 'image/x-nikon-nrw', arw: 'image/x-sony-arw', sr2: 'image/x-sony-sr2', srf: 'image/x-sony-srf',
  dng: 'image/x-adobe-dng', orf: 'image/x-olympus-orf', rw2: 'image/x-panasonic-rw2', raf: 'image/x-fuji-raf',
  pef: 'image/x-pentax-pef', srw: 'image/x-samsung-srw', x3f: 'image/x-sigma-x3f', mrw: 'image/x-minolta-mrw',
  '3fr': 'image/x-hasselblad-3fr', iiq: 'image/x-phaseone-iiq', erf: 'image/x-epson-erf', kdc: 'image/x-kodak-kdc',
  rwl: 'image/x-leica-rwl', mos: 'image/x-leaf-mos', dcr: 'image/x-kodak-dcr', fff: 'image/x-hasselblad-fff',
};

/** Camera maker (TIFF Make, upper case prefix) → usual RAW extension. */
const MAKER_RAW: [string, string][] = [
  ['NIKON', 'nef'], ['SONY', 'arw'], ['PENTAX', 'pef'], ['RICOH', 'pef'], ['ASAHI', 'pef'], ['CANON', 'cr2'],
  ['OLYMPUS', 'orf'], ['OM DIGITAL', 'orf'], ['PANASONIC', 'rw2'], ['LEICA', 'rwl'], ['FUJIFILM', 'raf'],
  ['SAMSUNG', 'srw'], ['HASSELBLAD', '3fr'], ['KODAK', 'dcr'], ['EPSON', 'erf'], ['PHASE ONE', 'iiq'],
];

function ascii(b: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < Math.min(b.length, start + len); i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Lower-case extension(s) of a file name: "m31.fits.gz" → ["gz", "fits"]. */
function extensions(fileName: string): [string, string] {
  const parts = fileName.toLowerCase().split('/').pop()!.split('.');
  return [parts.length > 1 ? parts[parts.length - 1]! : '', parts.length > 2 ? parts[parts.length - 2]! : ''];
}

const FITS_EXT = new Set(['fits', 'fit', 'fts']);

export function detectFormat(head: Uint8Array, fileName: string): DetectedFormat {
  const [ext, ext2] = extensions(fileName);
  const h8 = ascii(head, 0, 8);
  if (ascii(head, 0, 9) === 'SIMPLE  =') {
    return { format: 'fits', subformat: ext === 'fz' ? 'fits.fz' : 'fits', mimeType: 'image/fits' };
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    if (gzipStartsWithFits(head) || ((ext === 'gz' || ext === 'gzip') && FITS_EXT.has(ext2)) || ext === 'fitsgz') {
      return { format: 'fits', subformat: 'fits.gz', mimeType: 'image/fits' };
    }
    return { format: 'unknown', subformat: 'gz', mimeType: 'application/gzip' };
  }
  if (h8 === 'XISF0100') return { format: 'xisf', subformat: 'xisf', mimeType: 'image/xisf' };
  if (ascii(head, 0, 15) === 'FUJIFILMCCD-RAW') return raw('raf');
  if (ascii(head, 4, 4) === 'ftyp') {
    const brand = ascii(head, 8, 4);
    if (brand === 'crx ') return raw('cr3');
    return { format: 'unknown', subformat: brand.trim() || null, mimeType: null };
  }
  if (h8.startsWith('IIRO') || h8.startsWith('IIRS') || h8.startsWith('MMOR')) return raw('orf');
  if (head[0] === 0x49 && head[1] === 0x49 && head[2] === 0x55 && head[3] === 0x00) return raw('rw2');
  if (ascii(head, 6, 8) === 'HEAPCCDR') return raw('crw');
  if (ascii(head, 0, 4) === '\0MRM') return raw('mrw');
  if (ascii(head, 0, 4) === 'FOVb') return raw('x3f');
  if ((h8.startsWith('II*\0') || h8.startsWith('MM\0*'))) return detectTiff(head, ext);
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { format: 'jpeg', subformat: 'jpeg', mimeType: 'image/jpeg' };
  if (ascii(head, 1, 3) === 'PNG' && head[0] === 0x89 && head[4] === 0x0d && head[5] === 0x0a) {
    return { format: 'png', subformat: 'png', mimeType: 'image/png' };
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return { format: 'webp', subformat: 'webp', mimeType: 'image/webp' };
  return { format: 'unknown', subformat: null, mimeType: null };
}

function raw(sub: string): DetectedFormat {
  return { format: 'raw', subformat: sub, mimeType: RAW_MIME[sub] ?? 'image/x-raw' };
}

function gzipStartsWithFits(head: Uint8Array): boolean {
  try {
    // a truncated stream is expected here: Z_SYNC_FLUSH returns what could be inflated
    const out = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
    return ascii(out, 0, 9) === 'SIMPLE  =';
  } catch {
    return false;
  }
}

/** Reads the IFD0 tags that tell a camera RAW from an ordinary TIFF. */
function detectTiff(head: Uint8Array, ext: string): DetectedFormat {
  const le = head[0] === 0x49;
  // Canon CR2: "CR" and major version 2 at offset 8
  if (ascii(head, 8, 2) === 'CR' && head[10] === 2) return raw('cr2');
  const tags = ifd0Tags(head, le);
  if (tags.dngVersion) return raw('dng');
  if (RAW_EXTENSIONS.has(ext) && ext !== 'dng') return raw(ext);
  const make = (tags.make ?? '').toUpperCase();
  const maker = MAKER_RAW.find(([m]) => make.startsWith(m));
  // a camera's own TIFF container has SubIFDs (full-size raw) or CFA photometric data
  if (maker && (tags.subIfds || tags.cfa)) return raw(maker[1]);
  if (tags.cfa) return raw(RAW_EXTENSIONS.has(ext) ? ext : 'raw');
  return { format: 'tiff', subformat: 'tiff', mimeType: 'image/tiff' };
}

function ifd0Tags(b: Uint8Array, le: boolean): { make?: string; dngVersion: boolean; subIfds: boolean; cfa: boolean } {
  const out = { make: undefined as string | undefined, dngVersion: false, subIfds: false, cfa: false };
  if (b.length < 8) return out;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ifd = dv.getUint32(4, le);
  if (ifd + 2 > b.length) return out;
  const n = dv.getUint16(ifd, le);
  for (let i = 0; i < Math.min(n, 1000); i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > b.length) break;
    const tag = dv.getUint16(e, le);
    const type = dv.getUint16(e + 2, le);
    const count = dv.getUint32(e + 4, le);
    if (tag === 0xc612) out.dngVersion = true;
    else if (tag === 0x014a) out.subIfds = true;
    else if (tag === 0x0106 && (type === 3 ? dv.getUint16(e + 8, le) : dv.getUint32(e + 8, le)) === 32803) out.cfa = true;
    else if (tag === 0x010f && type === 2) {
      const at = count <= 4 ? e + 8 : dv.getUint32(e + 8, le);
      out.make = ascii(b, at, Math.min(count, 64)).replace(/\0.*$/s, '').trim();
    }
  }
  return out;
}
