/**
 * Checks a given WCS (from a header or an external solver) against the
 * detected stars: how many image stars sit on predicted catalog stars, and
 * whether that is far beyond chance. `decisive` says whether a failure means
 * much (enough catalog and image stars to expect matches).
 */
import { log10BinomialTail } from './falseAlarm.ts';
import { refineWcs } from './refine.ts';
import type { StarCatalog } from '../../lib/stars/starCatalog.ts';
import { searchedArea, type ImageStars } from './types.ts';
import { describeWcs, skyToPixel, type Wcs } from '../../lib/wcs/index.ts';

/** Number of catalog stars that fall inside the image under `wcs`. */
export function catalogStarsInImage(cat: StarCatalog, wcs: Wcs, max = 1000): number {
  const d = describeWcs(wcs);
  const set = cat.query(d.ra, d.dec, Math.hypot(d.fieldWidthDeg, d.fieldHeightDeg) / 2, { maxStars: max });
  let n = 0;
  for (let i = 0; i < set.count; i++) {
    const p = skyToPixel(wcs, set.ra[i], set.dec[i]);
    if (p && p[0] >= 0.5 && p[1] >= 0.5 && p[0] <= wcs.width + 0.5 && p[1] <= wcs.height + 0.5) n++;
  }
  return n;
}

export interface WcsCheck {
  ok: boolean;
  /** the WCS refitted on the matched stars (linear unless `sip` was allowed), when ok */
  refined: Wcs | null;
  decisive: boolean;
  matched: number;
  rmsArcsec: number | null;
  log10FalseAlarm: number;
  reason: string | null;
}

export interface VerifyOptions {
  /** refit SIP distortion when it helps (default: linear only) */
  sip?: boolean;
  /** how many solutions were tried to find this one: the false-alarm bound is multiplied by it */
  trials?: number;
}

/**
 * Accepts `wcs` when the image stars sit on predicted catalog stars far beyond chance: the
 * binomial false-alarm probability (× `trials`) below 10⁻⁶ with at least 6 matches. Stars
 * detected in a part of the image (`stars.region`) are checked against the catalog stars there.
 */
export function verifyWcs(cat: StarCatalog, stars: ImageStars, wcs: Wcs, options: VerifyOptions = {}): WcsCheck {
  // A header solution may be a few pixels off (other catalog, old epoch): match loosely, linear only.
  const fwhm = stars.fwhm ?? 2.5;
  const radius = Math.max(4, 2 * fwhm);
  const ref = refineWcs(cat, stars, { ...wcs, sip: null }, { noSip: !options.sip, radius });
  const n = Math.min(stars.count, 400);
  if (!ref) {
    const expected = catalogStarsInImage(cat, wcs);
    return {
      ok: false, refined: null, decisive: expected >= 10 && stars.count >= 20, matched: 0, rmsArcsec: null, log10FalseAlarm: 0,
      reason: `no catalog stars match the solution (${expected} expected in the field)`,
    };
  }
  const r = Math.max(1.5, 3 * ref.rmsPixels + 0.5);
  const p = Math.min(1, (Math.max(ref.catalogInImage, 1) * Math.PI * r * r) / searchedArea(stars));
  const lf = log10BinomialTail(ref.matches.length, n, p) + Math.log10(Math.max(1, options.trials ?? 1));
  const ok = lf < -6 && ref.matches.length >= 6;
  const decisive = !ok && ref.catalogInImage >= 10 && stars.count >= 20;
  return {
    ok, refined: ok ? ref.wcs : null, decisive, matched: ref.matches.length, rmsArcsec: ref.rmsArcsec, log10FalseAlarm: lf,
    reason: ok ? null : `only ${ref.matches.length} of ${ref.catalogInImage} catalog stars matched`,
  };
}
