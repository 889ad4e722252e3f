/**
 * Normalized acquisition fields from header cards of any capture program
 * (N.I.N.A., SGP, Ekos/INDI, SharpCap, APT, ASIAIR, MaxIm DL, PixInsight,
 * Siril, DSS, Seestar, DWARF, Unistellar, Celestron Origin) and from EXIF;
 * smart telescopes are recognised in smartTelescopes.ts. The keyword table is in
 * docs/formats.md. Unknown stays null: nothing here guesses.
 */
import type { Acquisition, HeaderCard } from '../../sdk/facts.ts';
import { isStack, readStackEvidence } from './stackEvidence.ts';
import { fileNameCount } from './stackSources.ts';
import { besselianEpochToJd, precessJ2000 } from '../sky/precession.ts';
import { wcsFromRecord } from '../wcs/readWcs.ts';
import { pixelToSky } from '../wcs/wcs.ts';
import { commentSaysWestPositive, geodeticFromGeocentric, parseDec, parseLongitude, parseRa } from './coords.ts';
import { capturedDate, lookup } from './dates.ts';
import { normalizeFilter } from './filters.ts';
import { smartTelescope } from './smartTelescopes.ts';
import { isPlaceholder } from './fits-header.ts';

export { normalizeFilter } from './filters.ts';

export interface AcquisitionExtra {
  /** stack count found elsewhere (e.g. XISF image attributes) */
  stackCount?: number | null;
  /** image size in pixels, when the cards do not carry NAXIS1/2 (XISF): for the WCS centre */
  width?: number | null;
  height?: number | null;
  /** the file's name: settings it states fill what the header does not (DWARF's calibration masters have no cards) */
  fileName?: string;
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
      if (!isPlaceholder(s)) return s;
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

  // stacks (one home for the rule: agents/lib/formats/stackEvidence.ts): a header whose EXPTIME is the
  // total of a stack does not give the exposure of a sub
  const stack = readStackEvidence(cards);
  if (stack.totalFrom?.startsWith('EXPTIME') && exp && (exp[1] === 'EXPTIME' || exp[1] === 'EXPOSURE')) {
    exposureSeconds = stack.subSeconds;
  }
  // an in-camera stack whose exposure card is not known to be a sub's (DWARF II) gives none
  if (stack.inCameraStack && stack.subSeconds === null) exposureSeconds = null;

  // a Bayer pattern written as the filter (cameras without a filter wheel) is not a filter
  let filterRaw = text('FILTER', 'FILTNAME', 'FILTER1', 'FILTERS', 'FILT-1', 'Instrument:Filter:Name');
  if (filterRaw !== null && CFA.test(filterRaw.toUpperCase())) filterRaw = null;

  // gain: a camera setting (ZWO/QHY units) or ISO for DSLRs; EGAIN is e-/ADU and is not a setting
  let gain: number | null = null;
  const g = numKey('GAIN', 'CAMGAIN', 'ISOSPEED', 'ISO', 'ISOSpeedRatings', 'PhotographicSensitivity');
  if (g && !/e-?\s*\/\s*adu|electrons?\s*(per|\/)/i.test(comment(g[1])) && g[0] >= 0) gain = g[0];

  // −1 is "not available" in several camera SDKs
  const offsetValue = num('OFFSET', 'BLKLEVEL', 'BLACKLEVEL', 'CAMOFFST', 'QOFFSET', 'Instrument:Camera:Offset');
  const offset = offsetValue !== null && offsetValue >= 0 ? offsetValue : null;

  let sensorTempC = temp(num('CCD-TEMP', 'CCD_TEMP', 'CCDTEMP', 'SENSOR-TEMP', 'SENSTEMP', 'TEMPERAT', 'DET-TEMP', 'CMOSTEMP', 'Instrument:Sensor:Temperature'));
  const setTempC = temp(num('SET-TEMP', 'SET_TEMP', 'SETTEMP', 'CCD-SET', 'TEMPSET', 'Instrument:Sensor:TargetTemperature'));
  // Cameras without a temperature sensor (DSLRs through INDI/ASCOM, planetary cameras, phones) report
  // exactly 0: with no set point and no cooler power either, 0 is "no reading", not 0 °C.
  if (sensorTempC === 0 && setTempC === null && num(...COOLER_POWER_KEYS) === null) sensorTempC = null;

  let binning = binningText(get);

  const device = smartTelescope(get);
  const camera = device?.camera ?? cameraName(text, get);
  let telescope = device?.telescope ?? text('TELESCOP', 'TELESCOPE', 'Instrument:Telescope:Name');
  let mount = text('MOUNT', 'Instrument:Mount:Name');
  // ASIAIR writes the mount it drives as TELESCOP ('OnStep', 'ZWO AM5'…; its optics are only a focal length)
  if (!device && telescope !== null && /\basiair\b/i.test(text('CREATOR', 'SWCREATE') ?? '') && !/asiair/i.test(telescope)) {
    mount ??= telescope;
    telescope = null;
  }

  // focal length: mm in FITS, metres in XISF properties, mm in EXIF
  let focalLengthMm: number | null = null;
  const fl = numKey('FOCALLEN', 'FOCAL', 'FOCLEN', 'FOCAL_LENGTH', 'Instrument:Telescope:FocalLength', 'FocalLength');
  if (fl) {
    let v = fl[0];
    const c = comment(fl[1]).toLowerCase();
    if (fl[1] === 'Instrument:Telescope:FocalLength' || (/\b(m|meters?|metres?)\b/.test(c) && !/mm/.test(c) && v < 50)) v *= 1000;
    focalLengthMm = v > 0 ? round(v, 3) : null;
  }
  // a smart telescope's optics are fixed by its model when its header does not state them (Unistellar, Origin)
  focalLengthMm ??= device?.focalLengthMm ?? null;
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
  const pixelSizeUm = px !== null && px > 0 && px < 1000 ? px : (device?.pixelSizeUm ?? null);

  // a Bayer pattern kept on an image of three colour planes (Seestar's and DWARF's stacks) describes its subs, not it
  const colourPlanes = numeric(get('NAXIS')) === 3 && numeric(get('NAXIS3')) === 3;
  const bayerPattern = colourPlanes ? null : bayer(get);
  // a device that names no program but its firmware version (Unistellar SOFTVER): 'Unistellar 4.2'
  const firmware = device?.firmware ? text(device.firmware.key) : null;
  const software = softwareName(text) ?? (device?.firmware && firmware ? `${device.firmware.maker} ${firmware}` : null);
  const object = text('OBJECT', 'OBJNAME', 'OBJECTNAME', 'TARGET', 'Observation:Object:Name');

  const stackCount = stack.count ?? extra.stackCount ?? null;
  const stackExposureSeconds = stack.totalSeconds;

  // settings the file name states, for what the header lacks (never over a header value, never for a stack's total)
  const named = extra.fileName ? fileNameSettings(extra.fileName) : null;
  if (named && !isStack(stack)) {
    exposureSeconds ??= named.exposureSeconds;
    gain ??= named.gain;
    binning ??= named.binning;
    sensorTempC ??= named.sensorTempC;
  }

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
    pointing: pointingOf(cards, get, comment, extra),
    site: siteOf(get, comment, software, device?.elevationKey ?? null),
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

/**
 * Capture settings written into a file name by devices and programs that name
 * their files after them: DWARF's calibration masters
 * (`dark_exp_60.000000_gain_60_bin_1_20C_stack_8.fits`, whose header holds
 * only `BAYERPAT`), its darks and subs (`raw_60s_60_0002_…_20C.fits`,
 * `IC 434_60s60_Astro_…_16C.fits`), ASIAIR
 * (`Light_M 13_30.0s_Bin1_2600MC_None_gain100_…_-10.0C_0013.fit`), Seestar
 * (`Light_Sadr_10.0s_LP_….fit`), ASIAIR's bias masters (`…_1.0ms_…`). A stack's name gives its sub exposure only
 * through `fileNameCount` (`Stack_16bits_73frames_584s`: 584 s is the total).
 */
export function fileNameSettings(fileName: string): { exposureSeconds: number | null; gain: number | null; binning: string | null; sensorTempC: number | null } | null {
  const name = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
  const stack = fileNameCount(name);
  let exposureSeconds: number | null = stack ? stack.subSeconds : null;
  if (!stack) {
    const m = /(?:^|[_\s])exp[_-]?(\d+(?:\.\d+)?)()(?=[_\s]|$)/i.exec(name) ?? /(?:^|[_\s])(\d+(?:\.\d+)?)\s?(ms|s|sec)(?=\d*(?:[_\s]|$))/i.exec(name);
    const v = m ? Number(m[1]) / (m[2]?.toLowerCase() === 'ms' ? 1000 : 1) : NaN;
    exposureSeconds = v > 0 && v < 1e5 ? v : null;
  }
  const g = /(?:^|[_\s])gain[_-]?(\d{1,5})(?=[_\s]|$)/i.exec(name) ?? /(?:^|[_\s])\d+(?:\.\d+)?s(\d{1,5})(?=[_\s]|$)/i.exec(name);
  const b = /(?:^|[_\s])bin[_-]?([1-8])(?:x([1-8]))?(?=[_\s]|$)/i.exec(name);
  const t = /(?:^|[_\s])(-?\d{1,2}(?:\.\d+)?)C(?=[_\s]|$)/.exec(name);
  const temp = t ? Number(t[1]) : NaN;
  const out = {
    exposureSeconds,
    gain: g ? Number(g[1]) : null,
    binning: b ? `${b[1]}x${b[2] ?? b[1]}` : null,
    sensorTempC: temp > -100 && temp < 80 ? temp : null,
  };
  return Object.values(out).some((v) => v !== null) ? out : null;
}

/** A version alone ("4.70", "v2.1") names no program. */
const VERSION_ONLY = /^v?\d+(\.\d+)*[a-z]?$/i;
const SOFTWARE_NAME_KEYS = ['SWCREATE', 'PROGRAM', 'CREATOR', 'SOFTWARE', 'SWOWNER', 'XISF:CreatorApplication', 'Software', 'CreatorTool'];

/**
 * The program that wrote the file. A card holding only a version (Seestar:
 * `PROGRAM = '4.70'` beside `CREATOR = 'ZWO Seestar S50'`) is the version of
 * the named program, not a name.
 */
function softwareName(text: Text): string | null {
  let version: string | null = null;
  for (const k of SOFTWARE_NAME_KEYS) {
    const v = text(k);
    if (v === null) continue;
    if (VERSION_ONLY.test(v)) {
      version ??= v;
      continue;
    }
    return version && !v.includes(version) ? `${v} ${version}` : v;
  }
  return version;
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

/** Cooler power cards: their presence says the camera has a regulated (and so measured) sensor. */
const COOLER_POWER_KEYS = ['COOLERPW', 'COOLPOW', 'COOL-POW', 'COOLPWR', 'COOLERPOWER', 'CCD-POWR', 'CCDPOWER', 'COOLER', 'Instrument:Sensor:CoolerPower'];

const DAY_MJD = 2400000.5;

/** Julian date of the observation: JD, MJD-OBS, else DATE-OBS (UTC). */
function observationJd(cards: HeaderCard[], get: Get): number | null {
  const jd = numeric(get('JD') ?? get('JD-OBS') ?? get('JULIAN'));
  if (jd !== null && jd > 2300000 && jd < 2600000) return jd;
  const mjd = numeric(get('MJD-OBS') ?? get('MJD'));
  if (mjd !== null && mjd > 0 && mjd < 200000) return mjd + DAY_MJD;
  const iso = capturedDate(cards);
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t / 86400000 + 2440587.5 : null;
}

/**
 * The epoch (JD) of the mean equator and equinox that coordinates are given
 * in, null for J2000/ICRS. "Of date" (JNOW, apparent, GAPPT, topocentric)
 * is the observation date (nutation and aberration, under 40″, are ignored).
 * `undefined` means of date but the date is unknown.
 */
function equinoxJd(equinox: unknown, system: string, raComment: string, obsJd: () => number | null): number | null | undefined {
  const c = raComment.toLowerCase();
  const sys = system.toUpperCase().trim();
  if (/\bj2000\b|\bicrs\b/.test(c)) return null;
  const ofDate = (s: string) => /^(j?now|apparent|of date|date|topocentric|topo|gappt|jnow)$/i.test(s.trim());
  if (/\bjnow\b|of date|apparent|topocentric/.test(c) || sys === 'GAPPT' || (typeof equinox === 'string' && ofDate(equinox))) {
    return obsJd() ?? undefined;
  }
  if (sys === 'ICRS') return null;
  let year: number | null = null;
  let besselian = sys === 'FK4' || sys === 'FK4-NO-E';
  if (typeof equinox === 'number') year = equinox;
  else if (typeof equinox === 'string') {
    const m = /^\s*([JB])?\s*(\d{4}(?:\.\d+)?)\s*$/i.exec(equinox);
    if (m) {
      year = Number(m[2]);
      if (m[1]) besselian = m[1].toUpperCase() === 'B';
    }
  }
  if (year === null || !Number.isFinite(year) || year < 1800 || year > 2200) return null;
  if (Math.abs(year - 2000) < 0.01 && !besselian) return null;
  if (!besselian && sys === '' && year < 1984) besselian = true; // FITS: FK4 is the default before 1984
  return besselian ? besselianEpochToJd(year) : 2451545.0 + (year - 2000) * 365.25;
}

/**
 * Pointing (J2000 degrees) of the image centre. With a complete celestial
 * WCS (CTYPE RA/DEC, CRVAL, CRPIX, CD or CDELT, and the image size) the centre
 * pixel is projected through it, whatever pixel CRPIX names; otherwise the
 * pointing keywords: a CRVAL without CRPIX (the solver's centre) > XISF
 * Observation:Center > RA/DEC > FOVRA/FOVDEC > OBJCTRA/OBJCTDEC > RA_OBJ/DEC_OBJ >
 * TELRA/TELDEC > RA_PNT/DEC_PNT > a CRVAL at a CRPIX that cannot be projected.
 * Sexagesimal strings are hours for RA; numbers are degrees unless the
 * comment says hours, or a sexagesimal OBJCTRA beside them shows they are
 * hours. Coordinates of date (JNOW, EQUINOX of date or ≠ 2000,
 * RADESYS GAPPT/FK4/FK5) are precessed to J2000. 0/0 is "unknown".
 */
function pointingOf(cards: HeaderCard[], get: Get, comment: (k: string) => string, extra: AcquisitionExtra): { ra: number; dec: number } | null {
  let jdCache: number | null | undefined;
  const obsJd = () => (jdCache === undefined ? (jdCache = observationJd(cards, get)) : jdCache);
  const system = String(get('RADESYS') ?? get('RADECSYS') ?? '');
  const equinox = get('EQUINOX') ?? get('EPOCH');
  const toJ2000 = (ra: number, dec: number, raKey: string): { ra: number; dec: number } => {
    const jd = equinoxJd(equinox, system, comment(raKey), obsJd);
    if (jd === null || jd === undefined) return { ra, dec };
    const [r, d] = precessJ2000(ra, dec, jd, true);
    return { ra: r, dec: d };
  };

  const ctype = String(get('CTYPE1') ?? '').toUpperCase();
  const celestialWcs = ctype.startsWith('RA');
  if (celestialWcs) {
    const record: Record<string, string | number> = {};
    for (const c of cards) {
      const k = c.key.toUpperCase();
      if (k === 'HISTORY' || k === 'COMMENT' || k in record) continue;
      if (typeof c.value === 'number' || typeof c.value === 'string') record[k] = c.value;
    }
    const wcs = wcsFromRecord(record, { width: extra.width ?? null, height: extra.height ?? null });
    if (wcs) {
      const [ra, dec] = pixelToSky(wcs, (wcs.width + 1) / 2, (wcs.height + 1) / 2);
      if (Number.isFinite(ra) && Number.isFinite(dec)) return toJ2000(ra, dec, 'CRVAL1');
    }
  }

  const objctra = get('OBJCTRA');
  const objctraDeg = typeof objctra === 'string' ? parseRa(objctra, true) : null;
  const candidates: [string, string, boolean][] = [];
  // a CRVAL without CRPIX names no other pixel: the solver's centre (Seestar writes it so)
  const crpixKnown = get('CRPIX1') !== undefined && get('CRPIX2') !== undefined;
  if (celestialWcs && !crpixKnown) candidates.push(['CRVAL1', 'CRVAL2', false]);
  candidates.push(
    ['Observation:Center:RA', 'Observation:Center:Dec', false],
    ['RA', 'DEC', false],
    // Unistellar: the field centre, degrees (its files have no RA/DEC)
    ['FOVRA', 'FOVDEC', false],
    ['OBJCTRA', 'OBJCTDEC', true],
    ['RA_OBJ', 'DEC_OBJ', false],
    ['TELRA', 'TELDEC', false],
    ['RA_PNT', 'DEC_PNT', false],
  );
  // a CRVAL at a CRPIX that cannot be projected to the centre (no CD, no image size): after the pointing keys
  if (celestialWcs && crpixKnown) candidates.push(['CRVAL1', 'CRVAL2', false]);
  for (const [rk, dk, stringHours] of candidates) {
    const rv = get(rk);
    const dv = get(dk);
    if (rv === undefined || dv === undefined) continue;
    const c = comment(rk).toLowerCase();
    let hours = /\bhours?\b|\[h\]|\bhrs?\b|\(h\)/.test(c) || (stringHours && typeof rv === 'string');
    // RA as a number beside a sexagesimal OBJCTRA: hours when that is what matches it
    if (!hours && typeof rv === 'number' && rv >= 0 && rv < 24 && objctraDeg !== null && rk !== 'OBJCTRA') {
      if (Math.abs(rv * 15 - objctraDeg) < 1 && Math.abs(rv - objctraDeg) > 1) hours = true;
    }
    const ra = parseRa(rv, hours && !/\bdeg/.test(c));
    const dec = parseDec(dv);
    if (ra === null || dec === null) continue;
    if (Math.abs(ra) < 1e-9 && Math.abs(dec) < 1e-9) continue;
    return toJ2000(ra, dec, rk);
  }
  return null;
}

/**
 * Programs known to write a west-positive longitude without saying so in the
 * comment, by their software name (SWCREATE/CREATOR/PROGRAM/SOFTWARE). See
 * docs/formats.md "Site longitude" for the evidence behind each entry.
 */
const WEST_POSITIVE_WRITERS: RegExp[] = [];

/**
 * Observing site, east-positive longitude. Order: the FITS standard's
 * OBSGEO-B/L/H, then geocentric OBSGEO-X/Y/Z, then LAT-OBS/LONG-OBS/ALT-OBS,
 * then SITELAT/SITELONG and the rest. Hemisphere letters in a value decide
 * its sign; otherwise a comment that says "west" (IRAF/KPNO "DEGREES WEST",
 * "[deg west]") or a known west-positive writer flips it.
 */
function siteOf(get: Get, comment: (k: string) => string, software: string | null, deviceElevationKey: string | null): Acquisition['site'] {
  const writerWest = software !== null && WEST_POSITIVE_WRITERS.some((re) => re.test(software));
  const present = (k: string) => {
    const v = get(k);
    return v !== undefined && v !== null && v !== '';
  };
  const geo = (() => {
    const [x, y, z] = ['OBSGEO-X', 'OBSGEO-Y', 'OBSGEO-Z'].map((k) => numeric(get(k)));
    return x !== null && y !== null && z !== null ? geodeticFromGeocentric(x, y, z) : null;
  })();

  let latitude: number | null = null;
  for (const k of ['OBSGEO-B', 'LAT-OBS', 'SITELAT', 'OBSLAT', 'LATITUDE', 'Observation:Location:Latitude', 'latitude']) {
    if (k === 'LAT-OBS' && geo) { latitude = geo.latitude; break; }
    if (!present(k)) continue;
    latitude = parseDec(get(k));
    if (latitude !== null) break;
  }
  if (latitude === null && geo) latitude = geo.latitude;

  let longitude: number | null = null;
  const standard = new Set(['OBSGEO-L', 'Observation:Location:Longitude', 'longitude']);
  for (const k of ['OBSGEO-L', 'LONG-OBS', 'SITELONG', 'OBSLONG', 'LONGITUD', 'LONGITUDE', 'Observation:Location:Longitude', 'longitude']) {
    if (k === 'LONG-OBS' && geo) { longitude = geo.longitude; break; }
    if (!present(k)) continue;
    const west = !standard.has(k) && (commentSaysWestPositive(comment(k)) || writerWest);
    longitude = parseLongitude(get(k), west);
    if (longitude !== null) break;
  }
  if (longitude === null && geo) longitude = geo.longitude;

  let el: number | null = null;
  // ALTITUDE is the site's elevation only for the devices known to write it so (Unistellar); elsewhere it is
  // often the pointing's altitude above the horizon
  const elevationKeys = ['OBSGEO-H', 'ALT-OBS', 'SITEELEV', 'OBSELEV', 'ELEVATIO', 'Observation:Location:Elevation', 'GPSAltitude'];
  if (deviceElevationKey) elevationKeys.push(deviceElevationKey);
  for (const k of elevationKeys) {
    if (k === 'ALT-OBS' && geo) { el = geo.elevationM; break; }
    el = numeric(get(k));
    if (el !== null) break;
  }
  if (el === null && geo) el = geo.elevationM;
  const elevationM = el !== null && el > -500 && el < 10000 ? round(el, 1) : null;
  if (latitude === null && longitude === null && elevationM === null) return null;
  if (latitude === 0 && longitude === 0) return elevationM === null ? null : { latitude: null, longitude: null, elevationM };
  return { latitude, longitude, elevationM };
}

/** Sub count of a stack (the rule lives in agents/lib/formats/stackEvidence.ts). */
export function stackCountOf(cards: HeaderCard[]): number | null {
  return readStackEvidence(cards).count;
}
