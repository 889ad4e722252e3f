/**
 * What a header says about stacking: how many subs, the total exposure, the
 * exposure of one sub, per-filter counts. Read from the cards as the `file`
 * agent found them (FITS keywords, XISF FITSKeyword elements).
 *
 * Conventions of the stacking programs (checked against their sources):
 * - Siril: STACKCNT = subs, LIVETIME = sum of the subs' exposures, EXPTIME = the reference sub's.
 * - PixInsight ImageIntegration / FastIntegration: HISTORY "ImageIntegration.numberOfImages: N"
 *   (in XISF the text sits in the keyword's comment), EXPTIME = the reference sub's.
 * - IRAF imcombine, astropy ccdproc, ESO pipelines: NCOMBINE, EXPTIME = one sub's (average).
 * - DeepSkyStacker: NCOMBINE = subs, EXPTIME = EXPOSURE = the TOTAL exposure; SOFTWARE "DeepSkyStacker …".
 * - Astro Pixel Processor: NUMFRAME = subs, EXPTIME = total, EXPOSURE = one sub's; keeps IMAGETYP LIGHT.
 * - ASTAP: EXPTIME = total, LUM_/RED_/GRN_/BLU_ EXP (one sub) and CNT (subs) per filter; keeps IMAGETYP Light.
 * - SharpCap live stacks: EXPTIME = total, SUBEXP below it, no count. Any other writer of SUBEXP clearly
 *   below EXPTIME without a count is read the same way (live stacks of other capture programs).
 * - Seestar S50/S30 (ZWO): stacked files STACKCNT = subs, TOTALEXP = total, EXPTIME = EXPOSURE = one sub's;
 *   its single subs carry TOTALEXP too, equal to their EXPTIME and without STACKCNT: one frame, not a stack
 *   (header dumps of firmware 4.70 files: geeksville/starbash doc/fits/seestar*).
 * - DWARF III (DWARFLAB): the stacked file `stacked-16_<target>_<sub>s<gain>_<filter>_<date>.fits` has no count
 *   card and EXPTIME = the TOTAL (2580 s for 43 subs of 60 s, shotsInfo.json "shotsStacked": 43), three colour
 *   planes (NAXIS3 = 3) and crop-rectangle cards CRTL1X… that its 2-D Bayer subs do not have
 *   (geeksville/starbash doc/fits/dwarf3/). A single frame that states a total equal to its own exposure is one frame.
 * - DWARF II: no stacked FITS header was found; a colour-plane DWARFLAB file is its in-camera stack (an AAVSO
 *   smart-telescope tool reads TELESCOP 'DWARFII' with NAXIS = 3 so), EXPTIME of unknown meaning: no sub, no total.
 * - Celestron Origin: a colour-plane file (NAXIS = 3) is its stack (the same AAVSO tool), the exposure card one sub's.
 * - TianWen: STACK_N. MaxIm DL / SBIG convention: SNAPSHOT = images combined.
 */
import type { HeaderCard } from '../../sdk/facts.ts';
import { smartTelescope } from './smartTelescopes.ts';

export interface FilterCount {
  filter: string;
  /** exposure of one sub, seconds */
  subSeconds: number;
  frames: number;
}

export interface StackEvidence {
  /** number of subs combined, when a header says so */
  count: number | null;
  /** the card or HISTORY line the count came from */
  countFrom: string | null;
  /** true when the count came from HISTORY text rather than a keyword */
  countFromHistory: boolean;
  /** total exposure, when a header states it (or states it implicitly, see `totalFrom`) */
  totalSeconds: number | null;
  totalFrom: string | null;
  /** exposure of one sub, when it can be told apart from the total */
  subSeconds: number | null;
  /** ASTAP-style per-filter counts */
  perFilter: FilterCount[];
  /** a live stack (SharpCap): the total is known, the number of subs is not */
  liveStack: boolean;
  /**
   * a smart telescope's in-camera stack recognised by its layout (colour planes or DWARF's crop cards),
   * whatever its cards say of counts and totals
   */
  inCameraStack: boolean;
}

/** Upper-case key → first card with that key. */
export function indexCards(headers: readonly HeaderCard[]): Map<string, HeaderCard> {
  const map = new Map<string, HeaderCard>();
  for (const c of headers) {
    const key = c.key.trim().toUpperCase();
    if (!map.has(key)) map.set(key, c);
  }
  return map;
}

/** A card's value as a finite number (numbers written as strings count), else null. */
export function numberOf(card: HeaderCard | undefined): number | null {
  if (!card) return null;
  const v = card.value;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : NaN;
  return Number.isFinite(n) ? n : null;
}

function textOf(card: HeaderCard | undefined): string {
  if (!card) return '';
  return typeof card.value === 'string' ? card.value : card.value === null || card.value === undefined ? '' : String(card.value);
}

/** A plausible number of subs: a whole number from 1 to a million. */
function asCount(n: number | null): number | null {
  return n !== null && Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : null;
}

/** A plausible exposure in seconds: positive, below ~3 years. */
export function asSeconds(n: number | null): number | null {
  return n !== null && n > 0 && n < 1e8 ? n : null;
}

export const COUNT_KEYS = ['STACKCNT', 'NCOMBINE', 'NUMFRAME', 'STACK_N', 'SNAPSHOT', 'NSTACK', 'NSUBEXP'] as const;
export const TOTAL_KEYS = ['LIVETIME', 'TOTALEXP', 'TOTAL_EXP', 'TOTEXP', 'EXPTOTAL', 'INTEGTIM'] as const;
export const SOFTWARE_KEYS = ['SOFTWARE', 'SWCREATE', 'SWMODIFY', 'CREATOR', 'PROGRAM', 'ORIGIN'] as const;
/** Cards that only DWARF's stacked files carry (the crop rectangles of the stacked area) and its mega-stack flag. */
export const DWARF_STACK_KEYS = ['CRTL1X', 'CRTL1Y', 'CRTR1X', 'CRTR1Y', 'CRBR1X', 'CRBR1Y', 'CRBL1X', 'CRBL1Y', 'CRTL2X', 'CRTL2Y', 'CRTR2X', 'CRTR2Y', 'CRBR2X', 'CRBR2Y', 'CRBL2X', 'CRBL2Y', 'RESTACK'] as const;

/** Patterns for the number of subs in HISTORY / COMMENT text. */
const HISTORY_COUNT: RegExp[] = [
  /\b(?:Image|Fast)Integration\.numberOfImages\s*:\s*(\d+)/i,
  /\bstack(?:ed|ing)\s+(?:of\s+)?(\d+)\s+(?:images|frames|subs|exposures|files)\b/i,
  // ccdproc: "5 images with IMAGETYP = dark are median combined"
  /\b(\d+)\s+(?:images|frames|subs|exposures|files)\b[^.;]{0,60}?\b(?:stacked|combined|integrated|averaged)\b/i,
  /\bintegrat(?:ed|ion of)\s+(\d+)\s+(?:images|frames|subs|exposures)\b/i,
];

export const ASTAP_GROUPS: [string, string][] = [
  ['LUM', 'L'],
  ['RED', 'R'],
  ['GRN', 'G'],
  ['BLU', 'B'],
];

/** Every keyword this module reads (for the list of keywords the file agent does not map). */
export const STACK_KEYWORDS: readonly string[] = [
  ...COUNT_KEYS, ...TOTAL_KEYS, ...SOFTWARE_KEYS, 'EXPTIME', 'EXPOSURE', 'SUBEXP', 'IMAGETYP', 'FRAMETYP', 'FRAME', 'IMGTYPE', 'OBSTYPE',
  ...ASTAP_GROUPS.flatMap(([p]) => [`${p}_CNT`, `${p}_EXP`]),
  ...DWARF_STACK_KEYS,
];

/** The software names the header carries, lower-cased and joined. */
export function softwareOf(cards: Map<string, HeaderCard>): string {
  return SOFTWARE_KEYS.map((k) => textOf(cards.get(k))).join(' | ').toLowerCase();
}

/** Reads every stacking hint of a header. */
export function readStackEvidence(headers: readonly HeaderCard[]): StackEvidence {
  const cards = indexCards(headers);
  const software = softwareOf(cards);
  const ev: StackEvidence = {
    count: null,
    countFrom: null,
    countFromHistory: false,
    totalSeconds: null,
    totalFrom: null,
    subSeconds: null,
    perFilter: [],
    liveStack: false,
    inCameraStack: false,
  };

  for (const key of COUNT_KEYS) {
    const n = asCount(numberOf(cards.get(key)));
    if (n !== null) {
      ev.count = n;
      ev.countFrom = key;
      break;
    }
  }
  if (ev.count === null) {
    for (const card of headers) {
      const key = card.key.trim().toUpperCase();
      if (key !== 'HISTORY' && key !== 'COMMENT') continue;
      // XISF FITSKeyword elements keep PixInsight's text in the comment, FITS in the value
      const text = `${textOf(card)} ${card.comment ?? ''}`;
      for (const re of HISTORY_COUNT) {
        const m = re.exec(text);
        const n = m ? asCount(Number(m[1])) : null;
        if (n !== null) {
          ev.count = n;
          ev.countFrom = `${key} "${text.trim().slice(0, 60)}"`;
          ev.countFromHistory = true;
          break;
        }
      }
      if (ev.count !== null) break;
    }
  }

  for (const key of TOTAL_KEYS) {
    const s = asSeconds(numberOf(cards.get(key)));
    if (s !== null) {
      ev.totalSeconds = s;
      ev.totalFrom = key;
      break;
    }
  }

  const exptime = asSeconds(numberOf(cards.get('EXPTIME')));
  const exposure = asSeconds(numberOf(cards.get('EXPOSURE')));
  const subexp = asSeconds(numberOf(cards.get('SUBEXP')));

  // ASTAP: per-filter counts and sub exposures
  for (const [prefix, filter] of ASTAP_GROUPS) {
    const frames = asCount(numberOf(cards.get(`${prefix}_CNT`)));
    const sub = asSeconds(numberOf(cards.get(`${prefix}_EXP`)));
    if (frames !== null && sub !== null) ev.perFilter.push({ filter, subSeconds: sub, frames });
  }

  // In-camera stacks, only when nothing else states a count or a total (a Siril stack of DWARF subs keeps
  // their cards and says STACKCNT/LIVETIME). DWARF: colour planes or crop-rectangle cards in a DWARFLAB
  // file (its subs are 2-D Bayer frames); EXPTIME is the total in DWARF III's (its published stack), and of
  // unknown meaning in the others' (DWARF II: no stacked FITS was found). Celestron Origin: colour planes;
  // its exposure card is one sub's.
  const device = smartTelescope((k) => cards.get(k.toUpperCase())?.value);
  const unstated = ev.count === null && ev.totalSeconds === null;
  const colourPlanes = numberOf(cards.get('NAXIS')) === 3 && numberOf(cards.get('NAXIS3')) === 3;
  const dwarf = /\bdwarf/.test(`${software} ${textOf(cards.get('TELESCOP'))} ${textOf(cards.get('INSTRUME'))}`.toLowerCase());
  const dwarfStack = dwarf && unstated && (cards.has('CRTL1X') || colourPlanes);
  const dwarfTotalInExptime = dwarfStack && (cards.has('CRTL1X') || device?.generation === 'III');
  ev.inCameraStack = dwarfStack || (unstated && colourPlanes && device?.program === 'celestron-origin');

  // Programs that write the TOTAL into EXPTIME
  const totalInExptime =
    ev.perFilter.length > 0 ||
    dwarfTotalInExptime ||
    software.includes('deepskystacker') ||
    software.includes('astro pixel processor') ||
    // two exposure cards, one the other times the count: the larger is the total (APP and the like)
    (ev.count !== null && ev.count > 1 && exptime !== null && exposure !== null && near(exptime, exposure * ev.count));
  if (totalInExptime && ev.totalSeconds === null && exptime !== null) {
    ev.totalSeconds = exptime;
    ev.totalFrom = 'EXPTIME';
  }
  if (totalInExptime) {
    // the sub is whichever exposure card differs from the total
    ev.subSeconds = exposure !== null && exptime !== null && !near(exposure, exptime) ? Math.min(exposure, exptime) : null;
  } else if (dwarfStack) {
    // a DWARF stack whose EXPTIME is of unknown meaning: neither a sub nor a total
    ev.subSeconds = null;
  } else {
    ev.subSeconds = exptime ?? exposure;
  }

  // One frame that states its own exposure as its total (Seestar subs: TOTALEXP = EXPTIME, no STACKCNT) is not a stack
  const own = exptime ?? exposure;
  if ((ev.count === null || ev.count === 1) && ev.perFilter.length === 0 && ev.totalFrom !== null && (TOTAL_KEYS as readonly string[]).includes(ev.totalFrom) && own !== null && ev.totalSeconds !== null && near(own, ev.totalSeconds)) {
    ev.totalSeconds = null;
    ev.totalFrom = null;
  }

  // Live stack (SharpCap and the like): SUBEXP clearly below EXPTIME and no count anywhere
  if (ev.count === null && ev.perFilter.length === 0 && subexp !== null && exptime !== null && exptime > 1.5 * subexp) {
    ev.liveStack = true;
    if (ev.totalSeconds === null) {
      ev.totalSeconds = exptime;
      ev.totalFrom = software.includes('sharpcap') ? 'EXPTIME (SharpCap live stack)' : 'EXPTIME (live stack)';
    }
    // SUBEXP is not reliably the sub exposure in every SharpCap version: do not derive a count
    ev.subSeconds = null;
  }
  return ev;
}

/**
 * Whether the evidence makes the image a stack: more than one sub, a stated
 * total exposure, a live stack, or a smart telescope's in-camera stack. The one rule for the file agent's frame
 * type and the integration agent.
 */
export function isStack(ev: StackEvidence): boolean {
  return (ev.count !== null && ev.count > 1) || ev.totalSeconds !== null || ev.liveStack || ev.inCameraStack;
}

/** Equal within 2 % (exposure cards are rounded differently by different programs). */
export function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 0.02 * Math.max(Math.abs(a), Math.abs(b));
}

/** Calibration kind stated by the header's frame-type cards, if any. */
export function headerCalibrationKind(headers: readonly HeaderCard[]): 'dark' | 'flat' | 'bias' | 'darkflat' | null {
  const cards = indexCards(headers);
  const text = ['IMAGETYP', 'FRAMETYP', 'FRAME', 'IMGTYPE', 'OBSTYPE']
    .map((k) => textOf(cards.get(k)))
    .join(' ')
    .toLowerCase();
  if (/dark\s*-?\s*flat|flat\s*-?\s*dark/.test(text)) return 'darkflat';
  if (/dark/.test(text)) return 'dark';
  if (/flat/.test(text)) return 'flat';
  if (/bias|offset|\bzero\b/.test(text)) return 'bias';
  return null;
}
