/**
 * The small part of FITS WCS the sky library needs: a TAN (gnomonic)
 * projection with a CD matrix and optional SIP inverse polynomials, read from
 * the solution cards the `platesolve` agent stores. Pixel coordinates here are
 * FITS ones: 1-based, pixel centres at integers, p₂ counting stored rows.
 */

const DEG = Math.PI / 180;

export interface TanWcs {
  crval1: number;
  crval2: number;
  crpix1: number;
  crpix2: number;
  /** CD matrix, degrees per pixel: [[CD1_1, CD1_2], [CD2_1, CD2_2]] */
  cd: [[number, number], [number, number]];
  width: number;
  height: number;
  /** SIP inverse (sky → pixel) coefficients: AP_p_q and BP_p_q, keyed "p_q" */
  sipInverse: { ap: Map<string, number>; bp: Map<string, number> } | null;
}

function num(cards: Record<string, string | number>, key: string): number | null {
  const v = cards[key] ?? cards[key.toLowerCase()];
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'number' ? v : Number.parseFloat(String(v));
  return Number.isFinite(n) ? n : null;
}

function cdFromCards(cards: Record<string, string | number>): TanWcs['cd'] | null {
  const cd11 = num(cards, 'CD1_1'), cd12 = num(cards, 'CD1_2'), cd21 = num(cards, 'CD2_1'), cd22 = num(cards, 'CD2_2');
  if (cd11 !== null || cd22 !== null) return [[cd11 ?? 0, cd12 ?? 0], [cd21 ?? 0, cd22 ?? 0]];
  const cdelt1 = num(cards, 'CDELT1'), cdelt2 = num(cards, 'CDELT2');
  if (cdelt1 === null || cdelt2 === null) return null;
  const pc11 = num(cards, 'PC1_1'), pc12 = num(cards, 'PC1_2'), pc21 = num(cards, 'PC2_1'), pc22 = num(cards, 'PC2_2');
  if (pc11 !== null || pc12 !== null || pc21 !== null || pc22 !== null) {
    return [[cdelt1 * (pc11 ?? 1), cdelt1 * (pc12 ?? 0)], [cdelt2 * (pc21 ?? 0), cdelt2 * (pc22 ?? 1)]];
  }
  const rho = (num(cards, 'CROTA2') ?? 0) * DEG;
  return [
    [cdelt1 * Math.cos(rho), -cdelt2 * Math.sin(rho)],
    [cdelt1 * Math.sin(rho), cdelt2 * Math.cos(rho)],
  ];
}

/**
 * Reads a TAN solution from FITS cards (CRVAL, CRPIX, CD or PC/CDELT/CROTA,
 * IMAGEW/IMAGEH or NAXIS1/2, optional SIP AP/BP). Null when incomplete or degenerate.
 */
export function tanFromCards(cards: Record<string, string | number> | null | undefined, size?: { width?: number | null; height?: number | null }): TanWcs | null {
  if (!cards) return null;
  const crval1 = num(cards, 'CRVAL1'), crval2 = num(cards, 'CRVAL2');
  const crpix1 = num(cards, 'CRPIX1'), crpix2 = num(cards, 'CRPIX2');
  const cd = cdFromCards(cards);
  const width = num(cards, 'IMAGEW') ?? num(cards, 'NAXIS1') ?? size?.width ?? null;
  const height = num(cards, 'IMAGEH') ?? num(cards, 'NAXIS2') ?? size?.height ?? null;
  if (crval1 === null || crval2 === null || crpix1 === null || crpix2 === null || !cd || !width || !height) return null;
  const det = cd[0][0] * cd[1][1] - cd[0][1] * cd[1][0];
  if (!Number.isFinite(det) || det === 0) return null;
  const ctype1 = String(cards['CTYPE1'] ?? 'RA---TAN');
  if (!/TAN/.test(ctype1)) return null;
  let sipInverse: TanWcs['sipInverse'] = null;
  if (num(cards, 'AP_ORDER') !== null && num(cards, 'BP_ORDER') !== null) {
    const ap = new Map<string, number>(), bp = new Map<string, number>();
    for (const [k, v] of Object.entries(cards)) {
      const m = /^(AP|BP)_(\d+)_(\d+)$/i.exec(k);
      const n = typeof v === 'number' ? v : Number.parseFloat(String(v));
      if (m && Number.isFinite(n) && n !== 0) (m[1]!.toUpperCase() === 'AP' ? ap : bp).set(`${m[2]}_${m[3]}`, n);
    }
    sipInverse = { ap, bp };
  }
  return { crval1, crval2, crpix1, crpix2, cd, width, height, sipInverse };
}

function poly(coeffs: Map<string, number>, u: number, v: number): number {
  let s = 0;
  for (const [k, c] of coeffs) {
    const [p, q] = k.split('_').map(Number) as [number, number];
    s += c * u ** p * v ** q;
  }
  return s;
}

/** Sky (J2000 deg) → FITS pixel [p1, p2]; null when the point is on the far side of the tangent plane. */
export function skyToPixel(wcs: TanWcs, ra: number, dec: number): [number, number] | null {
  const a0 = wcs.crval1 * DEG, d0 = wcs.crval2 * DEG;
  const a = ra * DEG, d = dec * DEG;
  const cosc = Math.sin(d0) * Math.sin(d) + Math.cos(d0) * Math.cos(d) * Math.cos(a - a0);
  if (cosc <= 1e-6) return null;
  const xi = (Math.cos(d) * Math.sin(a - a0)) / cosc / DEG;
  const eta = (Math.cos(d0) * Math.sin(d) - Math.sin(d0) * Math.cos(d) * Math.cos(a - a0)) / cosc / DEG;
  const [[c11, c12], [c21, c22]] = wcs.cd;
  const det = c11 * c22 - c12 * c21;
  let u = (c22 * xi - c12 * eta) / det;
  let v = (-c21 * xi + c11 * eta) / det;
  if (wcs.sipInverse) {
    const du = poly(wcs.sipInverse.ap, u, v), dv = poly(wcs.sipInverse.bp, u, v);
    u += du;
    v += dv;
  }
  return [wcs.crpix1 + u, wcs.crpix2 + v];
}

/** FITS pixel → sky (J2000 deg), linear part only (no SIP forward terms). */
export function pixelToSky(wcs: TanWcs, p1: number, p2: number): [number, number] {
  const u = p1 - wcs.crpix1, v = p2 - wcs.crpix2;
  const xi = (wcs.cd[0][0] * u + wcs.cd[0][1] * v) * DEG;
  const eta = (wcs.cd[1][0] * u + wcs.cd[1][1] * v) * DEG;
  const a0 = wcs.crval1 * DEG, d0 = wcs.crval2 * DEG;
  const denom = Math.cos(d0) - eta * Math.sin(d0);
  const ra = a0 + Math.atan2(xi, denom);
  const dec = Math.atan2(Math.sin(d0) + eta * Math.cos(d0), Math.hypot(xi, denom));
  return [((ra / DEG) % 360 + 360) % 360, dec / DEG];
}

/** Mean pixel scale in degrees per pixel. */
export function pixelScaleDeg(wcs: TanWcs): number {
  const [[a, b], [c, d]] = wcs.cd;
  return Math.sqrt(Math.abs(a * d - b * c));
}
