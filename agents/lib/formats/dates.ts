/**
 * Capture date from header cards, always ISO 8601 with a zone. FITS DATE-OBS
 * is UTC by the standard (ISO 8601, or the pre-2000 "DD/MM/YY" form with
 * TIME-OBS/UT); a date without a time is 00:00 UTC of that day. Local times
 * (DATE-LOC, EXIF DateTimeOriginal) are used only with their zone (an offset
 * in the value, EXIF OffsetTimeOriginal/OffsetTime); without one they are
 * discarded, and EXIF's GPS date and time (UTC) are used when present.
 */
import type { HeaderCard } from '../../sdk/facts.ts';
import { isStack, numberOf, readStackEvidence } from './stackEvidence.ts';
import { smartTelescope } from './smartTelescopes.ts';

type Lookup = (key: string) => HeaderCard['value'] | undefined;

/** While set, every key a lookup is asked for is added here (see keywords.ts: the keywords the readers map). */
let consulted: Set<string> | null = null;

/** Runs `fn` and returns every header key it looked up through `lookup`. */
export function recordLookups(fn: () => void): Set<string> {
  const seen = new Set<string>();
  const outer = consulted;
  consulted = seen;
  try {
    fn();
  } finally {
    consulted = outer;
  }
  return seen;
}

export function lookup(cards: HeaderCard[]): Lookup {
  const map = new Map<string, HeaderCard['value']>();
  for (const c of cards) {
    const k = c.key.toUpperCase();
    if (k === 'COMMENT' || k === 'HISTORY' || k === '') continue;
    if (!map.has(k) && c.value !== null && c.value !== '') map.set(k, c.value);
  }
  return (key) => {
    const k = key.toUpperCase();
    consulted?.add(k);
    return map.get(k);
  };
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

const ZONED = /(Z|[+-]\d{2}:\d{2})$/;

/** A parsed date in UTC: "Z" added to a zone-less time, "T00:00:00Z" to a date alone. */
function asUtc(d: string): string {
  if (ZONED.test(d)) return d;
  return /T/.test(d) ? `${d}Z` : `${d}T00:00:00Z`;
}

/** "+02:00", "+0200", "-5", "UTC+1" → "+02:00", or null. */
function zoneOffset(text: string): string | null {
  const m = /^\s*(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$/i.exec(text);
  if (!m) return /^\s*(Z|UTC|GMT)\s*$/i.test(text) ? 'Z' : null;
  const h = Number(m[2]);
  if (h > 14) return null;
  return `${m[1]}${String(h).padStart(2, '0')}:${m[3] ?? '00'}`;
}

/** EXIF GPS time stamp: "20:47:26", "20:47:26.5" or a "[20,47,26]" triple → "hh:mm:ss(.s)". */
function gpsTime(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const parts = String(v).replace(/[[\]\s]/g, '').split(/[:,]/).map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return null;
  const [h, m, sec] = parts as [number, number, number];
  if (h > 23 || m > 59 || sec >= 61) return null;
  const whole = Math.floor(sec);
  const frac = sec - whole > 0 ? String(Math.round((sec - whole) * 1000) / 1000).slice(1) : '';
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(whole).padStart(2, '0')}${frac}`;
}

/**
 * The start of a single frame's exposure from a time that is not its start:
 * `fraction` of the exposure later (1: the end, 0.5: the middle). A stack's
 * date is kept as written (the end of its last sub, or the mean of its subs:
 * the stitcher widens a stack's one date by its integration).
 */
function startOfExposure(cards: HeaderCard[], get: Lookup, iso: string, fraction: number): string {
  const ev = readStackEvidence(cards);
  if (isStack(ev)) return iso;
  const exp = ev.subSeconds ?? numberOf({ key: 'EXP', value: get('EXP') ?? null });
  const t = Date.parse(iso);
  if (exp === null || !(exp > 0) || exp > 86_400 || !Number.isFinite(t)) return iso;
  return new Date(t - fraction * exp * 1000).toISOString();
}

/**
 * DATE-OBS is the start of the exposure by the FITS standard, but some
 * writers say in its comment that it is the end (DWARF: `/ Time end of
 * exposure`): the fraction of the exposure to go back, 1 then, else 0.
 */
function dateObsEndFraction(cards: HeaderCard[]): number {
  const comment = cards.find((c) => c.key.toUpperCase() === 'DATE-OBS')?.comment ?? '';
  return /\bend\b/i.test(comment) && !/\b(start|begin)/i.test(comment) ? 1 : 0;
}

/**
 * The zone of a zone-less `DATE-OBS`/`DATE-BEG`/`DATE-END`: FITS dates are
 * UTC, but a writer known to stamp local time with the offset in a separate
 * `TIMEZONE` card (Celestron Origin: `DATE-OBS= '2026-08-31T20:40:32'`,
 * `TIMEZONE= '-0700'`) gives it there. Null otherwise (UTC).
 */
export function localDateZone(get: (key: string) => unknown): string | null {
  if (!smartTelescope(get)?.localDateObs) return null;
  const tz = get('TIMEZONE');
  if (typeof tz !== 'string' && typeof tz !== 'number') return null;
  return zoneOffset(String(tz));
}

/**
 * Best capture date (the start of the exposure), ISO 8601 with a zone:
 * DATE-OBS (UTC; local with `TIMEZONE` for the writers `localDateZone`
 * knows) > DATE-BEG > DATE-AVG (the middle of the exposure: a single
 * frame's start is half its exposure earlier) > XISF Observation:Time:Start > DATE-LOC with a zone > EXIF
 * DateTimeOriginal with its offset > EXIF GPS date/time (UTC) > EXIF DateTimeOriginal
 * without a zone, taken as UTC. Null otherwise.
 */
export function capturedDate(cards: HeaderCard[]): string | null {
  const get = lookup(cards);
  const str = (k: string) => {
    const v = get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const time = str('TIME-OBS') ?? str('UT') ?? str('UTSTART') ?? str('TIME-BEG');
  const local = localDateZone(get);
  for (const key of ['DATE-OBS', 'DATE-BEG', 'DATE-AVG', 'Observation:Time:Start']) {
    const v = str(key);
    if (!v) continue;
    let d = parseDateText(v, time);
    if (!d) continue;
    if (local && key !== 'Observation:Time:Start' && /T/.test(d) && !ZONED.test(d)) d += local;
    const fraction = key === 'DATE-OBS' ? dateObsEndFraction(cards) : key === 'DATE-AVG' ? 0.5 : 0;
    return fraction > 0 ? startOfExposure(cards, get, asUtc(d), fraction) : asUtc(d);
  }
  const zoneCard = str('TIMEZONE') ?? str('TZ') ?? str('UTCOFFS');
  const zone = zoneCard ? zoneOffset(zoneCard) : null;
  const loc = str('DATE-LOC');
  if (loc) {
    const d = parseDateText(loc);
    if (d && /T/.test(d) && (ZONED.test(d) || zone)) return ZONED.test(d) ? d : `${d}${zone}`;
  }
  let localWithoutZone: string | null = null;
  for (const key of ['DateTimeOriginal', 'CreateDate', 'DateTimeDigitized']) {
    const v = str(key);
    if (!v) continue;
    let d = parseDateText(v);
    if (!d || !/T/.test(d)) continue;
    const sub = get('SubSecTimeOriginal');
    if (key === 'DateTimeOriginal' && sub !== undefined && /^\d+$/.test(String(sub)) && !/\./.test(d)) {
      d += `.${String(sub)}`;
    }
    if (ZONED.test(d)) return d;
    const off = str(key === 'DateTimeOriginal' ? 'OffsetTimeOriginal' : key === 'DateTimeDigitized' ? 'OffsetTimeDigitized' : 'OffsetTime') ?? str('OffsetTime');
    const z = off ? zoneOffset(off) : null;
    if (z) return `${d}${z}`;
    // A camera clock without its zone (most DSLRs): kept as UTC rather than dropped. The
    // hour may be off by the camera's zone offset, but the observing night is right: nights
    // of images without a site longitude are counted noon to noon in this same clock. GPS
    // time (true UTC), when the camera has it, wins.
    localWithoutZone ??= `${d}Z`;
    break;
  }
  const gpsDate = str('GPSDateStamp');
  const gps = gpsDate ? parseDateText(gpsDate) : null;
  const t = gpsTime(get('GPSTimeStamp'));
  if (gps && !/T/.test(gps) && t) return `${gps}T${t}Z`;
  return localWithoutZone;
}
