/**
 * Capture date from header cards. FITS DATE-OBS is UTC (ISO 8601, or the
 * pre-2000 "DD/MM/YY" form with TIME-OBS/UT); DATE-LOC and EXIF
 * DateTimeOriginal are local time (returned without a zone unless EXIF gives
 * OffsetTimeOriginal).
 */
import type { HeaderCard } from '../sdk/facts.ts';

type Lookup = (key: string) => HeaderCard['value'] | undefined;

export function lookup(cards: HeaderCard[]): Lookup {
  const map = new Map<string, HeaderCard['value']>();
  for (const c of cards) {
    const k = c.key.toUpperCase();
    if (k === 'COMMENT' || k === 'HISTORY' || k === '') continue;
    if (!map.has(k) && c.value !== null && c.value !== '') map.set(k, c.value);
  }
  return (key) => map.get(key.toUpperCase());
}

/** ISO-like date text → "YYYY-MM-DDThh:mm:ss(.sss)" (no zone), or null when unparsable. */
export function parseDateText(text: string, time?: string): string | null {
  const s = text.trim();
  let m = /^(\d{4})[-:/](\d{2})[-:/](\d{2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m) {
    const [, y, mo, d, hh, mm, ss, frac, zone] = m;
    if (!valid(+y!, +mo!, +d!)) return null;
    let out = `${y}-${mo}-${d}`;
    const t = hh !== undefined ? `${hh.padStart(2, '0')}:${mm}:${ss ?? '00'}${frac ?? ''}` : time ? normTime(time) : null;
    if (t) out += `T${t}`;
    if (zone) out += zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
    return out;
  }
  // FITS before 1999: DD/MM/YY (years 19YY)
  m = /^(\d{2})\/(\d{2})\/(\d{2})$/.exec(s);
  if (m) {
    const y = 1900 + Number(m[3]);
    if (!valid(y, +m[2]!, +m[1]!)) return null;
    const t = time ? normTime(time) : null;
    return `${y}-${m[2]}-${m[1]}${t ? `T${t}` : ''}`;
  }
  return null;
}

function normTime(t: string): string | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?/.exec(t.trim());
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}:${m[3] ?? '00'}${m[4] ?? ''}` : null;
}

function valid(y: number, mo: number, d: number): boolean {
  return y >= 1800 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

/** Best capture date: DATE-OBS (UTC, "Z" added) > DATE-BEG > DATE-AVG > XISF Observation:Time:Start > DATE-LOC > EXIF. */
export function capturedDate(cards: HeaderCard[]): string | null {
  const get = lookup(cards);
  const str = (k: string) => {
    const v = get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const time = str('TIME-OBS') ?? str('UT') ?? str('UTSTART') ?? str('TIME-BEG');
  for (const key of ['DATE-OBS', 'DATE-BEG', 'DATE-AVG', 'Observation:Time:Start']) {
    const v = str(key);
    if (!v) continue;
    const d = parseDateText(v, time);
    if (d) return /T/.test(d) && !/(Z|[+-]\d{2}:\d{2})$/.test(d) ? `${d}Z` : d;
  }
  const loc = str('DATE-LOC');
  if (loc) {
    const d = parseDateText(loc);
    if (d) return d;
  }
  for (const key of ['DateTimeOriginal', 'CreateDate', 'DateTimeDigitized']) {
    const v = str(key);
    if (!v) continue;
    let d = parseDateText(v);
    if (!d) continue;
    const sub = get('SubSecTimeOriginal');
    if (key === 'DateTimeOriginal' && sub !== undefined && /^\d+$/.test(String(sub)) && !/\./.test(d) && /T/.test(d)) {
      d += `.${String(sub)}`;
    }
    const off = str('OffsetTimeOriginal');
    if (off && /^[+-]\d{2}:\d{2}$/.test(off) && !/(Z|[+-]\d{2}:\d{2})$/.test(d)) d += off;
    return d;
  }
  return null;
}
