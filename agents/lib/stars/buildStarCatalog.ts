/**
 * Builds the solver's star catalog: the deepest installed Tycho-2 index
 * (Debian astrometry-data-tycho2-*) plus the Hipparcos stars (d3-celestial)
 * that Tycho-2 lacks — mostly the brightest stars, which the index omits.
 * Without any Tycho-2 index the result holds only the Hipparcos stars, which
 * is enough for wide fields (≳ 4–5°).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SkyCells } from './cells.ts';
import { readD3Stars, d3StarsPath } from './hipparcos.ts';
import { StarCatalog, type StarList } from './starCatalog.ts';
import { readTycho2Index } from './tycho2Index.ts';

/** Where Debian installs the index files. */
export const ASTROMETRY_INDEX_DIRS = ['/usr/share/astrometry', '/usr/local/share/astrometry', '/usr/local/astrometry/data'];

/** Deepest Tycho-2 index first (07 holds ~1.87 M stars; 08–19 are brighter subsets). */
export function findTycho2Index(dirs: string[] = ASTROMETRY_INDEX_DIRS): string | null {
  for (const nn of ['07', '08', '09', '10', '11', '12']) {
    for (const d of dirs) {
      for (const name of [`index-tycho2-${nn}.littleendian.fits`, `index-41${nn}.fits`]) {
        const p = join(d, name);
        if (existsSync(p)) return p;
      }
    }
  }
  return null;
}

export interface BuildOptions {
  /** Tycho-2 index file; default: {@link findTycho2Index}; null = none */
  tycho2Path?: string | null;
  /** d3-celestial stars file; default stars.14.json */
  hipparcosPath?: string | null;
  /** Hipparcos stars up to this magnitude are merged when Tycho-2 lacks them */
  mergeMaxMag?: number;
  /** match radius for "Tycho-2 has it", arcsec */
  matchRadiusArcsec?: number;
}

export interface BuildReport {
  catalog: StarCatalog;
  tycho2Stars: number;
  hipparcosAdded: number;
}

export function buildStarCatalog(options: BuildOptions = {}): BuildReport {
  const tycho2Path = options.tycho2Path === undefined ? findTycho2Index() : options.tycho2Path;
  const hipPath = options.hipparcosPath === undefined ? d3StarsPath(14) : options.hipparcosPath;
  const sources: string[] = [];
  const hip = hipPath ? readD3Stars(hipPath) : null;
  if (!tycho2Path) {
    if (!hip) throw new Error('no star source: neither a Tycho-2 index nor d3-celestial stars were found');
    return { catalog: StarCatalog.fromList(hip, ['hipparcos:d3-celestial']), tycho2Stars: 0, hipparcosAdded: hip.ra.length };
  }
  const tyc = readTycho2Index(tycho2Path);
  sources.push(`tycho2:index-${tyc.indexId}`);
  if (!hip) return { catalog: StarCatalog.fromList(tyc, sources), tycho2Stars: tyc.ra.length, hipparcosAdded: 0 };

  // Index Tycho-2 by cell to find Hipparcos stars without a counterpart.
  const tcat = StarCatalog.fromList(tyc, sources);
  const maxMag = options.mergeMaxMag ?? 8;
  const radius = (options.matchRadiusArcsec ?? 60) / 3600;
  const add: number[] = [];
  for (let i = 0; i < hip.ra.length; i++) {
    if (hip.mag[i] > maxMag) continue;
    const near = tcat.query(hip.ra[i], hip.dec[i], radius, { maxStars: 1 });
    if (near.count === 0) add.push(i);
  }
  const n = tyc.ra.length + add.length;
  const merged: StarList = { ra: new Float64Array(n), dec: new Float64Array(n), mag: new Float32Array(n) };
  merged.ra.set(tyc.ra); merged.dec.set(tyc.dec); merged.mag.set(tyc.mag);
  add.forEach((i, k) => {
    merged.ra[tyc.ra.length + k] = hip.ra[i];
    merged.dec[tyc.ra.length + k] = hip.dec[i];
    merged.mag[tyc.ra.length + k] = hip.mag[i];
  });
  sources.push('hipparcos:d3-celestial');
  return { catalog: StarCatalog.fromList(merged, sources), tycho2Stars: tyc.ra.length, hipparcosAdded: add.length };
}

/** Catalog of d3-celestial Hipparcos stars only (in memory; the fallback when no file was built). */
export function buildHipparcosCatalog(): StarCatalog | null {
  const p = d3StarsPath(14) ?? d3StarsPath(8);
  return p ? StarCatalog.fromList(readD3Stars(p), ['hipparcos:d3-celestial']) : null;
}

export { SkyCells };
