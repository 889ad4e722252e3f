/**
 * Name resolution: catalog designations and common names, as typed by people
 * or written by capture programs into OBJECT ("M31_Panel1", "NGC 7000 North
 * America", "Horsehead", "SH2 155"). Indexes are built once per thread.
 */
import { allDsoEntries, type DsoEntry } from './dso.ts';
import { catalogRank, findDesignations, parseDesignation } from './designation.ts';
import { SHORT_NAME_PREFERENCE } from './curated.ts';
import { normalizeName } from './names.ts';

/** Generic words that people leave out: "Andromeda" for "Andromeda Galaxy". */
const GENERIC_SUFFIX = / (nebula|nebulae|galaxy|cluster|star cluster|globular cluster|open cluster|supernova remnant|complex|star cloud)$/;
/** Words that occur in file names and OBJECT strings but never mean an object on their own. */
const STOP = new Set([
  'light', 'lights', 'dark', 'darks', 'flat', 'flats', 'bias', 'frame', 'panel', 'mosaic', 'stack', 'stacked', 'master',
  'final', 'image', 'test', 'ha', 'oiii', 'sii', 'lum', 'red', 'green', 'blue', 'rgb', 'lrgb', 'hoo', 'sho', 'bin', 'sec',
]);

interface NameIndex {
  full: Map<string, DsoEntry>;
  short: Map<string, DsoEntry>;
  designation: Map<string, DsoEntry>;
  maxWords: number;
}

function better(a: DsoEntry | undefined, b: DsoEntry): DsoEntry {
  if (!a) return b;
  const ra = catalogRank(a.id), rb = catalogRank(b.id);
  if (ra !== rb) return ra < rb ? a : b;
  return (a.majorArcmin ?? 0) >= (b.majorArcmin ?? 0) ? a : b;
}

let index: NameIndex | null = null;

function buildIndex(): NameIndex {
  const full = new Map<string, DsoEntry>();
  const short = new Map<string, DsoEntry>();
  const designation = new Map<string, DsoEntry>();
  let maxWords = 1;
  for (const e of allDsoEntries()) {
    for (const d of e.designations) designation.set(d, e);
    const names = e.name ? [e.name, ...e.aliases] : e.aliases;
    for (const n of names) {
      const key = normalizeName(n);
      if (!key) continue;
      full.set(key, better(full.get(key), e));
      maxWords = Math.max(maxWords, key.split(' ').length);
      const stripped = key.replace(GENERIC_SUFFIX, '');
      if (stripped !== key && stripped.length >= 3) short.set(stripped, better(short.get(stripped), e));
    }
  }
  for (const [key, id] of Object.entries(SHORT_NAME_PREFERENCE)) {
    const e = designation.get(id);
    if (e) short.set(key, e);
  }
  // A short form never shadows a full name ("Orion" is not the Orion Nebula if something is called just "Orion").
  for (const key of full.keys()) short.delete(key);
  return { full, short, designation, maxWords };
}

function getIndex(): NameIndex {
  index ??= buildIndex();
  return index;
}

/** The entry with exactly this canonical designation ("M31", "NGC 7000"), or null. */
export function entryByDesignation(designation: string): DsoEntry | null {
  return getIndex().designation.get(designation) ?? null;
}

/**
 * Looks a designation or a common name up; accepts free text such as an
 * OBJECT header. Null when nothing matches. With `exact` (a name a person
 * typed as a target), the text must be a designation or a name as a whole, or
 * hold a designation: no single known word inside a longer text ("Orion wide
 * field" is not M42, "C/2023 A3 (Tsuchinshan–ATLAS)" is not the Atlas Nebula).
 */
export function resolveName(text: string | null | undefined, options: { exact?: boolean } = {}): DsoEntry | null {
  if (!text) return null;
  // OBJECT values are short; a long text is not a name (and must not cost much)
  const raw = text.slice(0, 200).replace(/_/g, ' ').trim();
  if (!raw) return null;
  const idx = getIndex();

  const whole = parseDesignation(raw);
  if (whole) {
    const hit = idx.designation.get(whole);
    if (hit) return hit;
  }
  const key = normalizeName(raw);
  const byName = idx.full.get(key) ?? idx.short.get(key);
  if (byName) return byName;

  for (const d of findDesignations(raw)) {
    const hit = idx.designation.get(d);
    if (hit) return hit;
  }
  return options.exact ? null : scanNames(key, idx);
}

/** Longest run of words that is a known name, e.g. "light north america nebula ha" → NGC 7000. */
function scanNames(key: string, idx: NameIndex): DsoEntry | null {
  const words = key.split(' ').filter(Boolean);
  for (let len = Math.min(words.length, idx.maxWords); len >= 1; len--) {
    for (let start = 0; start + len <= words.length; start++) {
      const span = words.slice(start, start + len);
      if (len === 1 && (STOP.has(span[0]!) || span[0]!.length < 4 || /^\d/.test(span[0]!))) continue;
      const phrase = span.join(' ');
      const hit = idx.full.get(phrase) ?? idx.short.get(phrase);
      if (hit) return hit;
    }
  }
  return null;
}
