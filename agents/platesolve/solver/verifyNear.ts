/**
 * Checks a solution that is almost right for this frame — a sibling sub's,
 * dithered or drifted by some pixels, or turned by a meridian flip — without a
 * search: the offset between the image stars and the catalog stars the
 * solution predicts is found by voting (every image star × every nearby
 * predicted star votes for its offset; the true offset collects a vote from
 * most stars, a wrong one from a few), then the shifted solution is verified
 * like any other ({@link verifyWcs}), its false-alarm bound multiplied by the
 * number of offsets that were possible.
 */
import type { StarCatalog } from '../../lib/stars/starCatalog.ts';
import { pixelScaleArcsec, pixelToSky, skyToPixel, type Wcs } from '../../lib/wcs/index.ts';
import type { ImageStars } from './types.ts';
import { verifyWcs, type WcsCheck } from './verifyWcs.ts';

export interface NearOptions {
  /** largest shift searched, pixels (default 10 % of the image's longer side, at least 100) */
  maxShiftPx?: number;
  /** also try the solution turned by 180° about the image centre (a meridian flip); default true */
  meridianFlip?: boolean;
}

export interface NearCheck extends WcsCheck {
  /** the shift found (pixels, p₁/p₂), and whether the solution was turned by 180° */
  shift: [number, number] | null;
  turned: boolean;
}

/** the image stars used for voting (brightest first) */
const VOTE_STARS = 60;

export function verifyNear(cat: StarCatalog, stars: ImageStars, wcs: Wcs, options: NearOptions = {}): NearCheck {
  const maxShift = options.maxShiftPx ?? Math.max(100, 0.1 * Math.max(wcs.width, wcs.height));
  const cell = Math.max(3, 1.5 * (stars.fwhm ?? 2.5));
  const turns = options.meridianFlip === false ? [false] : [false, true];
  const bins = Math.ceil((2 * maxShift) / cell) + 1;
  // every offset bin of every orientation was a hypothesis
  const trials = turns.length * bins * bins;
  let last: NearCheck | null = null;
  for (const turned of turns) {
    const guess = turned ? turn180(wcs) : wcs;
    const shift = voteOffset(cat, stars, guess, maxShift, cell, bins);
    if (!shift) continue;
    const moved: Wcs = { ...guess, crpix: [guess.crpix[0] + shift[0], guess.crpix[1] + shift[1]] };
    const v = verifyWcs(cat, stars, moved, { trials });
    last = { ...v, shift, turned };
    if (v.ok) return last;
  }
  return last ?? {
    ok: false, refined: null, decisive: false, matched: 0, rmsArcsec: null, log10FalseAlarm: 0, shift: null, turned: false,
    reason: 'no common offset between the image stars and the predicted catalog stars',
  };
}

/** The same sky turned by 180° about the image centre (the pixel axes both reversed). */
function turn180(wcs: Wcs): Wcs {
  const centre: [number, number] = [(wcs.width + 1) / 2, (wcs.height + 1) / 2];
  const [ra, dec] = pixelToSky(wcs, centre[0], centre[1]);
  return { ...wcs, crval: [ra, dec], crpix: centre, cd: [-wcs.cd[0], -wcs.cd[1], -wcs.cd[2], -wcs.cd[3]], sip: null };
}

/** The most voted offset (image − predicted, pixels), or null when no offset stands out. */
function voteOffset(cat: StarCatalog, stars: ImageStars, wcs: Wcs, maxShift: number, cell: number, bins: number): [number, number] | null {
  const n = Math.min(stars.count, VOTE_STARS);
  if (n < 6) return null;
  const [a1, b1] = stars.region ? stars.region.p1 : [0.5, wcs.width + 0.5];
  const [a2, b2] = stars.region ? stars.region.p2 : [0.5, wcs.height + 0.5];
  // predicted catalog stars within reach of the searched part: a few times as many as image stars
  const c1 = (a1 + b1) / 2, c2 = (a2 + b2) / 2;
  const [ra, dec] = pixelToSky(wcs, c1, c2);
  const radiusDeg = ((Math.hypot(b1 - a1, b2 - a2) / 2 + maxShift * Math.SQRT2) * pixelScaleArcsec(wcs)) / 3600;
  const reach = ((b1 - a1 + 2 * maxShift) * (b2 - a2 + 2 * maxShift)) / ((b1 - a1) * (b2 - a2));
  const want = Math.min(1500, Math.ceil(3 * n * reach));
  const set = cat.query(ra, dec, radiusDeg, { maxStars: want * 2 });
  const px: number[] = [], py: number[] = [];
  for (let i = 0; i < set.count && px.length < want; i++) {
    const p = skyToPixel(wcs, set.ra[i], set.dec[i]);
    if (!p || p[0] < a1 - maxShift || p[0] > b1 + maxShift || p[1] < a2 - maxShift || p[1] > b2 + maxShift) continue;
    px.push(p[0]); py.push(p[1]);
  }
  if (px.length < 6) return null;
  const votes = new Uint16Array(bins * bins);
  const half = (bins - 1) / 2;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < px.length; j++) {
      const dx = stars.p1[i] - px[j], dy = stars.p2[i] - py[j];
      if (Math.abs(dx) > maxShift || Math.abs(dy) > maxShift) continue;
      const bx = Math.round(dx / cell + half), by = Math.round(dy / cell + half);
      votes[by * bins + bx]++;
    }
  }
  // the best 2 × 2 block (an offset on a bin edge splits its votes)
  let best = -1, bestAt = 0;
  for (let y = 0; y + 1 < bins; y++) {
    for (let x = 0; x + 1 < bins; x++) {
      const k = y * bins + x;
      const v = votes[k] + votes[k + 1] + votes[k + bins] + votes[k + bins + 1];
      if (v > best) { best = v; bestAt = k; }
    }
  }
  if (best < 5) return null;
  // the mean offset of the pairs in that block
  const bx0 = bestAt % bins, by0 = (bestAt - bx0) / bins;
  let sx = 0, sy = 0, m = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < px.length; j++) {
      const dx = stars.p1[i] - px[j], dy = stars.p2[i] - py[j];
      if (Math.abs(dx) > maxShift || Math.abs(dy) > maxShift) continue;
      const bx = Math.round(dx / cell + half), by = Math.round(dy / cell + half);
      if ((bx === bx0 || bx === bx0 + 1) && (by === by0 || by === by0 + 1)) { sx += dx; sy += dy; m++; }
    }
  }
  return m ? [sx / m, sy / m] : null;
}
