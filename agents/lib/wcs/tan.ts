/**
 * Gnomonic (TAN) projection between sky coordinates and FITS intermediate
 * world coordinates ("standard coordinates" ξ, η in degrees, ξ towards east,
 * η towards north). Formulas as in PLATESOLVE.md §3.3.
 */
const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;

/**
 * Projects (ra, dec) onto the plane tangent at (ra0, dec0). All angles in
 * degrees. Returns null for points 90° or more from the tangent point.
 * Writes into `out` when given (hot loops), else allocates.
 */
export function tanProject(
  ra0: number, dec0: number, ra: number, dec: number, out?: [number, number],
): [number, number] | null {
  const d0 = dec0 * D2R;
  const d = dec * D2R;
  const da = (ra - ra0) * D2R;
  const sd0 = Math.sin(d0), cd0 = Math.cos(d0), sd = Math.sin(d), cdd = Math.cos(d), cda = Math.cos(da);
  const cosc = sd0 * sd + cd0 * cdd * cda;
  if (!(cosc > 1e-9)) return null;
  const xi = (cdd * Math.sin(da)) / cosc;
  const eta = (cd0 * sd - sd0 * cdd * cda) / cosc;
  const r = out ?? [0, 0];
  r[0] = xi * R2D;
  r[1] = eta * R2D;
  return r;
}

/** Inverse of {@link tanProject}: standard coordinates (degrees) to (ra, dec) in degrees, ra in [0, 360). */
export function tanDeproject(ra0: number, dec0: number, xiDeg: number, etaDeg: number): [number, number] {
  const xi = xiDeg * D2R;
  const eta = etaDeg * D2R;
  const d0 = dec0 * D2R;
  const sd0 = Math.sin(d0), cd0 = Math.cos(d0);
  const den = cd0 - eta * sd0;
  let ra = ra0 + Math.atan2(xi, den) * R2D;
  ra = ((ra % 360) + 360) % 360;
  const dec = Math.atan2(sd0 + eta * cd0, Math.hypot(xi, den)) * R2D;
  return [ra, dec];
}

/** Great-circle distance between two sky positions, degrees (haversine: accurate at small separations). */
export function angularDistance(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const p1 = dec1 * D2R, p2 = dec2 * D2R;
  const dp = p2 - p1, dl = (ra2 - ra1) * D2R;
  const a = Math.sin(dp / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
  return 2 * Math.asin(Math.min(1, Math.sqrt(a))) * R2D;
}

/** Normalises an RA to [0, 360). */
export function normalizeRa(ra: number): number {
  const r = ra % 360;
  return r < 0 ? r + 360 : r;
}
