/**
 * FITS header cards: 80-character records in 2880-byte blocks (FITS 4.0 §4).
 * The one FITS header reader and writer of the project: the image readers
 * (fits.ts, xisf.ts), the WCS library (agents/lib/wcs: `.wcs` files, xylist
 * tables) and the plate solver's index files all use it.
 *
 * Parsing is lenient where real capture software is sloppy (misplaced `=`,
 * lower-case keywords, missing padding) and strict where a mistake would make
 * us read garbage (non-ASCII bytes, no END within a sane number of blocks).
 */
import type { HeaderCard } from '../../sdk/facts.ts';
import { AgentError } from '../../sdk/index.ts';

export const BLOCK = 2880;
export const CARD = 80;

/** Keywords whose text is commentary, not a value. */
const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);

/** Placeholder texts that mean "not set" in any header (FITS cards, XISF properties). */
const PLACEHOLDER = /^(|unknown|none|\(none\)|<none>|n\/?a|n\.a\.|nan|null|nil|undefined|not set|unset|-+|\?+|default|object)$/i;

/** Whether a header text value (trimmed) is a placeholder for "not set". */
export function isPlaceholder(text: string): boolean {
  return PLACEHOLDER.test(text);
}

/**
 * Parses the value field of a card (the text after "= "), FITS free format:
 * quoted strings with '' escapes, T/F, integers, floats with E or D exponents.
 * Complex numbers and anything unparsable are kept as trimmed text.
 */
export function parseValueField(text: string): { value: HeaderCard['value']; comment?: string } {
  const s = text.replace(/^\s+/, '');
  if (s.startsWith("'")) {
    let out = '';
    let i = 1;
    for (; i < s.length; i++) {
      const ch = s[i]!;
      if (ch === "'") {
        if (s[i + 1] === "'") {
          out += "'";
          i++;
          continue;
        }
        break;
      }
      out += ch;
    }
    // trailing blanks are not significant, leading ones are (FITS 4.0 §4.2.1.1)
    const value = out.replace(/\s+$/, '');
    const rest = s.slice(i + 1);
    const slash = rest.indexOf('/');
    const comment = slash >= 0 ? rest.slice(slash + 1).trim() : undefined;
    return comment ? { value, comment } : { value };
  }
  const slash = s.indexOf('/');
  const raw = (slash >= 0 ? s.slice(0, slash) : s).trim();
  const comment = slash >= 0 ? s.slice(slash + 1).trim() : undefined;
  const value = parseScalar(raw);
  return comment ? { value, comment } : { value };
}

/** Parses an unquoted FITS scalar ("T", "42", "-1.5D+03"); returns text when it is none of these. */
export function parseScalar(raw: string): HeaderCard['value'] {
  if (raw === '') return null;
  if (raw === 'T') return true;
  if (raw === 'F') return false;
  // numbers that do not fit a double (1E999) stay text: facts are JSON, which has no Infinity
  if (/^[+-]?\d+$/.test(raw)) return finiteOr(Number(raw), raw);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/.test(raw)) return finiteOr(Number(raw.replace(/[Dd]/, 'E')), raw);
  return raw;
}

function finiteOr(n: number, text: string): number | string {
  return Number.isFinite(n) ? n : text;
}

/**
 * Parses one 80-character card. Returns null for END (the caller stops) and
 * `undefined` for a blank card (skipped).
 */
export function parseCard(card: string): HeaderCard | null | undefined {
  const keyField = card.slice(0, 8).trimEnd();
  const key = keyField.toUpperCase();
  if (key === 'END' && card.slice(8).trim() === '') return null;
  if (key === 'HIERARCH') {
    // ESO convention: "HIERARCH ESO DET CHIP = value / comment"
    const eq = card.indexOf('=', 9);
    if (eq > 0) {
      const name = card.slice(9, eq).trim().replace(/\s+/g, ' ');
      return { key: name, ...parseValueField(card.slice(eq + 1)) };
    }
    return { key: 'HIERARCH', value: card.slice(8).trimEnd() };
  }
  if (card.slice(8, 10) === '= ' || (card[8] === '=' && card.length === 9)) {
    if (!COMMENTARY.has(key)) return { key, ...parseValueField(card.slice(10)) };
  }
  if (COMMENTARY.has(key) || key === 'CONTINUE') {
    const text = card.slice(8).trimEnd();
    if (key === '' && text.trim() === '') return undefined;
    if (key === 'CONTINUE') return { key, ...parseValueField(text) };
    return { key, value: text };
  }
  // lenient: "EXPTIME= 10" or "FILTER =  'L'" with the '=' off column 9
  const eq = card.indexOf('=');
  if (eq > 0 && eq < 10 && /^[A-Z0-9_-]+$/i.test(card.slice(0, eq).trim())) {
    return { key: card.slice(0, eq).trim().toUpperCase(), ...parseValueField(card.slice(eq + 1)) };
  }
  // a keyword without value indicator: commentary text (FITS 4.0 §4.1.2.2)
  return { key, value: card.slice(8).trimEnd() || null };
}

/**
 * Incremental header parser: feed 2880-byte blocks until it reports END.
 * CONTINUE cards are merged into the long string they extend.
 */
export class HeaderParser {
  readonly cards: HeaderCard[] = [];
  blocks = 0;
  done = false;

  constructor(private readonly maxBlocks = 4000) {}

  /** Adds one block; returns true once the END card has been seen. */
  push(block: Uint8Array): boolean {
    if (this.done) return true;
    if (block.length < BLOCK) {
      // a last block cut short is acceptable only if it still holds the END card
      const padded = new Uint8Array(BLOCK).fill(0x20);
      padded.set(block.subarray(0, block.length - (block.length % CARD)));
      if (!this.push(padded)) throw new AgentError('truncated FITS file: no END card before end of file');
      return true;
    }
    this.blocks++;
    if (this.blocks > this.maxBlocks) {
      throw new AgentError(`FITS header has no END card within ${this.maxBlocks} blocks (${this.maxBlocks * 36} cards)`);
    }
    for (let off = 0; off < BLOCK; off += CARD) {
      const text = asciiCard(block, off);
      if (text === null) {
        throw new AgentError(`not a valid FITS header: non-ASCII bytes in card ${this.cards.length + 1}`);
      }
      const card = parseCard(text);
      if (card === null) {
        this.done = true;
        return true;
      }
      if (card === undefined) continue;
      if (card.key === 'CONTINUE') {
        this.appendContinue(card);
        continue;
      }
      this.cards.push(card);
    }
    return false;
  }

  private appendContinue(card: HeaderCard): void {
    const prev = this.cards[this.cards.length - 1];
    if (prev && typeof prev.value === 'string' && prev.value.endsWith('&') && typeof card.value === 'string') {
      prev.value = prev.value.slice(0, -1) + card.value;
      if (card.comment) prev.comment = prev.comment ? `${prev.comment} ${card.comment}` : card.comment;
      return;
    }
    this.cards.push(card);
  }
}

/**
 * Reads the header at `offset` (a block boundary) of a FITS file held in memory,
 * up to its END card: the cards and the header's length in bytes (whole blocks).
 */
export function parseFitsHeader(bytes: Uint8Array, offset = 0): { cards: HeaderCard[]; headerBytes: number } {
  const parser = new HeaderParser();
  for (let pos = offset; ; pos += BLOCK) {
    if (pos >= bytes.length) throw new AgentError('FITS header has no END card');
    if (parser.push(bytes.subarray(pos, pos + BLOCK))) break;
  }
  return { cards: parser.cards, headerBytes: parser.blocks * BLOCK };
}

/** Decodes one card as ASCII; null when it holds bytes outside printable ASCII. */
function asciiCard(buf: Uint8Array, off: number): string | null {
  let s = '';
  for (let i = off; i < off + CARD; i++) {
    const c = buf[i]!;
    // FITS allows 0x20-0x7E only; tolerate NUL/TAB padding some writers leave behind
    if (c === 0 || c === 9) {
      s += ' ';
      continue;
    }
    if (c < 0x20 || c > 0x7e) return null;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Keyword lookup helpers over a card list (first occurrence wins, as in most readers). */
export class Header {
  private readonly map = new Map<string, HeaderCard>();

  constructor(readonly cards: HeaderCard[]) {
    for (const c of cards) if (!COMMENTARY.has(c.key) && !this.map.has(c.key)) this.map.set(c.key, c);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get(key: string): HeaderCard['value'] | undefined {
    return this.map.get(key)?.value;
  }

  card(key: string): HeaderCard | undefined {
    return this.map.get(key);
  }

  number(key: string): number | undefined {
    const v = this.get(key);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string') {
      const n = parseScalar(v.trim());
      if (typeof n === 'number' && Number.isFinite(n)) return n;
    }
    return undefined;
  }

  int(key: string): number | undefined {
    const n = this.number(key);
    return n !== undefined && Number.isInteger(n) ? n : undefined;
  }

  string(key: string): string | undefined {
    const v = this.get(key);
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    return undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.get(key);
    return typeof v === 'boolean' ? v : undefined;
  }
}

/** Formats a number the way FITS readers expect (always with a decimal point or exponent for floats). */
function formatNumber(v: number, integer: boolean): string {
  if (integer && Number.isInteger(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toFixed(1);
  const [mant, exp] = v.toPrecision(15).split('e') as [string, string | undefined];
  // Trim trailing zeros of the mantissa only (never of the exponent).
  let m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '.0') : mant + '.0';
  if (exp !== undefined) m += 'E' + exp;
  return m;
}

const INTEGER_KEYS = /^(BITPIX|NAXIS\d*|WCSAXES|IMAGEW|IMAGEH|A_ORDER|B_ORDER|AP_ORDER|BP_ORDER|PCOUNT|GCOUNT|TFIELDS)$/;

/**
 * Formats one 80-character card. Strings are quoted; long values are truncated to the card.
 * Commentary cards (COMMENT, HISTORY, blank) write their text: the value as parsed, or the comment.
 */
export function formatCard(key: string, value: HeaderCard['value'], comment?: string): string {
  const k = key.toUpperCase().padEnd(8).slice(0, 8);
  if (COMMENTARY.has(key.toUpperCase()) && (value === null || typeof value === 'string')) {
    return (k + (typeof value === 'string' ? value : comment ?? '')).padEnd(CARD).slice(0, CARD);
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
  const n = Math.ceil((lines.length * CARD) / BLOCK) * BLOCK;
  const out = new Uint8Array(n).fill(0x20);
  let p = 0;
  for (const l of lines) {
    for (let i = 0; i < CARD; i++) out[p++] = l.charCodeAt(i) & 0xff;
  }
  return out;
}
