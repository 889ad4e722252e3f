/**
 * IAU 1976 (Lieske) precession between J2000.0 and another epoch. Accurate to
 * well under an arcsecond over a few centuries, which is all the constellation
 * boundaries (defined at B1875.0) need.
 */

const DEG = Math.PI / 180;
const ARCSEC = DEG / 3600;

/** Julian date of the Besselian epoch B1875.0. */
export const JD_B1875 = 2405889.258550475;
const JD_J2000 = 2451545.0;

type Matrix = [number, number, number, number, number, number, number, number, number];

/** Rotation matrix that takes J2000 mean equatorial vectors to the mean equator and equinox of `jd`. */
export function precessionMatrixFromJ2000(jd: number): Matrix {
  const t = (jd - JD_J2000) / 36525;
  // Lieske et al. 1977 with T0 = J2000: angles in arcseconds.
  const zeta = (2306.2181 * t + 0.30188 * t * t + 0.017998 * t * t * t) * ARCSEC;
  const z = (2306.2181 * t + 1.09468 * t * t + 0.018203 * t * t * t) * ARCSEC;
  const theta = (2004.3109 * t - 0.42665 * t * t - 0.041833 * t * t * t) * ARCSEC;
  const cz = Math.cos(zeta), sz = Math.sin(zeta);
  const cZ = Math.cos(z), sZ = Math.sin(z);
  const ct = Math.cos(theta), st = Math.sin(theta);
  return [
    cZ * ct * cz - sZ * sz, -cZ * ct * sz - sZ * cz, -cZ * st,
    sZ * ct * cz + cZ * sz, -sZ * ct * sz + cZ * cz, -sZ * st,
    st * cz, -st * sz, ct,
  ];
}

function apply(m: Matrix, ra: number, dec: number, transpose: boolean): [number, number] {
  const a = ra * DEG, d = dec * DEG;
  const x = Math.cos(d) * Math.cos(a), y = Math.cos(d) * Math.sin(a), zz = Math.sin(d);
  let X: number, Y: number, Z: number;
  if (!transpose) {
    X = m[0] * x + m[1] * y + m[2] * zz;
    Y = m[3] * x + m[4] * y + m[5] * zz;
    Z = m[6] * x + m[7] * y + m[8] * zz;
  } else {
    X = m[0] * x + m[3] * y + m[6] * zz;
    Y = m[1] * x + m[4] * y + m[7] * zz;
    Z = m[2] * x + m[5] * y + m[8] * zz;
  }
  let outRa = Math.atan2(Y, X) / DEG;
  if (outRa < 0) outRa += 360;
  const outDec = Math.asin(Math.max(-1, Math.min(1, Z))) / DEG;
  return [outRa, outDec];
}

const B1875_MATRIX = precessionMatrixFromJ2000(JD_B1875);

/** J2000 RA/Dec (degrees) → mean equator and equinox of B1875.0 (degrees, RA in [0, 360)). */
export function j2000ToB1875(ra: number, dec: number): [number, number] {
  return apply(B1875_MATRIX, ra, dec, false);
}

/** B1875.0 RA/Dec (degrees) → J2000 (degrees, RA in [0, 360)). */
export function b1875ToJ2000(ra: number, dec: number): [number, number] {
  return apply(B1875_MATRIX, ra, dec, true);
}

/** Besselian epoch (e.g. 1950) → Julian date. */
export function besselianEpochToJd(epoch: number): number {
  return 2415020.31352 + (epoch - 1900) * 365.242198781;
}

/** Precess J2000 RA/Dec to the mean equinox of `jd`, or back with `inverse`. */
export function precessJ2000(ra: number, dec: number, jd: number, inverse = false): [number, number] {
  return apply(precessionMatrixFromJ2000(jd), ra, dec, inverse);
}
