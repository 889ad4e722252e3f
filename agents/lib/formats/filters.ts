/**
 * Filter names as written by capture software and filter-wheel profiles,
 * normalized to a small vocabulary: L R G B Ha OIII SII Hb NII UV/IR-cut
 * Clear, and readable names for dual/quad-band and light-pollution filters.
 */

/** Named multi-band / light-pollution filters; checked before single bands ("L-eXtreme" is not "L"). */
const NAMED: [RegExp, string][] = [
  [/l[\s_-]*e?xtreme/i, 'L-eXtreme'],
  [/l[\s_-]*enhance/i, 'L-eNhance'],
  [/l[\s_-]*ultimate/i, 'L-Ultimate'],
  [/l[\s_-]*pro\b/i, 'L-Pro'],
  [/l[\s_-]*quad/i, 'L-QuadEnhance'],
  [/l[\s_-]*synergy/i, 'L-Synergy'],
  [/alp[\s_-]*t/i, 'ALP-T'],
  [/triad/i, 'Triad Ultra'],
  [/\bnbz\b/i, 'NBZ'],
  [/\bnb[\s_-]*1\b/i, 'NB1'],
  [/lps[\s_-]*(d1|d2|d3|p2|v4)/i, 'LPS-$1'],
  [/duo[\s_-]*band/i, 'Duo-Band'],
  [/quad[\s_-]*band/i, 'Quad-Band'],
  [/dual[\s_-]*(band|narrow[\s_-]*band|nb)/i, 'Dual-Band'],
  // two lines in one name: "HaOIII", "Ha/OIII", "SII+OIII"
  [/h[\s_-]*(a|alpha)[\s_/+&,-]*o[\s_-]*(iii|3)/i, 'Ha+OIII'],
  [/o[\s_-]*(iii|3)[\s_/+&,-]*h[\s_-]*(a|alpha)\b/i, 'Ha+OIII'],
  [/s[\s_-]*(ii|2)[\s_/+&,-]*o[\s_-]*(iii|3)/i, 'SII+OIII'],
  [/o[\s_-]*(iii|3)[\s_/+&,-]*s[\s_-]*(ii|2)\b/i, 'SII+OIII'],
  [/h[\s_-]*(a|alpha)[\s_/+&,-]*s[\s_-]*(ii|2)\b/i, 'Ha+SII'],
  [/\buhc\b/i, 'UHC'],
  [/\bcls\b/i, 'CLS'],
  [/\b(lp|light[\s_-]*pollution)\b/i, 'Light pollution'],
  [/(uv[\s_/+-]*ir|ir[\s_/+-]*uv|ir[\s_-]*cut|uv[\s_-]*cut)/i, 'UV/IR-cut'],
];

const NONE = /^(none|empty|no[\s_-]*filter|unknown|n\/?a|-+|\?|null|nofilter|not\s+set|open)$/i;

/** Single-band tokens after joining "H alpha" → "halpha", "O III" → "oiii". */
const BAND: Record<string, string> = {
  ha: 'Ha', halpha: 'Ha', 'hα': 'Ha', hydrogenalpha: 'Ha', h: 'Ha',
  oiii: 'OIII', o3: 'OIII', oxygen: 'OIII', oxygeniii: 'OIII',
  sii: 'SII', s2: 'SII', sulfur: 'SII', sulphur: 'SII', sulfurii: 'SII',
  hb: 'Hb', hbeta: 'Hb', 'hβ': 'Hb',
  nii: 'NII', n2: 'NII',
  l: 'L', lum: 'L', luminance: 'L', lumi: 'L',
  r: 'R', red: 'R', rot: 'R', rouge: 'R',
  g: 'G', green: 'G', gruen: 'G', grün: 'G', vert: 'G',
  b: 'B', blue: 'B', blau: 'B', bleu: 'B',
  clear: 'Clear', cl: 'Clear',
};

/**
 * Normalizes a filter name. Returns null for "no filter" placeholders
 * (None, Empty, Unknown, Open…); unrecognized names come back trimmed.
 */
export function normalizeFilter(raw: unknown): string | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const text = String(raw).replace(/^'+|'+$/g, '').trim();
  if (text === '' || NONE.test(text)) return null;
  for (const [re, name] of NAMED) {
    const m = re.exec(text);
    if (m) return name.includes('$1') ? name.replace('$1', (m[1] ?? '').toUpperCase()) : name;
  }
  // single letters stand for SHO in many wheel profiles: "H", "O", "S"
  if (/^o$/i.test(text)) return 'OIII';
  if (/^s$/i.test(text)) return 'SII';
  const joined = text
    .toLowerCase()
    .replace(/h[\s_-]*(alpha|α)/g, 'halpha')
    .replace(/h[\s_-]*(beta|β)/g, 'hbeta')
    .replace(/\bo[\s_-]*(iii|3)\b/g, 'oiii')
    .replace(/\bs[\s_-]*(ii|2)\b/g, 'sii')
    .replace(/\bn[\s_-]*(ii|2)\b/g, 'nii')
    .replace(/(\d+(\.\d+)?)\s*nm\b/g, ' ') // bandwidth: "Ha 7nm", "3nm"
    .replace(/\b(filter|filtre|astronomik|baader|chroma|antlia|optolong|zwo|astrodon|idas|svbony|player\s*one|ultra|pro|max|ccd|cmos|deep[\s_-]*sky|type\s*2c|2c|narrow\s*band|nb|\d+(mm|")|1\.25|2")\b/g, ' ');
  const bands = new Set<string>();
  for (const tok of joined.split(/[^a-z0-9αβü]+/).filter(Boolean)) {
    const b = BAND[tok];
    if (b) bands.add(b);
  }
  if (bands.size === 1) return [...bands][0]!;
  if (bands.size > 1) {
    const narrow = ['Ha', 'Hb', 'OIII', 'SII', 'NII'].filter((b) => bands.has(b));
    if (narrow.length === bands.size) return narrow.join('+');
  }
  return text;
}
