/**
 * Catalog designations: one canonical spelling per catalog ("M31", "NGC 7000",
 * "IC 434", "Sh2-155", "B 33", "LDN 1622", "LBN 437", "Abell 426", "PGC 2557")
 * and a parser that accepts the spellings people and capture programs write
 * ("Messier 31", "ngc7000", "NGC_0224", "SH2 155", "Sharpless 2-155", "ACO 426").
 */

interface CatalogSyntax {
  /** canonical prefix */
  canonical: string;
  /** regex source (lower case) of the prefixes accepted in text, longest first */
  prefixes: string[];
  /** regex source of the number part */
  number: string;
  format(num: string): string;
}

const INT = '\\d{1,6}[a-z]?';

const CATALOGS: CatalogSyntax[] = [
  { canonical: 'Sh2', prefixes: ['sharpless\\s*2', 'sharpless', 'sh\\s*-?\\s*2'], number: INT, format: (n) => `Sh2-${n}` },
  { canonical: 'M', prefixes: ['messier', 'm'], number: '\\d{1,3}', format: (n) => `M${n}` },
  { canonical: 'NGC', prefixes: ['ngc'], number: INT, format: (n) => `NGC ${n}` },
  { canonical: 'IC', prefixes: ['ic'], number: INT, format: (n) => `IC ${n}` },
  { canonical: 'LDN', prefixes: ['ldn', 'lynds\\s*dark'], number: INT, format: (n) => `LDN ${n}` },
  { canonical: 'LBN', prefixes: ['lbn', 'lynds\\s*bright'], number: INT, format: (n) => `LBN ${n}` },
  { canonical: 'B', prefixes: ['barnard', 'b'], number: INT, format: (n) => `B ${n}` },
  { canonical: 'Abell', prefixes: ['abell', 'aco'], number: 's?\\d{1,5}', format: (n) => `Abell ${n.toUpperCase()}` },
  { canonical: 'PGC', prefixes: ['pgc', 'leda'], number: INT, format: (n) => `PGC ${n}` },
  { canonical: 'UGC', prefixes: ['ugc'], number: INT, format: (n) => `UGC ${n}` },
  { canonical: 'Cr', prefixes: ['collinder', 'cr'], number: INT, format: (n) => `Cr ${n}` },
  { canonical: 'Mel', prefixes: ['melotte', 'mel'], number: INT, format: (n) => `Mel ${n}` },
  { canonical: 'C', prefixes: ['caldwell', 'c'], number: '\\d{1,3}', format: (n) => `C ${n}` },
  { canonical: 'VdBH', prefixes: ['vdbh'], number: INT, format: (n) => `VdBH ${n}` },
  { canonical: 'VdB', prefixes: ['van\\s*den\\s*bergh', 'vdb'], number: INT, format: (n) => `VdB ${n}` },
  { canonical: 'RCW', prefixes: ['rcw'], number: INT, format: (n) => `RCW ${n}` },
  { canonical: 'Ced', prefixes: ['cederblad', 'ced'], number: INT, format: (n) => `Ced ${n}` },
  { canonical: 'Arp', prefixes: ['arp'], number: INT, format: (n) => `Arp ${n}` },
  { canonical: 'VV', prefixes: ['vv'], number: INT, format: (n) => `VV ${n}` },
  { canonical: 'ESO', prefixes: ['eso'], number: '\\d{1,3}-\\d{1,4}[a-z]?', format: (n) => `ESO ${n}` },
  { canonical: 'DWB', prefixes: ['dwb'], number: INT, format: (n) => `DWB ${n}` },
];

const FAST_PREFIX = new Map<string, (n: string) => string>([
  ['m', (n) => `M${n}`], ['ngc', (n) => `NGC ${n}`], ['ic', (n) => `IC ${n}`], ['pgc', (n) => `PGC ${n}`],
  ['ugc', (n) => `UGC ${n}`], ['b', (n) => `B ${n}`], ['ldn', (n) => `LDN ${n}`], ['lbn', (n) => `LBN ${n}`],
  ['sh2', (n) => `Sh2-${n}`], ['aco', (n) => `Abell ${n}`], ['abell', (n) => `Abell ${n}`], ['cr', (n) => `Cr ${n}`],
  ['mel', (n) => `Mel ${n}`], ['c', (n) => `C ${n}`], ['rcw', (n) => `RCW ${n}`], ['vdb', (n) => `VdB ${n}`],
  ['vdbh', (n) => `VdBH ${n}`], ['ced', (n) => `Ced ${n}`], ['arp', (n) => `Arp ${n}`], ['vv', (n) => `VV ${n}`],
  ['dwb', (n) => `DWB ${n}`],
]);

/** Drops leading zeros of the numeric part ("0224" → "224", "S0373" stays as "S373"). */
function stripZeros(num: string): string {
  return num.replace(/^([a-z]?)0+(?=\d)/i, '$1');
}

function normalizeNumber(num: string): string {
  // Letter suffixes are lower case in the catalogs ("Ced 9b"); Abell's southern "S" prefix is handled by its formatter.
  return stripZeros(num.toLowerCase());
}

const SEP = '[\\s_.:-]*';
const WHOLE = CATALOGS.map((c) => ({
  c,
  re: new RegExp(`^(?:${c.prefixes.join('|')})${SEP}(${c.number})$`, 'i'),
}));
const SCAN = CATALOGS.map((c) => ({
  c,
  re: new RegExp(`(?:^|[^a-z0-9])(?:${c.prefixes.join('|')})${SEP}(${c.number})(?![0-9])`, 'gi'),
}));

/** Canonical designation of a whole string such as "ngc0224" or "Sh 2-155"; null when it is not one. */
export function parseDesignation(text: string): string | null {
  const t = text.trim().replace(/\s+/g, ' ');
  for (const { c, re } of WHOLE) {
    const m = re.exec(t);
    if (m) return c.format(normalizeNumber(m[1]!));
  }
  // Catalogs with structured numbers: keep as written but normalise spacing.
  const pk = /^pk\s*(\d{3}[+-]\d{2}\.\d+)$/i.exec(t);
  if (pk) return `PK ${pk[1]}`;
  const png = /^(pn|snr)\s*g\s*(\d{3}\.\d[+-]\d{2}\.\d)$/i.exec(t);
  if (png) return `${png[1]!.toUpperCase()} G ${png[2]}`;
  return null;
}

/** Every designation found inside free text, in order of appearance ("M31_Panel1" → ["M31"]). */
export function findDesignations(text: string): string[] {
  const found: { at: number; id: string }[] = [];
  for (const { c, re } of SCAN) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      found.push({ at: m.index, id: c.format(normalizeNumber(m[1]!)) });
    }
  }
  found.sort((a, b) => a.at - b.at);
  const out: string[] = [];
  for (const f of found) if (!out.includes(f.id)) out.push(f.id);
  return out;
}

/**
 * The d3-celestial data spell designations their own way ("M 31", "Sh2 155",
 * "ACO 426", "NGc 2269"); this maps one of them to the canonical form.
 */
export function canonicalFromCatalogId(raw: string): string {
  const t = raw.trim();
  // Fast path for the common "PREFIX number" records (the catalog has ~90k of them).
  const simple = /^([A-Za-z]+)(\d?) ?(\d+[a-z]?)$/.exec(t);
  if (simple) {
    const prefix = (simple[1]! + simple[2]!).toLowerCase();
    const fmt = FAST_PREFIX.get(prefix);
    if (fmt) return fmt(normalizeNumber(simple[3]!));
  }
  const parsed = parseDesignation(t);
  if (parsed) return parsed;
  const g = /^(PN|SNR)\s*G\s*(.+)$/i.exec(t);
  if (g) return `${g[1]!.toUpperCase()} G ${g[2]!.trim()}`;
  const png = /^(PNG|SNRG)\s*(.+)$/i.exec(t);
  if (png) return `${png[1]!.slice(0, -1).toUpperCase()} G ${png[2]!.trim()}`;
  return t;
}

/**
 * Sort key of a designation's catalog: lower is more familiar. Used to pick the
 * canonical id among cross-identifications and to break ties between matches.
 */
export function catalogRank(id: string): number {
  if (/^M\d/.test(id)) return 0;
  if (id.startsWith('NGC ')) return 1;
  if (id.startsWith('IC ')) return 2;
  if (/^(Sh2-|B |Mel |Cr |Abell |LDN |LBN |VdB |Ced |RCW )/.test(id)) return 3;
  if (id.startsWith('C ')) return 4;
  if (/^(PK |PN G|SNR G|Arp |UGC |ESO |VV |VdBH |DWB )/.test(id)) return 5;
  if (id.startsWith('PGC ')) return 6;
  return 7;
}
