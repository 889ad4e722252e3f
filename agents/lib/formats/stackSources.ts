/**
 * What a stack's own file says about the subs it was made from: the program
 * that made it, how many subs, the exposure of one and the total, the time
 * range they cover and, when the file names them, their file names. The
 * stitcher links a stack to the catalogued subs from this (docs/sessions.md,
 * "Stacks"); the counts themselves come from the one stacking rule
 * (stackEvidence.ts), never from a second reading of the same cards.
 *
 * Conventions (checked against the programs' sources or headers they write):
 * - PixInsight ImageIntegration / FastIntegration / DrizzleIntegration (and WBPP, which runs
 *   them): the XISF property `PixInsight:ProcessingHistory` holds the process instances as
 *   XML, an integration's `images` table has one row per sub: `enabled`, `path`,
 *   `drizzlePath`, `localNormalizationDataPath`. The paths name the *registered* files
 *   (`Light_0001_c_cc_d_r.xisf`); `Observation:Time:Start` / `…:End` give the time range.
 * - FITS HISTORY/COMMENT lines that name image files (a stacker's list of inputs): kept,
 *   except lines about calibration masters.
 * - Siril: STACKCNT, LIVETIME, DATE-OBS = the first sub's start, DATE-END (when written) the
 *   last one's end. DSS: NCOMBINE, SOFTWARE "DeepSkyStacker". APP: NUMFRAME, SOFTWARE
 *   "Astro Pixel Processor". Generic: DATE-BEG / DATE-OBS … DATE-END, MJD-BEG / MJD-OBS … MJD-END.
 * - Seestar S50/S30 in-camera stacks: STACKCNT, TOTALEXP, EXPTIME = one sub's; the file is
 *   named `Stacked_<count>_<target>_<sub>s_<filter>_<date>.fit` (newer firmware
 *   `DSO_Stacked_<count>_<target>_<sub>s_<date>.fit`) beside a `<target>_sub` folder.
 * - SharpCap live stacks: EXPTIME = the total, SUBEXP (not reliable), no count in the header:
 *   the file name `Stack_16bits_<n>frames_<total>s.fits` carries the count and the total.
 * - DWARF II/3 in-camera stacks: `stacked-16_<target>_<sub>s<gain>_<filter>_<date>.fits` ("16" is the
 *   bit depth), EXPTIME = the total, no count card: the sub exposure comes from the name and the count
 *   is total / sub. Its calibration masters are named `…_stack_<n>` (n subs).
 * - Celestron Origin: its colour-plane FITS (NAXIS3 = 3) is the in-camera stack (an AAVSO smart-telescope
 *   tool reads it so); its exposure card is one sub's; the count is only in the session's info.json
 *   (`stackedDepth`), which is not read. Its usual stack is `FinalStackedMaster.tiff` (frametype.ts).
 * - ASIAIR, Unistellar, Vaonis: recognised by their TELESCOP/INSTRUME/CREATOR/ORIGIN text; no stacked file
 *   of theirs was found in public sources, so they are read with the generic cards above. A file name
 *   gives the count when no card does: "<n>frames" / "<n>stacks" / "<n>subs", "Stack_<n>x<sub>sec".
 */
import type { HeaderCard, StackFacts } from '../../sdk/facts.ts';
import { localDateZone, parseDateText } from './dates.ts';
import { smartTelescope } from './smartTelescopes.ts';
import { asSeconds, indexCards, numberOf, readStackEvidence } from './stackEvidence.ts';
import { parseXml, type XmlElement } from './xml.ts';

/** The `stack` fact of the `file` agent (agents/sdk/facts.ts documents each field). */
export type StackSources = StackFacts;

/** More names than any real integration lists: the rest is not kept (a hostile header cannot bloat the facts, ≤ 4 MB per agent). */
export const MAX_SUB_FILES = 20_000;
const MAX_SUB_FILE_CHARS = 1_000_000;

/** Stack program keywords this module reads (for the unknown-keyword list). */
export const STACK_SOURCE_KEYWORDS: readonly string[] = ['DATE-END', 'DATE-BEG', 'MJD-BEG', 'MJD-END', 'TELESCOP', 'INSTRUME'];

const INTEGRATION_PROCESSES = /^(ImageIntegration|FastIntegration|DrizzleIntegration)$/;
const IMAGE_FILE = /(?:[A-Za-z]:)?(?:[^\s'"<>|*?]*[\\/])?[^\s'"<>|*?\\/]+\.(?:fits?|fts|fit\.fz|fits\.fz|fz|xisf|cr2|cr3|nef|arw|dng|raf|orf|rw2|tiff?|ser)\b/gi;
const CALIBRATION_WORDS = /\bmaster|\b(dark|flat|bias|offset)s?\b|masterdark|masterflat|masterbias/i;

function textOf(c: HeaderCard | undefined): string {
  if (!c || c.value === null || c.value === undefined) return '';
  return typeof c.value === 'string' ? c.value : String(c.value);
}

/** The program that wrote the stack, from the software and instrument cards and XISF properties. */
export function stackProgram(headers: readonly HeaderCard[]): string | null {
  const cards = indexCards(headers);
  const text = ['SOFTWARE', 'SWCREATE', 'SWMODIFY', 'CREATOR', 'PROGRAM', 'ORIGIN', 'TELESCOP', 'INSTRUME']
    .map((k) => textOf(cards.get(k)))
    .join(' | ')
    .toLowerCase();
  const history = headers
    .filter((c) => /^(HISTORY|COMMENT)$/i.test(c.key.trim()))
    .map((c) => `${textOf(c)} ${c.comment ?? ''}`)
    .join(' ')
    .toLowerCase();
  if (headers.some((c) => c.key.startsWith('PixInsight:')) || /pixinsight/.test(text) || /\b(image|fast|drizzle)integration\b/.test(history)) return 'pixinsight';
  if (/siril/.test(text)) return 'siril';
  if (/deepskystacker/.test(text)) return 'deepskystacker';
  if (/astro pixel processor/.test(text)) return 'astro-pixel-processor';
  if (/\bastap\b/.test(text)) return 'astap';
  const device = smartTelescope((k) => cards.get(k.toUpperCase())?.value);
  if (device) return device.program;
  if (/seestar/.test(text)) return 'seestar';
  if (/\bdwarf/.test(text)) return 'dwarf';
  if (/asiair/.test(text)) return 'asiair';
  if (/unistellar|evscope|equinox ?2|odyssey/.test(text)) return 'unistellar';
  if (/vaonis|stellina|vespera/.test(text)) return 'vaonis';
  if (/sharpcap/.test(text)) return 'sharpcap';
  return null;
}

/** Rows of the integration tables of a PixInsight processing history (XML text), enabled rows only. */
export function pixinsightHistoryPaths(xml: string): string[] {
  let root: XmlElement;
  try {
    root = parseXml(xml.trim());
  } catch {
    return [];
  }
  const out: string[] = [];
  const visit = (el: XmlElement, inIntegration: boolean) => {
    const integration = inIntegration || (el.name === 'instance' && INTEGRATION_PROCESSES.test(el.attrs.class ?? ''));
    if (integration && el.name === 'tr') {
      // a cell's value is its `value` attribute, or (string cells) its text
      const cell = (id: string) => {
        const td = el.children.find((c) => c.name === 'td' && c.attrs.id === id);
        return td ? (td.attrs.value ?? (td.text.trim() || undefined)) : undefined;
      };
      const path = cell('path') ?? cell('filePath');
      if (path && cell('enabled') !== 'false' && out.length < MAX_SUB_FILES) out.push(path.replace(/\\/g, '/'));
      return;
    }
    for (const c of el.children) visit(c, integration);
  };
  visit(root, false);
  return out;
}

/** Image file names written in HISTORY/COMMENT lines (a stacker's input list), calibration masters left out. */
function historyPaths(headers: readonly HeaderCard[]): string[] {
  const out: string[] = [];
  for (const c of headers) {
    if (!/^(HISTORY|COMMENT)$/i.test(c.key.trim())) continue;
    const text = `${textOf(c)} ${c.comment ?? ''}`;
    if (CALIBRATION_WORDS.test(text) || /reference/i.test(text)) continue;
    // a process parameter line ("ImageIntegration.someParameter: value", ~120 of them in a WBPP
    // master): only parameters about the input images can name subs
    const param = /^\s*[A-Za-z]\w*\.(\w+)(?:\[\d+\])?\s*[:=]/.exec(text);
    if (param && (!/image|input|file|frame|target|path/i.test(param[1]!) || /output|normali[sz]|drizzle|mask|weight|reference/i.test(param[1]!))) continue;
    for (const m of text.matchAll(IMAGE_FILE)) {
      if (out.length >= MAX_SUB_FILES) return out;
      out.push(m[0].replace(/\\/g, '/'));
    }
  }
  return out;
}

/** A date card's value as ISO UTC, or null. FITS dates are UTC; MJD is days since 1858-11-17. */
function dateCard(cards: Map<string, HeaderCard>, key: string): string | null {
  const c = cards.get(key.toUpperCase());
  if (!c) return null;
  if (key.toUpperCase().startsWith('MJD')) {
    const mjd = numberOf(c);
    if (mjd === null || mjd < 0 || mjd > 130_000) return null;
    return new Date(Date.UTC(1858, 10, 17) + mjd * 86_400_000).toISOString();
  }
  const v = textOf(c);
  const d = v ? parseDateText(v) : null;
  if (!d || !/T/.test(d)) return null;
  // zone-less: UTC, or local time with TIMEZONE for the writers that stamp it so (dates.ts)
  const local = key.toUpperCase().startsWith('DATE-') ? localDateZone((k) => cards.get(k.toUpperCase())?.value) : null;
  const iso = /(Z|[+-]\d{2}:\d{2})$/.test(d) ? d : `${d}${local ?? 'Z'}`;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** First and last times the header states for the subs. */
function dateRange(cards: Map<string, HeaderCard>): { firstAt: string | null; lastAt: string | null; from: string | null } {
  const pick = (keys: string[]) => {
    for (const k of keys) {
      const d = dateCard(cards, k);
      if (d) return { d, k };
    }
    return null;
  };
  const first = pick(['Observation:Time:Start', 'DATE-BEG', 'DATE-OBS', 'MJD-BEG', 'MJD-OBS']);
  const last = pick(['Observation:Time:End', 'DATE-END', 'MJD-END']);
  const ok = first && last ? Date.parse(last.d) >= Date.parse(first.d) : true;
  return {
    firstAt: first?.d ?? null,
    lastAt: ok ? (last?.d ?? null) : null,
    from: [first?.k, ok ? last?.k : undefined].filter(Boolean).join(' … ') || null,
  };
}

/**
 * Count (and total, sub exposure) written in a stack's file name by the programs that do. `frames` is
 * null when the name gives only the sub exposure (DWARF).
 */
export function fileNameCount(fileName: string): { frames: number | null; totalSeconds: number | null; subSeconds: number | null } | null {
  const name = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
  // DWARF II/3: stacked-16_IC 434_60s60_Astro_20251018-045127226 — "16" is the bit depth (the device also
  // writes stacked16.png), not a count; <sub>s<gain>_<filter>_<date> as in its subs' names
  let m = /^stacked-?\d*_.*_(\d+(?:\.\d+)?)s\d+_[^_]*_\d{8}-\d{6,9}$/i.exec(name);
  if (m) return { frames: null, totalSeconds: null, subSeconds: asSeconds(Number(m[1])) };
  if (/^stacked-\d+_/i.test(name)) return null;
  // SharpCap: Stack_16bits_73frames_584s
  m = /(?:^|[_\s-])(\d{1,6})\s*(?:frames|stacks|subs)(?:[_\s-]+(\d+(?:\.\d+)?)s\b)?/i.exec(name);
  if (m) {
    const frames = Number(m[1]);
    const total = m[2] ? asSeconds(Number(m[2])) : null;
    return frames >= 1 ? { frames, totalSeconds: total, subSeconds: total !== null && frames > 0 ? total / frames : null } : null;
  }
  // Seestar: Stacked_106_M 57_30.0s_IRCUT_20240907-003158; newer firmware DSO_Stacked_425_M 100_10.0s_20250704_070948
  m = /(?:^|_)Stacked_(\d{1,6})_.*?_(\d+(?:\.\d+)?)s(?:_|$)/i.exec(name);
  if (m) {
    const frames = Number(m[1]);
    return frames >= 1 ? { frames, totalSeconds: null, subSeconds: asSeconds(Number(m[2])) } : null;
  }
  // "Stack_40x180sec", "stack 40 x 180s": count × sub exposure (a unit is required: 2x2 is a binning)
  m = /stack(?:ed)?[_\s-]*(\d{1,6})\s*x\s*(\d+(?:\.\d+)?)\s*s(?:ec)?\b/i.exec(name);
  if (m && Number(m[1]) >= 1) return { frames: Number(m[1]), totalSeconds: null, subSeconds: asSeconds(Number(m[2])) };
  // DWARF calibration masters: "dark_exp_60.000000_gain_60_bin_1_20C_stack_8" — a number alone after "stack_" (not a date)
  m = /(?:^|[_\s-])stack(?:ed)?_(\d{1,6})(?=[_\s.-]|$)/i.exec(name);
  if (m && Number(m[1]) >= 1) return { frames: Number(m[1]), totalSeconds: null, subSeconds: null };
  return null;
}

/** A total that is a whole number of subs (within 0.5 %), at least two: the count. */
function wholeSubs(total: number | null, sub: number | null): number | null {
  if (total === null || sub === null || sub <= 0) return null;
  const n = total / sub;
  const r = Math.round(n);
  return r >= 2 && r <= 1_000_000 && Math.abs(n - r) <= 0.005 * n ? r : null;
}

/**
 * Everything a stack says about its subs. `fileName` is the stack's own file
 * name (for the programs that write the count there).
 */
export function readStackSources(headers: readonly HeaderCard[], fileName = ''): StackSources {
  const cards = indexCards(headers);
  const ev = readStackEvidence(headers);
  const program = stackProgram(headers);
  let frames = ev.count;
  let framesFrom = ev.countFrom;
  let sub = ev.subSeconds;
  let total = ev.totalSeconds;
  const named = fileNameCount(fileName);
  if (frames === null && named) {
    if (named.frames !== null) {
      frames = named.frames;
      framesFrom = 'file name';
    }
    total ??= named.totalSeconds;
    if (sub === null || ev.liveStack) sub = named.subSeconds ?? (total !== null && named.frames !== null ? total / named.frames : null);
  }
  // a stated total that is a whole number of subs gives the count (DWARF: EXPTIME 2580 s, 60 s subs in the name → 43)
  const whole = frames === null ? wholeSubs(total, sub) : null;
  if (whole !== null) {
    frames = whole;
    framesFrom = named?.subSeconds != null && ev.subSeconds === null ? 'file name (total / sub exposure)' : 'total / sub exposure';
  }

  let subFiles: string[] = [];
  let subFilesFrom: string | null = null;
  const history = cards.get('PIXINSIGHT:PROCESSINGHISTORY');
  if (history && typeof history.value === 'string') {
    subFiles = pixinsightHistoryPaths(history.value);
    if (subFiles.length) subFilesFrom = 'PixInsight:ProcessingHistory';
  }
  if (!subFiles.length) {
    subFiles = historyPaths(headers);
    if (subFiles.length) subFilesFrom = 'HISTORY';
  }
  subFiles = [...new Set(subFiles)];
  let chars = 0;
  const kept = subFiles.findIndex((f) => (chars += f.length) > MAX_SUB_FILE_CHARS);
  if (kept >= 0) subFiles = subFiles.slice(0, kept);
  if (frames === null && subFiles.length) {
    frames = subFiles.length;
    framesFrom = 'history list';
  }

  const range = dateRange(cards);
  return {
    program,
    frames,
    framesFrom,
    subExposureSeconds: sub !== null ? Math.round(sub * 1000) / 1000 : null,
    totalSeconds: total,
    liveStack: ev.liveStack,
    firstAt: range.firstAt,
    lastAt: range.lastAt,
    datesFrom: range.from,
    subFiles,
    subFilesFrom,
  };
}
