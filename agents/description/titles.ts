/**
 * Which Wikipedia article titles to try for a catalog object, most specific
 * first. English Wikipedia has an article or a redirect for every Messier
 * object ("Messier 31" → "Andromeda Galaxy") and for many NGC/IC objects
 * ("NGC 7000" → "North America Nebula"); common names are tried after the
 * designations because they are more often ambiguous.
 */

export interface TitleCandidate {
  title: string;
  /** a designation is unambiguous; a common name must be checked to be about an astronomical object */
  kind: 'designation' | 'name';
}

/** Catalog designation (canonical Sidereal spelling) → the spelling Wikipedia uses for its titles. */
export function wikipediaDesignation(designation: string): string | null {
  let m: RegExpExecArray | null;
  if ((m = /^M(\d+)$/.exec(designation))) return `Messier ${m[1]}`;
  if ((m = /^(NGC|IC|UGC|PGC|LDN|LBN|Abell|Arp|RCW) (.+)$/.exec(designation))) return `${m[1]} ${m[2]}`;
  if ((m = /^Sh2-(\d+)$/.exec(designation))) return `Sh2-${m[1]}`;
  if ((m = /^B (\d+)$/.exec(designation))) return `Barnard ${m[1]}`;
  if ((m = /^C (\d+)$/.exec(designation))) return `Caldwell ${m[1]}`;
  if ((m = /^Mel (\d+)$/.exec(designation))) return `Melotte ${m[1]}`;
  if ((m = /^Cr (\d+)$/.exec(designation))) return `Collinder ${m[1]}`;
  return null;
}

export function titleCandidates(object: { designations: string[]; name: string | null; aliases?: string[] }): TitleCandidate[] {
  const out: TitleCandidate[] = [];
  const seen = new Set<string>();
  const add = (title: string | null, kind: TitleCandidate['kind']) => {
    if (!title) return;
    const key = title.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ title, kind });
  };
  const designations = object.designations;
  // Messier, NGC, IC first: they have articles or redirects most often
  for (const d of designations) if (/^(M\d|NGC |IC )/.test(d)) add(wikipediaDesignation(d), 'designation');
  if (object.name) add(object.name, 'name');
  for (const a of object.aliases ?? []) add(a, 'name');
  for (const d of designations) add(wikipediaDesignation(d), 'designation');
  return out.slice(0, 6);
}

/** A common-name article is accepted only when it reads like one about a sky object. */
export function looksAstronomical(text: string): boolean {
  return /\b(galax(y|ies)|nebula[e]?|cluster|constellation|star|stellar|supernova|remnant|asterism|light[- ]years?|magnitude|parsecs?|interstellar|H II region)\b/i.test(text);
}
