/**
 * Small deep star catalogs for tests: a synthetic patch of sky much denser
 * than Tycho-2 (like Gaia to mag ~17), written as ASTAP `.1476` or `.290` tiles and as
 * astrometry.net index files split by HEALPix (5200-series layout, built with
 * Debian's `build-astrometry-index`), so narrow fields can be solved with them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tanDeproject, writeFitsTable } from '../../lib/wcs/index.ts';
import { astapArea, astapAreaName, encodeAstapArea, TILING_1476, type AstapTiling } from '../../lib/stars/astapDatabase.ts';
import type { StarList } from '../../lib/stars/starCatalog.ts';
import { rng } from '../../lib/stars/testing/renderStarField.ts';

/**
 * Random stars within `radiusDeg` of (ra0, dec0): `density` per deg² down to
 * `maxMag`, with counts growing ×2 per magnitude (a realistic luminosity function).
 */
export function syntheticDeepStars(ra0: number, dec0: number, radiusDeg: number, density: number, seed = 1, maxMag = 17): StarList {
  const r = rng(seed);
  const n = Math.round(density * Math.PI * radiusDeg * radiusDeg);
  const ra = new Float64Array(n), dec = new Float64Array(n), mag = new Float32Array(n);
  const minMag = 7;
  const span = 2 ** (maxMag - minMag) - 1;
  for (let i = 0; i < n; i++) {
    const rr = radiusDeg * Math.sqrt(r()), th = 2 * Math.PI * r();
    const [a, d] = tanDeproject(ra0, dec0, rr * Math.cos(th), rr * Math.sin(th));
    ra[i] = a; dec[i] = d;
    mag[i] = minMag + Math.log2(1 + r() * span);
  }
  return { ra, dec, mag };
}

/** Writes the stars as ASTAP area files `<prefix>_RRCC.1476` (or `.290`, by `tiling`) in `dir`; returns the file names. */
export function writeAstapTiles(dir: string, stars: StarList, prefix = 'd80', tiling: AstapTiling = TILING_1476): string[] {
  mkdirSync(dir, { recursive: true });
  const byArea = new Map<string, number[]>();
  for (let i = 0; i < stars.ra.length; i++) {
    const a = astapArea(stars.ra[i], stars.dec[i], tiling);
    const name = astapAreaName(a.ring, a.cell, tiling);
    let list = byArea.get(name);
    if (!list) byArea.set(name, (list = []));
    list.push(i);
  }
  const names: string[] = [];
  for (const [name, idx] of byArea) {
    const pick = (arr: Float64Array | Float32Array) => idx.map((i) => arr[i]);
    const list: StarList = { ra: Float64Array.from(pick(stars.ra)), dec: Float64Array.from(pick(stars.dec)), mag: Float32Array.from(pick(stars.mag)) };
    const file = `${prefix}_${name}`;
    writeFileSync(join(dir, file), encodeAstapArea(list, `Sidereal synthetic ${prefix}`));
    names.push(file);
  }
  return names;
}

/**
 * Builds astrometry.net index files for one HEALPix tile (nside 2, as the
 * 5200 series) from the stars with `build-astrometry-index`, one per preset
 * scale (`-P`): `index-52PP-HH.fits` in `dir`. Throws when the program is missing.
 */
export function buildIndexTiles(dir: string, stars: StarList, healpix: number, presets: number[]): string[] {
  mkdirSync(dir, { recursive: true });
  const cat = join(dir, 'stars.fits');
  writeFileSync(cat, writeFitsTable({ RA: stars.ra, DEC: stars.dec, MAG: stars.mag }));
  const out: string[] = [];
  for (const p of presets) {
    const name = `index-52${String(p).padStart(2, '0')}-${String(healpix).padStart(2, '0')}.fits`;
    execFileSync('build-astrometry-index', [
      '-i', cat, '-e', '1', '-o', join(dir, name), '-P', String(p), '-H', String(healpix), '-s', '2',
      '-S', 'MAG', '-I', String(5200 + p), '-A', 'RA', '-D', 'DEC', '-M',
    ], { stdio: 'ignore', timeout: 120_000 });
    out.push(name);
  }
  return out;
}
