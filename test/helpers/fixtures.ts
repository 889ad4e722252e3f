/**
 * Image files the engine and web tests make for themselves (no third-party
 * corpus needed): small FITS frames with stars, a header like a capture
 * program writes, and optionally a TAN WCS. Real-file compatibility is tested
 * against the corpus (SIDEREAL_TESTDATA) in agents/lib/formats and agents/platesolve.
 */
import { fitsHdu, type CardSpec } from '../../agents/lib/formats/test-writers.ts';
import { rng, renderStarField } from '../../agents/lib/stars/testing/renderStarField.ts';
import { testCatalog } from '../../agents/lib/stars/testing/testCatalog.ts';
import { wcsFromScaleRotation, wcsToCards } from '../../agents/lib/wcs/index.ts';

export interface FitsFixtureOptions {
  width?: number;
  height?: number;
  /** different seeds give different pixels (and so a different sha256) */
  seed?: number;
  /** random Gaussian stars (no catalog); default 60 */
  stars?: number;
  /** extra header cards (after the capture cards below) */
  cards?: CardSpec[];
  /** a TAN WCS in the header (north up) */
  wcs?: { ra: number; dec: number; scaleArcsec: number; rotationDeg?: number };
}

/** Header cards a capture program writes for a light frame. */
export const CAPTURE_CARDS: CardSpec[] = [
  ['IMAGETYP', 'Light Frame'],
  ['EXPTIME', 5],
  ['DATE-OBS', '2024-03-09T21:14:05.250'],
  ['FILTER', 'Blue'],
  ['INSTRUME', 'Test CCD'],
  ['OBJECT', 'M13'],
  ['XPIXSZ', 3.76],
  ['YPIXSZ', 3.76],
];

function u16Hdu(width: number, height: number, adu: Float32Array, cards: CardSpec[]): Uint8Array {
  const data = new Int16Array(width * height);
  // FITS stores the bottom row first, as our pixel arrays do
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(65535, Math.round(adu[i]!))) - 32768;
  return fitsHdu({ bitpix: 16, axes: [width, height], data, cards: [['BZERO', 32768], ['BSCALE', 1], ...cards] });
}

/** A 16-bit FITS light frame with random stars on a noisy sky. */
export function fitsFixture(options: FitsFixtureOptions = {}): Uint8Array {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const rand = rng(options.seed ?? 1);
  const adu = new Float32Array(width * height);
  for (let i = 0; i < adu.length; i++) adu[i] = 1000 + (rand() + rand() + rand() - 1.5) * 20;
  const sigma = 1.2;
  for (let s = 0; s < (options.stars ?? 60); s++) {
    const cx = 4 + rand() * (width - 8), cy = 4 + rand() * (height - 8);
    const peak = 500 + rand() * 30000;
    for (let y = Math.max(0, Math.floor(cy - 6)); y < Math.min(height, cy + 6); y++) {
      for (let x = Math.max(0, Math.floor(cx - 6)); x < Math.min(width, cx + 6); x++) {
        adu[y * width + x] += peak * Math.exp(-((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2) / (2 * sigma * sigma));
      }
    }
  }
  const cards: CardSpec[] = [...CAPTURE_CARDS, ...(options.cards ?? [])];
  if (options.wcs) cards.push(...wcsCards(width, height, options.wcs));
  return u16Hdu(width, height, adu, cards);
}

function wcsCards(width: number, height: number, w: NonNullable<FitsFixtureOptions['wcs']>): CardSpec[] {
  const wcs = wcsFromScaleRotation({ ...w, rotationDeg: w.rotationDeg ?? 0, parity: 'normal', width, height });
  return Object.entries(wcsToCards(wcs)).map(([k, v]) => [k, v] as CardSpec);
}

/**
 * A FITS frame of the real sky: the test star catalog (built from the
 * astrometry.net Tycho-2 index) rendered through a north-up TAN WCS that is
 * also written to the header, so a plate solver can verify it against the stars.
 */
export function skyFitsFixture(options: { ra: number; dec: number; scaleArcsec: number; width: number; height: number; seed?: number; cards?: CardSpec[] }): Uint8Array {
  const { width, height } = options;
  const wcs = wcsFromScaleRotation({ ra: options.ra, dec: options.dec, scaleArcsec: options.scaleArcsec, rotationDeg: 0, parity: 'normal', width, height });
  const field = renderStarField(testCatalog(), wcs, { seed: options.seed ?? 1, maxMag: 14, extraStars: 100 });
  const plane = field.image.planes[0]!;
  const adu = new Float32Array(plane.length);
  for (let i = 0; i < plane.length; i++) adu[i] = plane[i]! * 65535;
  const cards: CardSpec[] = [...CAPTURE_CARDS.filter((c) => c[0] !== 'OBJECT'), ...(options.cards ?? []), ...Object.entries(wcsToCards(wcs)).map(([k, v]) => [k, v] as CardSpec)];
  return u16Hdu(width, height, adu, cards);
}

