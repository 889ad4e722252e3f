/**
 * Minimal FITS header reading and writing: 2880-byte blocks of 80-character
 * cards. Enough for WCS files (`.wcs` from solve-field), xylist tables and
 * the header-only FITS files the tests write; the full image reader lives in
 * agents/formats.
 */
import type { HeaderCard } from '../sdk/facts.ts';

export const FITS_BLOCK = 2880;
const CARD = 80;

/** Parses one card's value text (after `= `) into a number, boolean, string or null. */
export function parseCardValue(text: string): { value: HeaderCard['value']; comment?: string } {
  const t = text.trimStart();
  if (t.startsWith("'")) {
    // Quoted string: '' is an escaped quote; trailing spaces are not significant.
    let i = 1;
    let s = '';
    while (i < t.length) {
      if (t[i] === "'") {
        if (t[i + 1] === "'") { s += "'"; i += 2; continue; }
        i++;
        break;
      }
      s += t[i++];
    }
    const rest = t.slice(i);
    const slash = rest.indexOf('/');
    return { value: s.replace(/\s+$/, ''), comment: slash >= 0 ? rest.slice(slash + 1).trim() : undefined };
  }
  const slash = t.indexOf('/');
  const raw = (slash >= 0 ? t.slice(0, slash) : t).trim();
  const comment = slash >= 0 ? t.slice(slash + 1).trim() : undefined;
  if (raw === '') return { value: null, comment };
  if (raw === 'T') return { value: true, comment };
  if (raw === 'F') return { value: false, comment };
  const n = Number(raw.replace(/[dD]/, 'E'));
  return { value: Number.isFinite(n) ? n : raw, comment };
}

/**
 * Reads the header starting at `offset` (a block boundary) up to its END card.
 * Returns the cards and the header length in bytes (a multiple of 2880).
 */
export function parseFitsHeader(bytes: Uint8Array, offset = 0): { cards: HeaderCard[]; headerBytes: number } {
  const cards: HeaderCard[] = [];
  let pos = offset;
  for (;;) {
    if (pos + CARD > bytes.length) throw new Error('FITS header has no END card');
    const line = latin1(bytes, pos, CARD);
    pos += CARD;
    const key = line.slice(0, 8).trim();
    if (key === 'END') break;
    if (key === '' && line.trim() === '') continue;
    if (line.slice(8, 10) === '= ') {
      const { value, comment } = parseCardValue(line.slice(10));
      cards.push(comment === undefined ? { key, value } : { key, value, comment });
    } else {
      cards.push({ key, value: null, comment: line.slice(8).trimEnd() });
    }
  }
  const used = pos - offset;
  return { cards, headerBytes: Math.ceil(used / FITS_BLOCK) * FITS_BLOCK };
}

function latin1(bytes: Uint8Array, start: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[start + i]);
  return s;
}

/** Formats a number the way FITS readers expect (always with a decimal point or exponent for floats). */
function formatNumber(v: number, integer: boolean): string {
  if (integer && Number.isInteger(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toFixed(1);
  const [mant, exp] = v.toPrecision(15).split('e');
  // Trim trailing zeros of the mantissa only (never of the exponent).
  let m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '.0') : mant + '.0';
  if (exp !== undefined) m += 'E' + exp;
  return m;
}

const INTEGER_KEYS = /^(BITPIX|NAXIS\d*|WCSAXES|IMAGEW|IMAGEH|A_ORDER|B_ORDER|AP_ORDER|BP_ORDER|PCOUNT|GCOUNT|TFIELDS)$/;

/** Formats one 80-character card. Strings are quoted; long values are truncated to the card. */
export function formatCard(key: string, value: HeaderCard['value'], comment?: string): string {
  const k = key.toUpperCase().padEnd(8).slice(0, 8);
  if (value === null && (key === 'COMMENT' || key === 'HISTORY' || key === '')) {
    return (k + (comment ?? '')).padEnd(CARD).slice(0, CARD);
  }
  let v: string;
  if (typeof value === 'boolean') v = (value ? 'T' : 'F').padStart(20);
  else if (typeof value === 'number') v = formatNumber(value, INTEGER_KEYS.test(key)).padStart(20);
  else if (value === null) v = '';
  else v = ("'" + value.replace(/'/g, "''").padEnd(8) + "'").padEnd(20);
  let line = k + '= ' + v;
  if (comment) line += ' / ' + comment;
  return line.padEnd(CARD).slice(0, CARD);
}

/** Formats cards (no END needed) as a complete header padded to whole blocks. */
export function formatFitsHeader(cards: readonly HeaderCard[]): Uint8Array {
  const lines = cards.map((c) => formatCard(c.key, c.value, c.comment));
  lines.push('END'.padEnd(CARD));
  const n = Math.ceil((lines.length * CARD) / FITS_BLOCK) * FITS_BLOCK;
  const out = new Uint8Array(n).fill(0x20);
  let p = 0;
  for (const l of lines) {
    for (let i = 0; i < CARD; i++) out[p++] = l.charCodeAt(i) & 0xff;
  }
  return out;
}

/** Case-insensitive card lookup helper: the last card with the key wins (as most readers do). */
export function cardMap(cards: readonly HeaderCard[]): Map<string, HeaderCard> {
  const m = new Map<string, HeaderCard>();
  for (const c of cards) m.set(c.key.toUpperCase(), c);
  return m;
}
