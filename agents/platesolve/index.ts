/**
 * The `platesolve` agent (stage `solve`): finds where the image points on the
 * sky — an existing header solution (verified against the stars), the
 * built-in solver on the Tycho-2/Hipparcos catalog, or astrometry.net's
 * solve-field when installed. Emits {@link SolveFacts} (plus solver details).
 */
import { AgentError, defineAgent, type Facts } from '../sdk/index.ts';
import type { FileFacts } from '../sdk/facts.ts';
import type { PixelImage } from '../sdk/index.ts';
import { defaultStarCatalogPath, resolveStarCatalog } from '../lib/stars/catalogLocation.ts';
import { SLOW_MACHINE_FACTOR, solveImage } from './solveImage.ts';
import { readSibling, SIBLING_TTL_SECONDS, siblingKey, siblingOf } from './siblingCache.ts';

/** Wall-clock backstop of one solve (below the agent's timeout: the host would abort it). */
const WALL_LIMIT_MS = 280_000;
/** Pixel budget for the decode: larger frames are binned by the reader (the solver bins again above 8 MP). */
const MAX_PIXELS = 12_000_000;

export default defineAgent({
  name: 'platesolve',
  version: '2',
  description: 'Plate solving: WCS, centre, field size, pixel scale, rotation and parity, from the header or by matching stars against Tycho-2.',
  stages: ['solve'],
  uses: ['file'],
  appliesTo: {
    formats: ['fits', 'xisf', 'tiff', 'jpeg', 'png', 'raw'],
    frameTypes: ['light', 'master', 'processed'],
    requires: ['file'],
  },
  // the blind search is bounded by work done, with a wall-clock backstop of up to 4× the time
  // limit on a slow or loaded machine (WALL_LIMIT_MS): the host waits that long
  timeoutSeconds: 300,
  settings: {
    solveField: { type: 'boolean', title: 'Use astrometry.net', default: true, description: "solve with astrometry.net's solve-field when it is installed, before the built-in solver" },
    timeLimitSeconds: { type: 'number', title: 'Time limit (seconds)', default: 60, minimum: 5, maximum: 600, description: 'how long the solver may work on one image before it gives up' },
    starCatalog: { type: 'string', title: 'Star catalog file', default: '', description: 'the built-in solver\'s star catalog (the host passes SIDEREAL_STAR_CATALOG, by default SIDEREAL_DATA_DIR/catalog/stars.bin); empty: ./data/catalog/stars.bin' },
    astapDatabase: { type: 'string', title: 'ASTAP star database folder', default: '', description: 'folder of an ASTAP star database (.1476 or .290 files) for narrow fields (the host passes SIDEREAL_ASTAP_DATABASE)' },
    indexFolders: { type: 'string', title: 'Extra index folders', default: '', description: 'comma-separated folders of extra astrometry.net index files, e.g. the 5200 series (the host passes SIDEREAL_INDEX_DIRS)' },
  },
  searchable: [
    { path: 'pixelScaleArcsec', type: 'number', label: 'Pixel scale', unit: '″/px' },
    { path: 'fieldWidthDeg', type: 'number', label: 'Field width', unit: '°' },
    { path: 'solver', type: 'keyword', label: 'Solver' },
  ],
  async run(ctx) {
    const file = ctx.facts.file as unknown as FileFacts | undefined;
    const warnings: string[] = [];
    const width = file?.width ?? 0, height = file?.height ?? 0;
    let pixels: PixelImage | null = null;
    try {
      pixels = await ctx.readPixels({ maxPixels: MAX_PIXELS });
    } catch (err) {
      warnings.push(`pixels could not be read (${(err as Error).message}); only a header solution is possible`);
    }
    const catalogPath = String(ctx.settings.starCatalog ?? '') || defaultStarCatalogPath();
    const cat = pixels ? resolveStarCatalog(catalogPath) : null;
    if (cat && cat.origin !== 'file') {
      warnings.push(cat.origin === 'hipparcos-fallback'
        ? 'no Tycho-2 star catalog: using Hipparcos stars only, which solve fields wider than ~3° (install astrometry-data-tycho2-07-littleendian and run scripts/build-star-catalog.ts)'
        : `star catalog file ${catalogPath} missing: built it in memory from the Tycho-2 index (run scripts/build-star-catalog.ts once)`);
    }
    const settings = ctx.settings;
    // a solved sub of the same night, target and optics: a tight hint, verified on this frame's stars
    const key = pixels ? siblingKey(file) : null;
    const sibling = key ? readSibling(await ctx.cache.get(key).catch(() => undefined)) : null;
    const facts = await solveImage({
      pixels,
      cards: file?.headers ?? [],
      width: width || (pixels ? pixels.width * pixels.binned : 0),
      height: height || (pixels ? pixels.height * pixels.binned : 0),
      format: file?.format ?? undefined,
      acquisition: file?.acquisition ?? null,
      timeLimitMs: 1000 * Number(settings.timeLimitSeconds ?? 60),
      wallLimitMs: Math.min(WALL_LIMIT_MS, SLOW_MACHINE_FACTOR * 1000 * Number(settings.timeLimitSeconds ?? 60)),
      signal: ctx.signal,
      ...(sibling ? { hints: { sibling } } : {}),
      catalogPath,
      solveField: settings.solveField !== false,
      imagePath: ctx.file.localPath,
      deepCatalogs: {
        astapDir: String(settings.astapDatabase ?? '') || null,
        indexDirs: String(settings.indexFolders ?? '').split(',').map((d) => d.trim()).filter(Boolean),
      },
    });
    // An interrupted solve is not an answer: fail (retried later) instead of caching "unsolved".
    // Every other unsolved result is final for this content and these hints (the result cache
    // is keyed by the file, its header facts and the settings), so it is never searched again.
    if (ctx.signal.aborted || facts.unsolvedReason?.code === 'aborted') throw new AgentError('plate solve interrupted', { permanent: false });
    const solution = key ? siblingOf(facts) : null;
    if (key && solution) await ctx.cache.set(key, { ...solution }, { ttlSeconds: SIBLING_TTL_SECONDS }).catch((err) => ctx.log.warn('the sibling solution could not be cached', { err: (err as Error)?.message }));
    return { facts: facts as unknown as Facts, warnings: warnings.length ? warnings : undefined };
  },
});
