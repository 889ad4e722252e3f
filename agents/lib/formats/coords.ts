/**
 * Angles as capture software writes them: decimal numbers or sexagesimal
 * strings ("05 41 06.0", "+33:24:24", "01h26m34.08s", "-02°27'30\"",
 * "122d30m W", "51 09 41 N"), and site longitudes under the several sign
 * conventions in use. Everything returned is degrees; longitudes east positive.
 */

/** A hemisphere letter written before or after the value: N/S for latitudes, E/W for longitudes. */
export type Hemisphere = 'N' | 'S' | 'E' | 'W';

/** Splits a trailing or leading hemisphere letter (or word) off an angle text. */
export function splitHemisphere(text: string): { body: string; hemisphere: Hemisphere | null } {
  const s = text.trim();
  const tail = /^(.*?(?:degs?|degrees|[\d°'"″′dDmM]))(\s*)(north|south|east|west|[NSEW])\.?$/i.exec(s);
  if (tail) {
    const [, body, space, word] = tail;
    // "41d16m08s": a seconds mark, not South
    const secondsMark = space === '' && /^s$/i.test(word!) && /[mM'′]\s*\d+(\.\d+)?$/.test(body!);
    if (!secondsMark) return { body: body!.trim(), hemisphere: word![0]!.toUpperCase() as Hemisphere };
  }
  const head = /^(north|south|east|west|[NSEW])\.?\s*([+\-−]?\s*\d.*)$/i.exec(s);
  if (head) return { body: head[2]!.trim(), hemisphere: head[1]![0]!.toUpperCase() as Hemisphere };
  return { body: s, hemisphere: null };
}

/** A decimal with its unit: "83.8221 deg", "-5.39°", "5.588h", "5.588 hours" (the unit is read by `parseRa`). */
const DECIMAL_WITH_UNIT = /^([+\-−]?(?:\d+\.?\d*|\.\d+))\s*(°|d|deg|degs|degrees?|h|hr|hrs|hours?)\.?$/i;

/**
 * Parses "12 34 56.7", "12:34:56.7", "12h34m56.7s", "12h30m", "122d30m",
 * "-02°27′30″", "+41:16:08", a decimal, or a decimal with its unit
 * ("83.82 deg", "-5.39°", "5.588h"); null when it is neither. Hemisphere
 * letters are not accepted here (see `parseDec`, `parseLongitude`).
 */
export function parseSexagesimal(text: string): number | null {
  const s = text.trim().replace(/''/g, '"');
  if (s === '') return null;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  const unit = DECIMAL_WITH_UNIT.exec(s);
  if (unit) return Number(unit[1]!.replace('−', '-'));
  const m = /^([+\-−])?\s*(\d+(?:\.\d+)?)\s*(?:[:hHdD°]\s*|\s+)(\d+(?:\.\d+)?)\s*(?:(?:[:mM'′]\s*|\s+)(\d+(?:\.\d+)?)\s*[sS"″]?|[mM'′])?\s*$/.exec(s);
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
    // "123d45m" and "83.82 deg" are degrees even for RA; "5.588h" is hours; any other separated form is hours
    const inDegrees = /\d\s*[dD°]/.test(value);
    const inHours = /\d\s*[hH]/.test(value);
    deg = !inDegrees && (isSexagesimal(value) || hours || inHours) ? v * 15 : v;
  }
  if (deg === null || !Number.isFinite(deg) || deg < 0 || deg > 360) return null;
  return deg === 360 ? 0 : deg;
}

/** Signed degrees from a number or an angle text, with a hemisphere letter applied (`negative` = the letter that means minus). */
function signedAngle(value: unknown, negative: Hemisphere, positive: Hemisphere): { deg: number; explicit: boolean } | null {
  if (typeof value === 'number') return Number.isFinite(value) ? { deg: value, explicit: false } : null;
  if (typeof value !== 'string') return null;
  const { body, hemisphere } = splitHemisphere(value);
  if (hemisphere !== null && hemisphere !== negative && hemisphere !== positive) return null;
  const v = parseSexagesimal(body);
  if (v === null || !Number.isFinite(v)) return null;
  if (hemisphere === null) return { deg: v, explicit: false };
  return { deg: hemisphere === negative ? -Math.abs(v) : Math.abs(v), explicit: true };
}

/** Declination in degrees from a number or sexagesimal string; null when out of ±90. */
export function parseDec(value: unknown): number | null {
  const v = signedAngle(value, 'S', 'N');
  if (v === null || v.deg < -90 || v.deg > 90) return null;
  return v.deg;
}

/** Latitude in degrees (north positive), accepting N/S letters; null when out of ±90. */
export const parseLatitude = parseDec;

/**
 * Longitude in degrees, normalized to −180..180, east positive. A hemisphere
 * letter in the value decides the sign; without one the value is read as
 * east positive unless `westPositive` says the writer counts westwards.
 */
export function parseLongitude(value: unknown, westPositive = false): number | null {
  const a = signedAngle(value, 'W', 'E');
  if (a === null) return null;
  let v = a.explicit || !westPositive ? a.deg : -a.deg;
  if (v < -360 || v > 360) return null;
  if (v > 180) v -= 360;
  if (v < -180) v += 360;
  return v;
}

/** True when a card's comment says its longitude counts westwards ("DEGREES WEST OF ZERO", "[deg west]", "west positive", "+W"). */
export function commentSaysWestPositive(comment: string): boolean {
  const c = comment.toLowerCase();
  if (/east\s*(is\s*)?(positive|\+)|\+\s*e(ast)?\b|positive\s*east|degrees?\s*east|\[deg\s*e(ast)?\]|west\s*(is\s*)?negative|\be\s*\+/.test(c)) return false;
  return /west\s*(is\s*)?(positive|\+)|\+\s*w(est)?\b|positive\s*west|degrees?\s*west|deg\s*w(est)?\b|\[deg\s*w(est)?\]|east\s*(is\s*)?negative|\bwest\b/.test(c);
}

/**
 * WGS84 geodetic latitude/longitude (degrees) and height (m) from ITRS
 * geocentric X/Y/Z in metres (FITS OBSGEO-X/Y/Z). Bowring's method, well under
 * a metre for points near the Earth's surface.
 */
export function geodeticFromGeocentric(x: number, y: number, z: number): { latitude: number; longitude: number; elevationM: number } | null {
  const a = 6378137.0;
  const f = 1 / 298.257223563;
  const b = a * (1 - f);
  const e2 = f * (2 - f);
  const ep2 = (a * a - b * b) / (b * b);
  const p = Math.hypot(x, y);
  const r = Math.hypot(p, z);
  if (!Number.isFinite(r) || r < 6.0e6 || r > 6.5e6) return null; // not a point near the Earth's surface
  const theta = Math.atan2(z * a, p * b);
  const lat = Math.atan2(z + ep2 * b * Math.sin(theta) ** 3, p - e2 * a * Math.cos(theta) ** 3);
  const n = a / Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
  const h = Math.abs(Math.cos(lat)) > 1e-9 ? p / Math.cos(lat) - n : Math.abs(z) - b;
  return { latitude: (lat * 180) / Math.PI, longitude: (Math.atan2(y, x) * 180) / Math.PI, elevationM: h };
}
