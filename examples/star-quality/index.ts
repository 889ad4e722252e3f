/**
 * sidereal-agent-star-quality: how good are the stars of each light frame?
 * Star count, median FWHM and half-flux radius (pixels, and arcseconds when
 * the pixel scale is known), median eccentricity, background level and
 * noise. The numbers a subframe selector looks at, stored with every frame
 * and searchable in the gallery ("FWHM below 3 arcsec", "trailed frames").
 *
 * A third-party agent: it depends on the Sidereal agent SDK only.
 */
import { AgentSkip, defineAgent, type AgentContext, type Facts } from '@sidereal/agent-sdk';
import type { FileFacts, SolveFacts } from '@sidereal/agent-sdk/facts';
import { analyzeStars } from './src/analyze.ts';
import { luminance } from './src/luminance.ts';
import { factsSchema, type StarQualityFacts } from './src/schema.ts';
import { saturationLevel } from './src/saturation.ts';

export type { StarQualityFacts } from './src/schema.ts';

/** Eccentricity limits of the `shape` keyword (PixInsight's SubframeSelector users treat ≲0.5 as round). */
const ROUND_BELOW = 0.5;
const TRAILED_FROM = 0.75;
/** fewer measured stars than this: no medians worth a keyword */
const MIN_STARS_FOR_SHAPE = 5;

function pixelScale(ctx: AgentContext): { scale: number | null; source: 'platesolve' | 'header' | null } {
  const solve = ctx.facts.platesolve as Partial<SolveFacts> | undefined;
  if (solve?.solved && typeof solve.pixelScaleArcsec === 'number' && solve.pixelScaleArcsec > 0) return { scale: solve.pixelScaleArcsec, source: 'platesolve' };
  const acq = (ctx.facts.file as Partial<FileFacts> | undefined)?.acquisition;
  // XPIXSZ is the (binned) pixel size by convention; 206.265 = arcsec per radian / 1000 (µm vs mm)
  if (acq?.pixelSizeUm && acq.focalLengthMm && acq.pixelSizeUm > 0 && acq.focalLengthMm > 0) return { scale: (206.265 * acq.pixelSizeUm) / acq.focalLengthMm, source: 'header' };
  return { scale: null, source: null };
}

const round = (v: number | null, digits: number) => (v === null || !Number.isFinite(v) ? null : Number(v.toFixed(digits)));

export default defineAgent({
  name: 'star-quality',
  version: '1.0.0',
  description: 'Star count, median FWHM and HFR, eccentricity, background level and noise of each light frame.',
  stages: ['describe'],
  appliesTo: { frameTypes: ['light'], formats: ['fits', 'xisf', 'tiff', 'raw'], requires: ['file'] },
  // the pixel scale comes from the plate solution when there is one
  uses: ['file', 'platesolve'],
  timeoutSeconds: 180,
  settings: {
    detectionSigma: { type: 'number', default: 5, minimum: 2, maximum: 100, description: 'Detection threshold, in noise sigmas above the background' },
    maxStars: { type: 'integer', default: 1500, minimum: 10, maximum: 20000, description: 'Measure at most this many of the brightest stars' },
    maxMegapixels: { type: 'number', default: 40, minimum: 1, maximum: 400, description: 'Bin larger frames down to this size before measuring (FWHM is scaled back)' },
    saturation: { type: 'number', default: 0.98, minimum: 0.05, maximum: 1, description: 'Fraction of full scale at which a star counts as saturated (integer data)' },
  },
  factsSchema,
  searchable: [
    { path: 'starCount', type: 'number', label: 'Stars' },
    { path: 'medianFwhmArcsec', type: 'number', label: 'FWHM', unit: 'arcsec' },
    { path: 'medianFwhm', type: 'number', label: 'FWHM', unit: 'px' },
    { path: 'medianHfr', type: 'number', label: 'HFR', unit: 'px' },
    { path: 'medianEccentricity', type: 'number', label: 'Eccentricity' },
    { path: 'backgroundAdu', type: 'number', label: 'Background', unit: 'ADU' },
    { path: 'noiseAdu', type: 'number', label: 'Noise', unit: 'ADU' },
    { path: 'shape', type: 'keyword', label: 'Star shape' },
  ],
  async run(ctx) {
    const s = ctx.settings as { detectionSigma: number; maxStars: number; maxMegapixels: number; saturation: number };
    const file = ctx.facts.file as Partial<FileFacts> | undefined;
    ctx.progress(0, 'reading pixels');
    const img = await ctx.readPixels({ maxPixels: Math.round(s.maxMegapixels * 1e6) });
    ctx.signal.throwIfAborted();
    if (img.width < 32 || img.height < 32) throw new AgentSkip(`the image is too small to measure stars (${img.width}×${img.height})`);
    const plane = luminance(img);
    const bitDepth = typeof file?.bitDepth === 'number' ? file.bitDepth : null;
    const integer = bitDepth !== null && bitDepth > 0;
    const q = analyzeStars(plane, {
      detectionSigma: s.detectionSigma,
      maxStars: s.maxStars,
      saturation: saturationLevel(plane.data, integer ? s.saturation : null),
      onProgress: (f) => ctx.progress(0.1 + 0.9 * f, 'measuring stars'),
      signal: ctx.signal,
    });
    const { scale, source } = pixelScale(ctx);
    // normalised 0..1 → the file's own units (ADU) for integer data
    const full = integer ? 2 ** Math.min(bitDepth!, 32) - 1 : null;
    const shape = q.measuredStars >= MIN_STARS_FOR_SHAPE && q.medianEccentricity !== null ? (q.medianEccentricity < ROUND_BELOW ? 'round' : q.medianEccentricity < TRAILED_FROM ? 'elongated' : 'trailed') : null;
    const facts: StarQualityFacts = {
      starCount: q.starCount,
      measuredStars: q.measuredStars,
      saturatedStars: q.saturatedStars,
      hotPixels: q.hotPixels,
      medianFwhm: round(q.medianFwhm, 3),
      medianHfr: round(q.medianHfr, 3),
      medianFwhmArcsec: scale !== null && q.medianFwhm !== null ? round(q.medianFwhm * scale, 3) : null,
      medianHfrArcsec: scale !== null && q.medianHfr !== null ? round(q.medianHfr * scale, 3) : null,
      medianEccentricity: round(q.medianEccentricity, 3),
      shape,
      pixelScaleArcsec: round(scale, 4),
      scaleSource: source,
      background: round(q.background, 7),
      noise: round(q.noise, 7),
      backgroundAdu: full !== null ? round(q.background * full, 2) : null,
      noiseAdu: full !== null ? round(q.noise * full, 3) : null,
      backgroundGradient: round(q.backgroundRange, 2),
      measuredOn: { width: plane.width, height: plane.height, pixelScale: plane.scale, linear: img.linear },
    };
    const warnings: string[] = [];
    if (!img.linear) warnings.push('the image is stretched (not linear): background and noise are display values, not sensor values');
    if (q.measuredStars < MIN_STARS_FOR_SHAPE) warnings.push(`only ${q.measuredStars} star(s) could be measured`);
    return { facts: facts as unknown as Facts, warnings };
  },
});
