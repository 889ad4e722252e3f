/**
 * Solve hints from header cards and the `file` agent's acquisition facts
 * (PLATESOLVE.md §3.2 step 3 and §4): position from CRVAL > RA/DEC >
 * OBJCTRA/OBJCTDEC (> acquisition.pointing), scale from CD/CDELT >
 * SCALE/PIXSCALE/SECPIX > 206.265·XPIXSZ/FOCALLEN, with binning alternatives.
 */
import type { Acquisition, HeaderCard } from '../sdk/facts.ts';
import { readWcs, toNumber, normalizeRa } from '../lib/wcs/index.ts';

export interface PositionHintSource {
  ra: number;
  dec: number;
  /** which card(s) it came from */
  source: string;
}

export interface ScaleHintSource {
  /** arcsec per (full-resolution) pixel */
  arcsecPerPixel: number;
  source: string;
  /** other scales worth a try when the first fails (binning ambiguity) */
  alternatives: number[];
}

export interface SolveHints {
  position: PositionHintSource | null;
  scale: ScaleHintSource | null;
}

/** Parses "HH MM SS.s", "HH:MM:SS", "+DD MM SS" (also with h/m/s, d/'/″ letters). */
export function parseSexagesimal(text: string): number | null {
  const t = text.trim();
  const m = /^([+\-−]?)\s*(\d+(?:\.\d*)?)[\s:hd°]+(\d+(?:\.\d*)?)(?:[\s:m′']+(\d+(?:\.\d*)?))?[\sm′'s″"]*$/i.exec(t);
  if (!m) return null;
  const sign = m[1] === '-' || m[1] === '−' ? -1 : 1;
  const v = Number(m[2]) + Number(m[3]) / 60 + (m[4] ? Number(m[4]) / 3600 : 0);
  return Number.isFinite(v) ? sign * v : null;
}

type CardValue = { value: HeaderCard['value']; comment?: string };

function cardIndex(cards: readonly HeaderCard[]): Map<string, CardValue> {
  const m = new Map<string, CardValue>();
  for (const c of cards) {
    const k = c.key.toUpperCase();
    if (!m.has(k)) m.set(k, { value: c.value, comment: c.comment });
  }
  return m;
}

/** RA in degrees from a card: sexagesimal strings are hours; numbers are degrees unless the comment says hours. */
function raOf(c: CardValue | undefined): number | null {
  if (!c || c.value === null || c.value === '') return null;
  if (typeof c.value === 'string' && /[\s:hm]/.test(c.value.trim())) {
    const h = parseSexagesimal(c.value);
    return h === null ? null : normalizeRa(h * 15);
  }
  const n = toNumber(c.value);
  if (n === null) return null;
  const hours = /\[h\]|\bhours?\b|\bhr\b/i.test(c.comment ?? '');
  return normalizeRa(hours ? n * 15 : n);
}

function decOf(c: CardValue | undefined): number | null {
  if (!c || c.value === null || c.value === '') return null;
  const v = typeof c.value === 'string' && /[\s:d°]/.test(c.value.trim()) ? parseSexagesimal(c.value) : toNumber(c.value);
  return v !== null && Math.abs(v) <= 90 ? v : null;
}

function validPosition(ra: number | null, dec: number | null): boolean {
  // 0/0 is what N.I.N.A. and DWARF write without a mount: treat as missing.
  return ra !== null && dec !== null && !(Math.abs(ra) < 1e-9 && Math.abs(dec) < 1e-9);
}

export function hintsFromCards(
  cards: readonly HeaderCard[], acquisition?: Partial<Acquisition> | null, size?: { width: number; height: number },
): SolveHints {
  const m = cardIndex(cards);
  const num = (k: string): number | null => toNumber(m.get(k)?.value);
  let position: PositionHintSource | null = null;
  let scale: ScaleHintSource | null = null;

  const wcs = readWcs(cards, size ?? {});
  if (wcs.ok) {
    position = { ra: wcs.wcs.crval[0], dec: wcs.wcs.crval[1], source: 'CRVAL' };
    scale = { arcsecPerPixel: Math.sqrt(Math.abs(wcs.wcs.cd[0] * wcs.wcs.cd[3] - wcs.wcs.cd[1] * wcs.wcs.cd[2])) * 3600, source: 'CD', alternatives: [] };
  } else if (wcs.hint) {
    position = { ...wcs.hint, source: 'CRVAL' };
  }
  if (!position) {
    const pairs: [string, string, string][] = [
      ['RA', 'DEC', 'RA/DEC'], ['OBJCTRA', 'OBJCTDEC', 'OBJCTRA/OBJCTDEC'],
      ['OBSERVATION:CENTER:RA', 'OBSERVATION:CENTER:DEC', 'Observation:Center'], ['RA_OBJ', 'DEC_OBJ', 'RA_OBJ/DEC_OBJ'],
    ];
    for (const [kr, kd, src] of pairs) {
      const rc = m.get(kr);
      // OBJCTRA-style keys are always hours, even when written as a plain number.
      const ra = kr === 'OBJCTRA' && typeof rc?.value === 'number' ? normalizeRa(rc.value * 15) : raOf(rc);
      const dec = decOf(m.get(kd));
      if (validPosition(ra, dec)) { position = { ra: ra!, dec: dec!, source: src }; break; }
    }
  }
  const pt = acquisition?.pointing;
  if (!position && pt && validPosition(pt.ra, pt.dec) && Math.abs(pt.dec) <= 90) {
    position = { ra: normalizeRa(pt.ra), dec: pt.dec, source: 'acquisition.pointing' };
  }

  const binning = Math.max(1, Math.round(num('XBINNING') ?? num('BINNING') ?? parseBinning(acquisition?.binning) ?? 1));
  const alt = (s: number): number[] => (binning > 1 ? [s * binning, s / binning] : []);
  if (!scale) {
    const cdelt = num('CDELT2') ?? num('CDELT1');
    if (cdelt !== null && cdelt !== 0 && Math.abs(cdelt) * 3600 < 600) {
      scale = { arcsecPerPixel: Math.abs(cdelt) * 3600, source: 'CDELT', alternatives: [] };
    }
  }
  if (!scale) {
    for (const k of ['SCALE', 'PIXSCALE', 'SECPIX', 'SECPIX1', 'SECPIX2', 'PIXSCAL1', 'IMAGESCALE']) {
      const v = num(k);
      if (v !== null && v > 0.05 && v < 600) { scale = { arcsecPerPixel: v, source: k, alternatives: alt(v) }; break; }
    }
  }
  if (!scale) {
    let focal = num('FOCALLEN') ?? num('FOCAL') ?? acquisition?.focalLengthMm ?? null;
    const piFocal = num('INSTRUMENT:TELESCOPE:FOCALLENGTH'); // PixInsight: metres
    if (focal === null && piFocal !== null) focal = piFocal * 1000;
    const pix = num('XPIXSZ') ?? num('PIXSIZE1') ?? num('INSTRUMENT:SENSOR:XPIXELSIZE') ?? acquisition?.pixelSizeUm ?? null;
    if (focal !== null && pix !== null && focal >= 10 && focal <= 20000 && pix >= 1 && pix <= 30) {
      const s = (206.265 * pix) / focal;
      scale = { arcsecPerPixel: s, source: 'XPIXSZ/FOCALLEN', alternatives: alt(s) };
    }
  }
  return { position, scale };
}

function parseBinning(b: string | null | undefined): number | null {
  if (!b) return null;
  const m = /^(\d+)/.exec(b.trim());
  return m ? Number(m[1]) : null;
}
