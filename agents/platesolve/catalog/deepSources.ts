/**
 * Deeper star catalogs the user placed in configured folders — ASTAP `.1476`/`.290`
 * databases and astrometry.net index series split by HEALPix (5200/4200) —
 * turned into a small in-memory {@link StarCatalog} around a position, so the
 * same hinted search and verification that use Tycho-2 can solve fields too
 * narrow for it.
 */
import { findAstapDatabases, queryAstap } from '../../lib/stars/astapDatabase.ts';
import { StarCatalog, type StarList } from '../../lib/stars/starCatalog.ts';
import { installedIndexes } from '../anindex/indexSet.ts';
import type { AnIndex } from '../anindex/anIndex.ts';

export interface DeepSources {
  /** folder of an ASTAP star database (`d50_0101.1476` …, or `h18_0101.290` …) */
  astapDir?: string | null;
  /** folders of astrometry.net index files (searched with the usual ones) */
  indexDirs?: readonly string[];
}

export interface LocalCatalog {
  catalog: StarCatalog;
  /** e.g. "ASTAP D50" or "astrometry.net index 5200" */
  label: string;
  /** areas/tiles of the query that are not installed (a partial download) */
  missingAreas: number;
}

/** The HEALPix-split index tiles (deep series) among the installed and configured index files. */
export function deepIndexTiles(dirs: readonly string[]): AnIndex[] {
  return installedIndexes(dirs).filter((i) => !i.allSky);
}

export function hasDeepSources(src: DeepSources | undefined, dirs: readonly string[]): boolean {
  return Boolean((src?.astapDir && findAstapDatabases(src.astapDir).length) || deepIndexTiles(dirs).length);
}

/**
 * The brightest `maxStars` stars of the deepest configured source within
 * `radius` degrees of (ra, dec), as a catalog; null when no deep source has
 * stars there.
 */
export function deepCatalogNear(
  src: DeepSources | undefined, dirs: readonly string[], ra: number, dec: number, radius: number, maxStars: number,
): LocalCatalog | null {
  const db = src?.astapDir ? findAstapDatabases(src.astapDir)[0] : undefined;
  if (db) {
    const list = queryAstap(db, ra, dec, radius, maxStars);
    if (list.ra.length > 0) {
      const name = db.name || 'astap';
      return { catalog: StarCatalog.fromList(list, [`astap:${name}`]), label: `ASTAP ${name.toUpperCase()}`, missingAreas: list.missing };
    }
  }
  const tiles = deepIndexTiles(dirs);
  if (tiles.length) {
    // The narrowest scale of the series holds the most stars; its tiles near the position.
    const id = Math.min(...tiles.map((t) => t.id));
    const near = tiles.filter((t) => t.id === id && t.mayHaveStarsNear(ra, dec, radius));
    const parts = near.map((t) => t.starsInCap(ra, dec, radius));
    const n = parts.reduce((a, p) => a + p.ra.length, 0);
    if (n > 0) {
      const all: StarList = { ra: new Float64Array(n), dec: new Float64Array(n), mag: new Float32Array(n) };
      let k = 0;
      for (const p of parts) { all.ra.set(p.ra, k); all.dec.set(p.dec, k); all.mag.set(p.mag, k); k += p.ra.length; }
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => all.mag[a] - all.mag[b]).slice(0, maxStars);
      const list: StarList = { ra: Float64Array.from(order, (i) => all.ra[i]), dec: Float64Array.from(order, (i) => all.dec[i]), mag: Float32Array.from(order, (i) => all.mag[i]) };
      return { catalog: StarCatalog.fromList(list, [`anindex:${id}`]), label: `astrometry.net index ${id}`, missingAreas: 0 };
    }
  }
  return null;
}
