/**
 * Angles as capture software writes them: decimal numbers or sexagesimal
 * strings ("05 41 06.0", "+33:24:24", "01h26m34.08s", "-02°27'30\"").
 */

/** Parses "12 34 56.7", "12:34:56.7", "12h34m56.7s", "-02°27′30″" or a decimal; null when it is neither. */
export function parseSexagesimal(text: string): number | null {
  const s = text.trim();
  if (s === '') return null;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  const m = /^([+\-−])?\s*(\d+(?:\.\d+)?)[\s:hHdD°]+(\d+(?:\.\d+)?)(?:[\s:mM'′]+(\d+(?:\.\d+)?))?\s*[sS"″]?\s*$/.exec(s.replace(/''/g, '"'));
  if (!m) return null;
  const a = Number(m[2]);
  const b = Number(m[3]);
  const c = m[4] ? Number(m[4]) : 0;
  if (b >= 60 || c >= 60) return null;
  const v = a + b / 60 + c / 3600;
  return m[1] === '-' || m[1] === '−' ? -v : v;
}

/** true when the text looks sexagesimal (has separators between fields) */
export function isSexagesimal(text: string): boolean {
  return /\d[\s:hHdD°]+\d/.test(text.trim());
}

/**
 * Right ascension in degrees from a header value. Strings that are
 * sexagesimal are hours; numbers are degrees unless `hours` says otherwise.
 */
export function parseRa(value: unknown, hours: boolean): number | null {
  let deg: number | null = null;
  if (typeof value === 'number') deg = hours ? value * 15 : value;
  else if (typeof value === 'string') {
    const v = parseSexagesimal(value);
    if (v === null) return null;
    deg = isSexagesimal(value) || hours ? v * 15 : v;
  }
  if (deg === null || !Number.isFinite(deg) || deg < 0 || deg > 360) return null;
  return deg === 360 ? 0 : deg;
}

/** Declination (or latitude) in degrees from a number or sexagesimal string; null when out of ±90. */
export function parseDec(value: unknown): number | null {
  const v = typeof value === 'number' ? value : typeof value === 'string' ? parseSexagesimal(value) : null;
  if (v === null || !Number.isFinite(v) || v < -90 || v > 90) return null;
  return v;
}

/** Longitude in degrees, normalized to −180..180 (east positive as written). */
export function parseLongitude(value: unknown): number | null {
  let v = typeof value === 'number' ? value : typeof value === 'string' ? parseSexagesimal(value) : null;
  if (v === null || !Number.isFinite(v) || v < -360 || v > 360) return null;
  if (v > 180) v -= 360;
  if (v < -180) v += 360;
  return v;
}
