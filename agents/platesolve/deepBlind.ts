/**
 * Blind search of narrow fields (≲ 1.5°) with the quads of HEALPix-split
 * astrometry.net index series (5200/4200 style): no position is needed — the
 * image's quads are looked up in every installed tile whose quad sizes fit —
 * but Tycho-2 cannot verify such a field, so each hypothesis is checked
 * against the deep catalog's own stars around the sky position its quad
 * names (the index tile's stars, or an ASTAP database when one is configured:
 * {@link deepCatalogNear}). Local catalogs are built once per sky cell of
 * about two fields (at least 0.25°) and kept for the search.
 *
 * ASTAP databases carry no quads: they are searched only around a position
 * (the hinted path in solveImage), never blind.
 */
import type { StarCatalog } from '../lib/stars/starCatalog.ts';
import type { AnIndex } from './anindex/anIndex.ts';
import { searchIndexQuads } from './anindex/quadSearch.ts';
import { deepCatalogNear, deepIndexTiles, type DeepSources } from './catalog/deepSources.ts';
import { CandidateChecker } from './solver/candidate.ts';
import type { SearchStats } from './solver/hinted.ts';
import { outOfTime, type ImageStars, type PositionHint, type ScaleHint, type Solution, type SolverBudget } from './solver/types.ts';

/** Image quads span 1/10 of the short side to the diagonal (as quadSearch.ts). */
const QUAD_MIN_FRACTION = 0.1;
/** Narrowest field a deep blind search is made for, degrees (short side). */
const MIN_FIELD_DEG = 0.02;
/** Brightest image stars combined into quads: deep passes need more than Tycho-2's first pass. */
const DEEP_BLIND_STARS = 60;
/** Catalog stars per field the local verification catalogs aim at (the hinted deep path uses the same). */
const STARS_PER_FIELD = 400;
const MAX_LOCAL_STARS = 200_000;
/** Local catalogs kept per search (each a few hundred kB). */
const MAX_REGIONS = 64;
/**
 * Code trees a blind search may load (≈ 9 bytes per quad, kept per process):
 * a full narrow-scale 5200 series is far bigger, so a search without a position
 * takes the widest fitting series first and stops adding series at this bound.
 */
const MAX_CODE_BYTES = 512 * 1024 * 1024;
const CODE_BYTES_PER_QUAD = 9;

export interface DeepBlindPlan {
  /** the index tiles whose quads fit the image at the scales searched */
  tiles: AnIndex[];
  /** pixel scale range searched, arcsec/px */
  scale: ScaleHint;
  /** quad diameters of the fitting series, arcsec */
  quadsArcsec: { low: number; high: number };
}

/**
 * Which deep index tiles a blind search of this image would use, and over
 * which scales: the hint's when there is one, else every scale at which the
 * image's quads have the size of an installed series' quads, for fields up to
 * `maxFovDeg`. Null (with the reason) when none fits.
 */
export function planDeepBlind(
  dirs: readonly string[], width: number, height: number, scale: ScaleHint | null, maxFovDeg: number,
  position: PositionHint | null = null,
): DeepBlindPlan | { reason: string } {
  const all = deepIndexTiles(dirs);
  const tiles = position ? all.filter((t) => t.mayHaveStarsNear(position.ra, position.dec, position.radius + maxFovDeg)) : all;
  if (all.length && !tiles.length) return { reason: 'no installed index tile covers the header position' };
  if (!tiles.length) return { reason: 'no HEALPix-split index series (5200/4200 style) is installed' };
  const series = (list: AnIndex[]): string => [...new Map(list.map((t) => [t.id, t])).values()]
    .map((t) => `${t.id} (${(t.scaleLow / 60).toFixed(1)}′–${(t.scaleHigh / 60).toFixed(1)}′)`).join(', ');
  const minSide = Math.min(width, height), maxSide = Math.max(width, height), diag = Math.hypot(width, height);
  const range = scale ?? {
    low: (MIN_FIELD_DEG * 3600) / minSide,
    high: (maxFovDeg * 3600) / maxSide,
  };
  const qLow = QUAD_MIN_FRACTION * minSide * range.low, qHigh = diag * range.high;
  let fit = tiles.filter((t) => t.scaleLow <= qHigh && t.scaleHigh >= qLow);
  // widest series first (fewest quads), whole series only, within the memory bound
  const ids = [...new Set(fit.map((t) => t.id))].sort((a, b) => b - a);
  const keep = new Set<number>();
  let bytes = 0;
  for (const id of ids) {
    const b = fit.filter((t) => t.id === id).reduce((sum, t) => sum + t.nQuads * CODE_BYTES_PER_QUAD, 0);
    if (bytes + b > MAX_CODE_BYTES) continue;
    bytes += b;
    keep.add(id);
  }
  if (fit.length && !keep.size) {
    return { reason: `the fitting index series (${series(fit)}) need more than ${MAX_CODE_BYTES >> 20} MB of star patterns for a search without a position` };
  }
  fit = fit.filter((t) => keep.has(t.id));
  if (!fit.length) {
    return { reason: `the installed deep index series have quads of ${series(tiles)}; this image's quads at ${range.low.toFixed(3)}–${range.high.toFixed(3)}″/px are ${(qLow / 60).toFixed(1)}′–${(qHigh / 60).toFixed(1)}′` };
  }
  const low = Math.min(...fit.map((t) => t.scaleLow)), high = Math.max(...fit.map((t) => t.scaleHigh));
  // without a hint: only the scales at which some image quad can have an index quad's size
  const s = scale ?? { low: Math.max(range.low, low / diag), high: Math.min(range.high, high / (QUAD_MIN_FRACTION * minSide)) };
  if (s.low > s.high) return { reason: `no scale of a field ≤ ${maxFovDeg}° matches the quads of ${series(fit)}` };
  return { tiles: fit, scale: s, quadsArcsec: { low, high } };
}

/**
 * Verifies each hypothesis against a local deep catalog around the sky
 * position of its quad (a cell of the sky), built on first use.
 */
class RegionalChecker extends CandidateChecker {
  private readonly regions = new Map<string, { checker: CandidateChecker; catalog: StarCatalog; label: string } | null>();
  /** the catalog and label of the last solution's region */
  solvedWith: { catalog: StarCatalog; label: string } | null = null;
  regionsBuilt = 0;

  constructor(
    private readonly local: (ra: number, dec: number, radius: number, maxStars: number) => { catalog: StarCatalog; label: string } | null,
    base: StarCatalog,
    private readonly imageStars: ImageStars,
    private readonly scaleLow: number,
    private readonly scaleHigh: number,
    private readonly hint: PositionHint | null,
    private readonly searchStats: SearchStats,
    private readonly cellDeg: number,
    private readonly budget: SolverBudget,
  ) {
    super(base, imageStars, scaleLow, scaleHigh, hint, searchStats);
  }

  override check(img: ArrayLike<number>, skyRa: ArrayLike<number>, skyDec: ArrayLike<number>, n: number): Solution | null {
    // One code look-up can match many index quads, and a new sky cell costs a catalog read:
    // the time limit is checked here too, not only between look-ups.
    if (outOfTime(this.budget)) return null;
    const iy = Math.floor((skyDec[0] + 90) / this.cellDeg);
    const dec = Math.min(89.9, -90 + (iy + 0.5) * this.cellDeg);
    const raStep = this.cellDeg / Math.max(0.05, Math.cos((dec * Math.PI) / 180));
    const ix = Math.floor(skyRa[0] / raStep);
    const key = `${iy}/${ix}`;
    let region = this.regions.get(key);
    if (region === undefined) {
      // the image centre lies within half a diagonal of any of its stars, at the largest scale searched
      const halfDiagDeg = (Math.hypot(this.imageStars.width, this.imageStars.height) * this.scaleHigh) / 7200;
      const radius = this.cellDeg * Math.SQRT1_2 + halfDiagDeg;
      const fieldDeg2 = (this.imageStars.width * this.imageStars.height * this.scaleLow * this.scaleHigh) / 3600 ** 2;
      const maxStars = Math.min(MAX_LOCAL_STARS, Math.ceil((STARS_PER_FIELD * Math.PI * radius * radius) / Math.max(fieldDeg2, 1e-6)));
      const got = this.local(((ix + 0.5) * raStep) % 360, dec, radius, maxStars);
      region = got ? { ...got, checker: new CandidateChecker(got.catalog, this.imageStars, this.scaleLow, this.scaleHigh, this.hint, this.searchStats) } : null;
      if (this.regions.size >= MAX_REGIONS) this.regions.delete(this.regions.keys().next().value!);
      this.regions.set(key, region);
      this.regionsBuilt++;
    }
    if (!region) return null;
    const sol = region.checker.check(img, skyRa, skyDec, n);
    if (sol) this.solvedWith = { catalog: region.catalog, label: region.label };
    return sol;
  }
}

export interface DeepBlindOptions {
  src: DeepSources | undefined;
  dirs: readonly string[];
  plan: DeepBlindPlan;
  position: PositionHint | null;
  budget: SolverBudget;
  stats: SearchStats;
  /** any catalog (the base of the regional checker; never used to verify) */
  base: StarCatalog;
}

export interface DeepBlindResult {
  solution: Solution | null;
  reason: string;
  /** the catalog that verified the solution */
  catalog: StarCatalog | null;
  label: string | null;
}

/** Blind quad search over the planned deep index tiles, each hypothesis verified on the deep stars where it points. */
export function solveDeepBlind(stars: ImageStars, opts: DeepBlindOptions): DeepBlindResult {
  const { plan } = opts;
  const fovHighDeg = (Math.max(stars.width, stars.height) * plan.scale.high) / 3600;
  // cells of about two fields (≥ 0.25°): few catalog reads, each local catalog still small
  const cellDeg = Math.min(2, Math.max(0.25, 2 * fovHighDeg));
  const checker = new RegionalChecker(
    (ra, dec, radius, maxStars) => {
      const l = deepCatalogNear(opts.src, opts.dirs, ra, dec, radius, maxStars);
      return l ? { catalog: l.catalog, label: l.label } : null;
    },
    opts.base, stars, plan.scale.low, plan.scale.high, opts.position, opts.stats, cellDeg, opts.budget,
  );
  try {
    const r = searchIndexQuads(opts.base, stars, plan.tiles, {
      scale: plan.scale, position: opts.position, budget: opts.budget, stats: opts.stats, checker, maxStars: DEEP_BLIND_STARS,
    });
    const where = `${plan.tiles.length} tile${plan.tiles.length === 1 ? '' : 's'}, ${checker.regionsBuilt} sky cells checked`;
    return { solution: r.solution, reason: `${r.reason}; ${where}`, catalog: checker.solvedWith?.catalog ?? null, label: checker.solvedWith?.label ?? null };
  } catch (err) {
    return { solution: null, reason: `deep index files unusable: ${(err as Error).message}`, catalog: null, label: null };
  }
}
