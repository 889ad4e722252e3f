/** The facts of the star-quality agent, and their JSON schema (the engine validates every result against it). */

export interface StarQualityFacts {
  starCount: number;
  measuredStars: number;
  saturatedStars: number;
  hotPixels: number;
  /** median FWHM of the measured stars, sensor pixels */
  medianFwhm: number | null;
  /** median half-flux radius, sensor pixels */
  medianHfr: number | null;
  medianFwhmArcsec: number | null;
  medianHfrArcsec: number | null;
  /** 0 = round; 0.5 ≈ 13 % longer than wide; 0.75 ≈ 50 % */
  medianEccentricity: number | null;
  shape: 'round' | 'elongated' | 'trailed' | null;
  pixelScaleArcsec: number | null;
  scaleSource: 'platesolve' | 'header' | null;
  /** background level and noise sigma, 0..1 of full scale (integer data) or as stored (float) */
  background: number | null;
  noise: number | null;
  /** the same in the file's units, for integer data */
  backgroundAdu: number | null;
  noiseAdu: number | null;
  /** largest corner-to-centre background difference, in noise sigmas */
  backgroundGradient: number | null;
  /** the plane the stars were measured on */
  measuredOn: { width: number; height: number; pixelScale: number; linear: boolean };
}

const num = { type: ['number', 'null'] };
const count = { type: 'integer', minimum: 0 };

export const factsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['starCount', 'measuredStars', 'medianFwhm', 'medianHfr', 'medianEccentricity', 'background', 'noise', 'shape'],
  properties: {
    starCount: count,
    measuredStars: count,
    saturatedStars: count,
    hotPixels: count,
    medianFwhm: { type: ['number', 'null'], minimum: 0 },
    medianHfr: { type: ['number', 'null'], minimum: 0 },
    medianFwhmArcsec: { type: ['number', 'null'], minimum: 0 },
    medianHfrArcsec: { type: ['number', 'null'], minimum: 0 },
    medianEccentricity: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    shape: { enum: ['round', 'elongated', 'trailed', null] },
    pixelScaleArcsec: num,
    scaleSource: { enum: ['platesolve', 'header', null] },
    background: num,
    noise: num,
    backgroundAdu: num,
    noiseAdu: num,
    backgroundGradient: num,
    measuredOn: {
      type: 'object',
      additionalProperties: false,
      required: ['width', 'height', 'pixelScale', 'linear'],
      properties: { width: count, height: count, pixelScale: { type: 'number' }, linear: { type: 'boolean' } },
    },
  },
} as const;
