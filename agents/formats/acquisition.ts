/**
 * Normalized acquisition fields from header cards of any capture program
 * (N.I.N.A., SGP, Ekos/INDI, SharpCap, APT, ASIAIR, MaxIm DL, PixInsight,
 * Siril, DSS, Seestar, DWARF) and from EXIF. The keyword table is in
 * docs/formats.md. Unknown stays null: nothing here guesses.
 */
import type { Acquisition, HeaderCard } from '../sdk/facts.ts';
import { parseDec, parseLongitude, parseRa } from './coords.ts';
import { lookup } from './dates.ts';
import { normalizeFilter } from './filters.ts';

export { normalizeFilter } from './filters.ts';

/** Placeholder texts that mean "not set". */
const PLACEHOLDER = /^(|unknown|none|n\/?a|null|undefined|-+|\?|default|object)$/i;

export interface AcquisitionExtra {
  /** stack count found elsewhere (e.g. XISF image attributes) */
  stackCount?: number | null;
}

export function normalizeAcquisition(cards: HeaderCard[], extra: AcquisitionExtra = {}): Acquisition {
  const get = lookup(cards);
  const comments = new Map<string, string>();
  for (const c of cards) if (c.comment && !comments.has(c.key.toUpperCase())) comments.set(c.key.toUpperCase(), c.comment);
  const comment = (k: string) => comments.get(k.toUpperCase()) ?? '';

  const text = (...keys: string[]): string | null => {
    for (const k of keys) {
      const v = get(k);
      if (v === undefined || v === null || typeof v === 'boolean') continue;
      const s = String(v).trim();
      if (!PLACEHOLDER.test(s)) return s;
    }
    return null;
  };
  const num = (...keys: string[]): number | null => {
    for (const k of keys) {
      const v = numeric(get(k));
      if (v !== null) return v;
    }
    return null;
  };
  /** first key that has a number, with the key (for unit checks) */
  const numKey = (...keys: string[]): [number, string] | null => {
    for (const k of keys) {
      const v = numeric(get(k));
      if (v !== null) return [v, k];
    }
    return null;
  };

  // exposure: EXPTIME/EXPOSURE in seconds unless the comment says minutes/ms (DSS plates: minutes)
  let exposureSeconds: number | null = null;
  const exp = numKey('EXPTIME', 'EXPOSURE', 'EXPOSURETIME', 'EXP_TIME', 'EXP', 'Instrument:ExposureTime', 'ExposureTime');
  if (exp) {
    const c = comment(exp[1]).toLowerCase();
    let v = exp[0];
    if (/\bmin(ute)?s?\b/.test(c)) v *= 60;
    else if (/\bms\b|millisec/.test(c)) v /= 1000;
    else if (/\bus\b|µs|microsec/.test(c)) v /= 1e6;
    exposureSeconds = v >= 0 ? v : null;
  }

  const filterRaw = text('FILTER', 'FILTNAME', 'FILTER1', 'FILTERS', 'FILT-1', 'Instrument:Filter:Name');

  // gain: a camera setting (ZWO/QHY units) or ISO for DSLRs; EGAIN is e-/ADU and is not a setting
  let gain: number | null = null;
  const g = numKey('GAIN', 'CAMGAIN', 'ISOSPEED', 'ISO', 'ISOSpeedRatings', 'PhotographicSensitivity');
  if (g && !/e-?\s*\/\s*adu|electrons?\s*(per|\/)/i.test(comment(g[1]))) gain = g[0];

  const offset = num('OFFSET', 'BLKLEVEL', 'BLACKLEVEL', 'CAMOFFST', 'QOFFSET', 'Instrument:Camera:Offset');

  const sensorTempC = temp(num('CCD-TEMP', 'CCD_TEMP', 'CCDTEMP', 'SENSOR-TEMP', 'SENSTEMP', 'TEMPERAT', 'DET-TEMP', 'Instrument:Sensor:Temperature'));
  const setTempC = temp(num('SET-TEMP', 'SET_TEMP', 'SETTEMP', 'CCD-SET', 'TEMPSET', 'Instrument:Sensor:TargetTemperature'));

  const binning = binningText(get);

  const camera = cameraName(text, get);
  const telescope = text('TELESCOP', 'TELESCOPE', 'Instrument:Telescope:Name');
  const mount = text('MOUNT', 'Instrument:Mount:Name');

  // focal length: mm in FITS, metres in XISF properties, mm in EXIF
  let focalLengthMm: number | null = null;
  const fl = numKey('FOCALLEN', 'FOCAL', 'FOCLEN', 'FOCAL_LENGTH', 'Instrument:Telescope:FocalLength', 'FocalLength');
  if (fl) {
    let v = fl[0];
    const c = comment(fl[1]).toLowerCase();
    if (fl[1] === 'Instrument:Telescope:FocalLength' || (/\b(m|meters?|metres?)\b/.test(c) && !/mm/.test(c) && v < 50)) v *= 1000;
    focalLengthMm = v > 0 ? round(v, 3) : null;
  }
  let apertureMm: number | null = null;
  const ap = numKey('APTDIA', 'APERTURE', 'APTDIAM', 'Instrument:Telescope:Aperture');
  if (ap) {
    let v = ap[0];
    if (ap[1] === 'Instrument:Telescope:Aperture' || (/\b(m|meters?|metres?)\b/i.test(comment(ap[1])) && v < 10)) v *= 1000;
    // Seestar writes APERTURE = 5. ("field of view aperture"): no optic of a few mm images the sky
    apertureMm = v >= 10 || (ap[1] === 'APTDIA' && v > 0) ? round(v, 3) : null;
  }
  if (apertureMm === null && focalLengthMm !== null) {
    const f = num('FNumber');
    if (f && f > 0 && get('FocalLength') !== undefined) apertureMm = round(focalLengthMm / f, 2);
  }

  const px = num('XPIXSZ', 'PIXSIZE1', 'PIXSIZE', 'XPIXELSZ', 'PIXSZ', 'Instrument:Sensor:XPixelSize');
  const pixelSizeUm = px !== null && px > 0 && px < 1000 ? px : null;

  const bayerPattern = bayer(get);
  const software = text('SWCREATE', 'PROGRAM', 'CREATOR', 'SOFTWARE', 'SWOWNER', 'XISF:CreatorApplication', 'Software', 'CreatorTool');
  const object = text('OBJECT', 'OBJNAME', 'OBJECTNAME', 'TARGET', 'Observation:Object:Name');

  const stackCount = stackCountOf(cards, get) ?? extra.stackCount ?? null;
  let stackExposureSeconds = num('TOTALEXP', 'TOTAL_EXP', 'TOTEXP', 'EXPTOTAL', 'LIVETIME', 'INTEGTIM');
  if (stackExposureSeconds !== null && stackExposureSeconds <= 0) stackExposureSeconds = null;

  return {
    object,
    exposureSeconds,
    filter: normalizeFilter(filterRaw),
    filterRaw,
    gain,
    offset,
    sensorTempC,
    setTempC,
    binning,
    camera,
    telescope,
    mount,
    focalLengthMm,
    apertureMm,
    pixelSizeUm,
    bayerPattern,
    software,
    pointing: pointingOf(get, comment),
    site: siteOf(get),
    stackCount,
    stackExposureSeconds,
  };
}

function numeric(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/.test(s)) return Number(s.replace(/[dD]/, 'e'));
  }
  return null;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** sensor temperatures outside −100…+80 °C are sentinel values (e.g. −999, 999) */
function temp(v: number | null): number | null {
  return v !== null && v > -100 && v < 80 ? v : null;
}

type Get = (key: string) => HeaderCard['value'] | undefined;
type Text = (...keys: string[]) => string | null;

function binningText(get: Get): string | null {
  const x = numeric(get('XBINNING') ?? get('CCDXBIN') ?? get('BINX') ?? get('Instrument:Camera:XBinning'));
  const y = numeric(get('YBINNING') ?? get('CCDYBIN') ?? get('BINY') ?? get('Instrument:Camera:YBinning'));
  if (x !== null && x >= 1) return `${x}x${y !== null && y >= 1 ? y : x}`;
  const b = get('BINNING') ?? get('BIN') ?? get('CCDSUM');
  if (typeof b === 'number' && b >= 1) return `${b}x${b}`;
  if (typeof b === 'string') {
    const m = /^\s*(\d+)\s*(?:[x*×\s,]\s*(\d+))?\s*$/i.exec(b);
    if (m) return `${m[1]}x${m[2] ?? m[1]}`;
  }
  return null;
}

function cameraName(text: Text, get: Get): string | null {
  const fits = text('INSTRUME', 'CAMERA', 'CCD_NAME', 'DETECTOR', 'Instrument:Camera:Name');
  if (fits) return fits;
  const make = typeof get('Make') === 'string' ? String(get('Make')).trim() : '';
  const model = typeof get('Model') === 'string' ? String(get('Model')).trim() : '';
  if (!model) return make || null;
  // "Canon" + "Canon EOS 6D" → "Canon EOS 6D"; "NIKON CORPORATION" + "NIKON D70" → "NIKON D70"
  const brand = make.split(/\s+/)[0] ?? '';
  if (!make || model.toUpperCase().startsWith(brand.toUpperCase())) return model;
  return `${make} ${model}`;
}

const CFA = /^(RGGB|BGGR|GRBG|GBRG)$/;
const EXIF_CFA = ['R', 'G', 'B'];

function bayer(get: Get): string | null {
  for (const k of ['BAYERPAT', 'COLORTYP', 'CFAIMAGE', 'CFA-PAT', 'CFAPAT', 'PCL:CFASourcePattern', 'dcraw:FilterPattern']) {
    const v = get(k);
    if (typeof v === 'string' && CFA.test(v.trim().toUpperCase())) return v.trim().toUpperCase();
  }
  // EXIF CFAPattern: 2 shorts of repeat size then colour indices (0 R, 1 G, 2 B)
  const e = get('CFAPattern') ?? get('CFAPattern2');
  if (typeof e === 'string') {
    const n = e.trim().split(/\s+/).map(Number);
    const idx = n.length === 8 ? n.slice(4) : n.length === 4 ? n : null;
    if (idx && idx.every((i) => i >= 0 && i <= 2)) {
      const p = idx.map((i) => EXIF_CFA[i]).join('');
      if (CFA.test(p)) return p;
    }
  }
  return null;
}

/**
 * Pointing hint (J2000 degrees), PLATESOLVE.md §4: CRVAL of an RA/DEC WCS >
 * XISF Observation:Center > RA/DEC > OBJCTRA/OBJCTDEC > RA_OBJ/DEC_OBJ.
 * Sexagesimal strings are hours for RA; numbers are degrees unless the
 * comment says hours; 0/0 is "unknown".
 */
function pointingOf(get: Get, comment: (k: string) => string): { ra: number; dec: number } | null {
  const candidates: [string, string, boolean][] = [];
  const ctype = String(get('CTYPE1') ?? '').toUpperCase();
  if (ctype.startsWith('RA')) candidates.push(['CRVAL1', 'CRVAL2', false]);
  candidates.push(
    ['Observation:Center:RA', 'Observation:Center:Dec', false],
    ['RA', 'DEC', false],
    ['OBJCTRA', 'OBJCTDEC', true],
    ['RA_OBJ', 'DEC_OBJ', false],
    ['TELRA', 'TELDEC', false],
    ['RA_PNT', 'DEC_PNT', false],
  );
  for (const [rk, dk, stringHours] of candidates) {
    const rv = get(rk);
    const dv = get(dk);
    if (rv === undefined || dv === undefined) continue;
    const c = comment(rk).toLowerCase();
    const hours = /\bhours?\b|\[h\]|\bhrs?\b|\(h\)/.test(c) || (stringHours && typeof rv === 'string');
    const ra = parseRa(rv, hours && !/\bdeg/.test(c));
    const dec = parseDec(dv);
    if (ra === null || dec === null) continue;
    if (Math.abs(ra) < 1e-9 && Math.abs(dec) < 1e-9) continue;
    return { ra, dec };
  }
  return null;
}

function siteOf(get: Get): Acquisition['site'] {
  const first = (keys: string[]) => keys.map((k) => get(k)).find((v) => v !== undefined && v !== null && v !== '');
  const latitude = parseDec(first(['SITELAT', 'OBSLAT', 'LAT-OBS', 'LATITUDE', 'OBSGEO-B', 'Observation:Location:Latitude', 'latitude']));
  const longitude = parseLongitude(first(['SITELONG', 'OBSLONG', 'LONG-OBS', 'LONGITUD', 'OBSGEO-L', 'Observation:Location:Longitude', 'longitude']));
  const el = numeric(first(['SITEELEV', 'OBSELEV', 'ALT-OBS', 'ELEVATIO', 'OBSGEO-H', 'Observation:Location:Elevation', 'GPSAltitude']));
  const elevationM = el !== null && el > -500 && el < 10000 ? el : null;
  if (latitude === null && longitude === null && elevationM === null) return null;
  if (latitude === 0 && longitude === 0) return elevationM === null ? null : { latitude: null, longitude: null, elevationM };
  return { latitude, longitude, elevationM };
}

/** Sub count of a stack: NCOMBINE/STACKCNT/… keywords, else PixInsight/Siril/DSS history lines. */
export function stackCountOf(cards: HeaderCard[], get: Get = lookup(cards)): number | null {
  for (const k of ['NCOMBINE', 'STACKCNT', 'NSTACK', 'NUMFRAME', 'SNAPSHOT', 'NSUBEXP']) {
    const v = numeric(get(k));
    if (v !== null && Number.isInteger(v) && v >= 1) return v;
  }
  for (const c of cards) {
    if (typeof c.value !== 'string' || (c.key !== 'HISTORY' && c.key !== 'COMMENT' && !c.key.includes(':'))) continue;
    const t = c.value;
    const m =
      /ImageIntegration\.numberOfImages\s*[:=]\s*(\d+)/i.exec(t) ??
      /(?:stack(?:ing|ed)?|integrat(?:ion|ed)|combin(?:ing|ed))\D{0,20}?(\d+)\s+(?:images|frames|subs|exposures|files)/i.exec(t) ??
      /(\d+)\s+(?:images|frames|subs|exposures|files)\s+(?:stacked|combined|integrated)/i.exec(t);
    if (m) {
      const n = Number(m[1]);
      if (n >= 1) return n;
    }
  }
  return null;
}
