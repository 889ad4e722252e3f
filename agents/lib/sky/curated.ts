/**
 * Hand-kept corrections and additions to the d3-celestial deep-sky data: cross
 * identifications it lacks, popular names it spells differently, a few
 * astrophotography targets it misses, and position angles for the large
 * galaxies people frame (d3-celestial has no position angles). Values are
 * J2000 and come from the public NGC/IC, Sharpless and RC3 listings as quoted
 * by SIMBAD/NED; they are deliberately few and easy to check.
 */

/** Extra designations for an object, keyed by its canonical designation. */
export const CROSS_IDS: Record<string, string[]> = {
  'C 9': ['Sh2-155'],
  'C 41': ['Mel 25', 'Cr 50'],
  'Cr 39': ['Mel 20'],
  'Cr 256': ['Mel 111'],
  M45: ['Mel 22', 'Cr 42'],
  // d3-celestial files the Rosette's nebula under NGC 2238; NGC 2237 is the usual name for it.
  'NGC 2238': ['NGC 2237', 'C 49'],
  'NGC 2244': ['C 50'],
  'NGC 869': ['C 14'],
  'NGC 7000': ['C 20'],
  'NGC 7293': ['C 63'],
  'NGC 253': ['C 65'],
  'NGC 5139': ['C 80'],
  'NGC 104': ['C 106'],
  'NGC 3372': ['C 92'],
  'NGC 5128': ['C 77'],
  'NGC 6543': ['C 6'],
  'NGC 7635': ['C 11'],
  'NGC 6960': ['C 34'],
  'NGC 6992': ['C 33'],
  'NGC 2392': ['C 39'],
  'NGC 891': ['C 23'],
  'NGC 4565': ['C 38'],
  'NGC 2403': ['C 7'],
  'NGC 7331': ['C 30'],
  'IC 5146': ['C 19', 'Sh2-125'],
  'NGC 7023': ['C 4'],
  'IC 405': ['C 31', 'Sh2-229'],
  'NGC 6888': ['C 27', 'Sh2-105'],
  'NGC 2359': ['Sh2-298'],
  'IC 1805': ['Sh2-190'],
  'IC 1848': ['Sh2-199'],
  'NGC 1499': ['Sh2-220'],
  'IC 1396': ['Sh2-131'],
  'NGC 281': ['Sh2-184'],
  'NGC 2264': ['Sh2-273'],
  'NGC 2024': ['Sh2-277'],
  'NGC 7380': ['Sh2-142'],
};

/** The canonical id to use when the generic rule (most familiar catalog) is not what people say. */
export const PREFERRED_ID: Record<string, string> = {
  'NGC 2238': 'NGC 2237',
  'C 9': 'Sh2-155',
  'C 41': 'Mel 25',
};

/** The display name to use instead of d3-celestial's (which may be abbreviated or in Greek letters). */
export const NAME_OVERRIDES: Record<string, string> = {
  'NGC 3372': 'Carina Nebula',
  'PGC 17223': 'Large Magellanic Cloud',
  'NGC 292': 'Small Magellanic Cloud',
  'NGC 5139': 'Omega Centauri',
  'NGC 104': '47 Tucanae',
  'IC 63': 'Ghost of Cassiopeia',
  'IC 4604': 'Rho Ophiuchi Nebula',
  'NGC 869': 'Double Cluster',
  'SNR G 263.9-03.0': 'Vela Supernova Remnant',
  'SNR G 266.2-01.2': 'Vela Junior',
  'C 41': 'Hyades',
  'C 99': 'Coalsack Nebula',
  'C 9': 'Cave Nebula',
  'NGC 1499': 'California Nebula',
  'NGC 6960': 'Western Veil Nebula',
  'NGC 6992': 'Eastern Veil Nebula',
  'NGC 6979': "Pickering's Triangle",
  'NGC 2264': 'Cone Nebula',
  'M31': 'Andromeda Galaxy',
  'M33': 'Triangulum Galaxy',
  'M51': 'Whirlpool Galaxy',
  'M101': 'Pinwheel Galaxy',
  'M81': "Bode's Galaxy",
  'M104': 'Sombrero Galaxy',
  'M44': 'Beehive Cluster',
  'M64': 'Black Eye Galaxy',
  'M7': 'Ptolemy Cluster',
  'M13': 'Hercules Globular Cluster',
  'M17': 'Omega Nebula',
  'M43': "De Mairan's Nebula",
  'M73': 'M73 asterism',
  'M24': 'Sagittarius Star Cloud',
  'M40': 'Winnecke 4',
  'M83': 'Southern Pinwheel Galaxy',
  'M102': 'Spindle Galaxy',
};

/** More common names, resolvable but not displayed, by canonical id. */
export const ALIASES: Record<string, string[]> = {
  'NGC 3372': ['Eta Carinae Nebula', 'Great Carina Nebula'],
  'NGC 5139': ['Omega Centauri Cluster'],
  'NGC 104': ['47 Tuc'],
  'NGC 869': ['h Persei', 'h and chi Persei'],
  'NGC 884': ['chi Persei'],
  'IC 1848': ['Soul Nebula', 'Embryo Nebula'],
  'NGC 6960': ['Witch\'s Broom Nebula', 'Veil Nebula West', 'Filamentary Nebula'],
  'NGC 6992': ['Veil Nebula', 'Network Nebula', 'Eastern Veil', 'East Veil Nebula', 'Cygnus Loop'],
  'NGC 6979': ["Fleming's Triangular Wisp"],
  'NGC 2237': ['Rosette', 'Rosette Nebula'],
  'NGC 2264': ['Christmas Tree Cluster', 'Fox Fur Nebula', 'Snowflake Cluster'],
  'IC 2177': ['Seagull Nebula'],
  'NGC 6357': ['War and Peace Nebula'],
  'NGC 253': ['Silver Dollar Galaxy', 'Silver Coin Galaxy'],
  'NGC 4565': ['Needle Galaxy'],
  'IC 1396': ["Elephant's Trunk"],
  'IC 405': ['Flaming Star'],
  'IC 410': ['Tadpoles Nebula', 'Tadpole Nebula'],
  'M45': ['Seven Sisters'],
  'M42': ['Great Orion Nebula', 'Great Nebula in Orion'],
  'M17': ['Swan Nebula', 'Horseshoe Nebula', 'Checkmark Nebula'],
  'M27': ['Apple Core Nebula'],
  'M44': ['Praesepe'],
  'M13': ['Great Hercules Cluster', 'Hercules Cluster'],
  'M1': ['Taurus A'],
  'M82': ['Starburst Galaxy'],
  'M81': ['Bodes Galaxy'],
  'M64': ['Sleeping Beauty Galaxy', 'Evil Eye Galaxy'],
  'M63': ['Sunflower Galaxy'],
  'M94': ["Croc's Eye Galaxy"],
  'M102': ['Spindle'],
  'NGC 2024': ['Flame'],
  'Sh2-240': ['Simeis 147'],
  'Sh2-155': ['Cave Nebula'],
  'B 33': ['Horsehead', 'Horse Head Nebula'],
  'NGC 7000': ['North America'],
  'IC 5070': ['Pelican'],
  'NGC 6188': ['Fighting Dragons of Ara', 'Rim Nebula'],
  'IC 2118': ['Witch Head', 'Witchhead Nebula'],
  'NGC 2174': ['Monkey Head'],
  'IC 63': ['Gamma Cassiopeiae Nebula'],
  'NGC 2070': ['30 Doradus', '30 Dor'],
  'PGC 17223': ['LMC'],
  'NGC 292': ['SMC'],
  'IC 434': [],
};

/** Objects that d3-celestial lacks, as complete records. */
export interface SupplementEntry {
  id: string;
  designations: string[];
  name: string;
  type: string;
  ra: number;
  dec: number;
  magnitude: number | null;
  majorArcmin: number | null;
  minorArcmin: number | null;
}

export const SUPPLEMENT: SupplementEntry[] = [
  { id: 'IC 2118', designations: ['IC 2118'], name: 'Witch Head Nebula', type: 'reflection nebula', ra: 75.5, dec: -7.9, magnitude: null, majorArcmin: 180, minorArcmin: 60 },
  { id: 'NGC 6188', designations: ['NGC 6188'], name: 'Dragons of Ara', type: 'emission nebula', ra: 250.0208, dec: -48.7833, magnitude: null, majorArcmin: 20, minorArcmin: 12 },
  { id: 'NGC 2174', designations: ['NGC 2174', 'Sh2-252'], name: 'Monkey Head Nebula', type: 'emission nebula', ra: 92.425, dec: 20.5, magnitude: null, majorArcmin: 40, minorArcmin: 30 },
];

/** Corrections of d3-celestial records known to be wrong (position, size or magnitude of another object). */
export const OVERRIDES: Record<string, Partial<Pick<SupplementEntry, 'ra' | 'dec' | 'magnitude' | 'majorArcmin' | 'minorArcmin' | 'type'>>> = {
  'IC 434': { type: 'emission nebula' },
  'NGC 4565': { ra: 189.0867, dec: 25.9875, magnitude: 9.6, majorArcmin: 15.9, minorArcmin: 1.9 },
  // garbled coordinates in d3-celestial; positions from Green's catalogue of Galactic SNRs (08h34m −45°50′, 08h52m −46°20′)
  'SNR G 263.9-03.0': { ra: 128.5, dec: -45.8333, type: 'supernova remnant' },
  'SNR G 266.2-01.2': { ra: 133.0, dec: -46.3333, type: 'supernova remnant' },
};

/** Position angles (degrees, north through east) of large galaxies, for overlay ellipses. */
export const POSITION_ANGLES: Record<string, number> = {
  M31: 35,
  M32: 170,
  M110: 170,
  M33: 23,
  M81: 157,
  M82: 65,
  M51: 163,
  M104: 90,
  M63: 105,
  M64: 115,
  M65: 174,
  M66: 173,
  M106: 150,
  M108: 79,
  M102: 128,
  'NGC 3628': 104,
  'NGC 253': 52,
  'NGC 4565': 136,
  'NGC 891': 22,
  'NGC 2403': 127,
  'NGC 7331': 171,
  'NGC 4631': 86,
  'NGC 55': 108,
};

/** Short names that several objects share; the one astrophotographers mean. */
export const SHORT_NAME_PREFERENCE: Record<string, string> = {
  crab: 'M1',
  jellyfish: 'IC 443',
  veil: 'NGC 6992',
  pinwheel: 'M101',
  butterfly: 'IC 1318',
  owl: 'M97',
  ring: 'M57',
};
