/**
 * Frame type classification: header first (IMAGETYP/FRAME/FRAMETYP and
 * stacking signals), then file name tokens, then folder names, then a pixel
 * statistics hint, else a default by format.
 */
import type { HeaderCard } from '../../sdk/facts.ts';
import type { FrameType } from '../../sdk/index.ts';
import { isStack, readStackEvidence } from './stackEvidence.ts';
import { lookup } from './dates.ts';

export type FrameTypeSource = 'header' | 'name' | 'folder' | 'statistics' | 'default';

export interface FrameStats {
  /** median and MAD of the data normalized to 0..1 */
  median: number;
  mad: number;
  exposureSeconds?: number | null;
}

export interface ClassifyInput {
  cards: HeaderCard[];
  fileName: string;
  folderPath: string;
  /** detected format; decides the default */
  format?: string;
  stats?: FrameStats;
}

type Base = 'light' | 'dark' | 'flat' | 'bias' | 'darkflat';

/** Header frame-type text → base type; "master" is returned separately. */
export function parseFrameTypeText(text: string): { base: Base | null; master: boolean } {
  const t = text.toLowerCase().replace(/[_\s-]+/g, ' ').trim();
  const master = /\bmaster\b|^master/.test(t) || /\bmaster(dark|flat|bias|offset|light)/.test(t.replace(/ /g, ''));
  const squashed = t.replace(/ /g, '').replace(/^master/, '').replace(/frames?$/, '').replace(/field$/, '');
  let base: Base | null = null;
  if (/^(darkflat|flatdark|dflat|flatdarks|darkflats)$/.test(squashed)) base = 'darkflat';
  else if (/^(light|lights|object|science|sci|target|lightimage)$/.test(squashed)) base = 'light';
  else if (/^(dark|darks|thermal)$/.test(squashed)) base = 'dark';
  else if (/^(flat|flats|skyflat|domeflat|twilightflat|flatfield|screenflat|panelflat)$/.test(squashed)) base = 'flat';
  else if (/^(bias|biases|offset|offsets|zero|biasframe)$/.test(squashed)) base = 'bias';
  return { base, master };
}

/** Process names of stacking programs: specific enough to count wherever they appear (XISF properties, HISTORY). */
const STACK_PROCESS = /ImageIntegration|DrizzleIntegration|FastIntegration|DeepSkyStacker/i;
/** Process names of processing programs, likewise specific. */
const PROCESS_NAME = /HistogramTransformation|CurvesTransformation|ScreenTransferFunction|GeneralizedHyperbolicStretch|StarXTerminator|BlurXTerminator|NoiseXTerminator|ArcsinhStretch|MaskedStretch/i;
/** Generic words that mean stacking or processing only in HISTORY/COMMENT text written by a processing program. */
const STACK_WORDS = /\bstacked with\b|\bstacking\b|\bstacked by\b|\bintegration of \d+/i;
const PROCESS_WORDS = /\bstretch(ed)?\b/i;
/**
 * HISTORY/COMMENT lines that capture software and device drivers write
 * (INDI, ASCOM, N.I.N.A., SharpCap, ASIAIR…): settings and device states,
 * not processing ("Stretch: off", "Live stacking disabled").
 */
const DRIVER_TEXT = /\b(indi|ascom|alpaca|driver|n\.?i\.?n\.?a\.?|sharpcap|asiair|ekos|kstars|sequence generator|sgpro|firecapture|asicap|seestar|dwarf|camera|mount|focuser|filter ?wheel|guider|settings?|options?)\b|\b(no|not|without)\s+(auto\s*)?(stretch|stack)|\b(stretch|stack)\w*\s*[:=]?\s*(off|none|no|false|disabled|0)\b|\b(disabled|enabled)\b/i;

/** Headers that mean "this was stacked or processed": returns why, or null. */
export function processingSignal(cards: HeaderCard[]): 'stack' | 'processed' | null {
  if (isStack(readStackEvidence(cards))) return 'stack';
  let processed = false;
  for (const c of cards) {
    const key = c.key.toUpperCase();
    const value = typeof c.value === 'string' ? c.value : '';
    const text = `${c.key} ${value}`;
    if (STACK_PROCESS.test(text)) return 'stack';
    // Astro Pixel Processor: INTEGRAT = 'Integration'
    if (key === 'INTEGRAT' && c.value) return 'stack';
    if (PROCESS_NAME.test(text)) processed = true;
    if (key !== 'HISTORY' && key !== 'COMMENT') continue;
    // XISF FITSKeyword HISTORY keeps its text in the comment
    const line = `${value} ${c.comment ?? ''}`;
    if (DRIVER_TEXT.test(line)) continue;
    if (STACK_WORDS.test(line)) return 'stack';
    if (PROCESS_WORDS.test(line)) processed = true;
  }
  return processed ? 'processed' : null;
}

function fromBase(base: Base | null, master: boolean, signal: 'stack' | 'processed' | null): FrameType | null {
  if (base === null) return master ? 'master' : null;
  if (base === 'light') return master || signal ? 'processed' : 'light';
  // calibration frames: a master when stacked or named so
  return master || signal === 'stack' ? 'master' : base;
}

/** Splits a file or folder name into lower-case word tokens (camelCase and digits split). */
function tokens(name: string): string[] {
  return name
    .replace(/\.[a-z0-9]+$/i, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
}

/** Frame type from name tokens: "Light_M31_300s", "masterDark_BIN-1", "DARK_FLAT", "Flats". */
export function frameTypeFromName(name: string): FrameType | null {
  const t = tokens(name);
  if (t.length === 0) return null;
  const has = (...w: string[]) => w.some((x) => t.includes(x));
  const adjacent = (a: string[], b: string[]) => t.some((x, i) => (a.includes(x) && b.includes(t[i + 1] ?? '')) || (b.includes(x) && a.includes(t[i + 1] ?? '')));
  const master = has('master', 'masters', 'mdark', 'mflat', 'mbias');
  const stacked = has('stack', 'stacked', 'integration', 'integrated', 'autosave', 'drizzle', 'drizzled', 'final', 'processed', 'result');
  let base: Base | null = null;
  if (has('darkflat', 'darkflats', 'flatdark', 'flatdarks') || adjacent(['dark', 'darks'], ['flat', 'flats'])) base = 'darkflat';
  else if (has('light', 'lights')) base = 'light';
  else if (has('dark', 'darks')) base = 'dark';
  else if (has('flat', 'flats', 'flatfield', 'skyflat')) base = 'flat';
  else if (has('bias', 'biases', 'offset', 'offsets')) base = 'bias';
  // "master" with stacking words and no calibration kind is a stacked light (Celestron Origin's
  // FinalStackedMaster.tiff), not a calibration master
  if (base === null) return master || stacked ? (master && !has('stacked', 'final') ? 'master' : 'processed') : null;
  if (base === 'light') return master || stacked ? 'processed' : 'light';
  return master || stacked ? 'master' : base;
}

/** Rough hint from pixel statistics (values 0..1): flats are bright and even, biases/darks dark and flat. */
export function frameTypeFromStats(stats: FrameStats): FrameType | null {
  const { median, mad } = stats;
  if (!Number.isFinite(median) || !Number.isFinite(mad)) return null;
  if (median > 0.15 && median < 0.9 && mad < 0.05 * median) return 'flat';
  if (median < 0.1 && mad < 0.002) {
    if (stats.exposureSeconds !== undefined && stats.exposureSeconds !== null) return stats.exposureSeconds <= 0.01 ? 'bias' : 'dark';
    return null;
  }
  return null;
}

const ASTRO_KEYS = ['IMAGETYP', 'FRAME', 'FRAMETYP', 'EXPTIME', 'EXPOSURE', 'INSTRUME', 'TELESCOP', 'OBJECT', 'OBJCTRA', 'CCD-TEMP', 'XBINNING', 'FILTER'];

export function classifyFrame(input: ClassifyInput): { frameType: FrameType; source: FrameTypeSource } {
  const { cards } = input;
  const get = lookup(cards);
  const signal = processingSignal(cards);
  for (const key of ['IMAGETYP', 'FRAME', 'FRAMETYP', 'FRAMETYPE', 'IMAGETYPE', 'OBSTYPE', 'CALFRAME', 'XISF:ImageType', 'Observation:FrameType']) {
    const v = get(key);
    if (typeof v !== 'string') continue;
    const { base, master } = parseFrameTypeText(v);
    if (base === null && !master) continue;
    const ft = fromBase(base, master, signal);
    if (ft) return { frameType: ft, source: 'header' };
  }
  if (signal) return { frameType: 'processed', source: 'header' };

  const raster = input.format === 'jpeg' || input.format === 'png' || input.format === 'webp' || input.format === 'tiff';
  const hasAstro = ASTRO_KEYS.some((k) => get(k) !== undefined);
  // a JPEG/PNG with astro keywords would have been decided above; without, a file name may still say "Light_…"
  const folders = input.folderPath.split(/[\\/]+/).filter(Boolean).reverse();
  const byName = frameTypeFromName(input.fileName);
  // DWARF's CALI_FRAME folder holds the device's own masters (darks stacked from its raw darks,
  // "…_stack_<n>", and factory bias and flats), not single frames
  if (byName && (byName === 'dark' || byName === 'flat' || byName === 'bias') && folders.some((f) => /^cali_frame$/i.test(f))) {
    return { frameType: 'master', source: 'name' };
  }
  if (byName) return { frameType: byName, source: 'name' };
  for (const f of folders) {
    const byFolder = frameTypeFromName(f);
    if (byFolder) return { frameType: byFolder, source: 'folder' };
  }
  if (input.stats) {
    const s = frameTypeFromStats(input.stats);
    if (s) return { frameType: s, source: 'statistics' };
  }
  if (raster && !hasAstro) return { frameType: 'processed', source: 'default' };
  return { frameType: 'light', source: 'default' };
}
