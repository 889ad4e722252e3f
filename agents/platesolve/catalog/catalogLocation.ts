/**
 * Where the solver's star catalog lives and how it is obtained: the built
 * file (scripts/build-star-catalog.ts), else built in memory from an installed
 * Tycho-2 index, else the d3-celestial Hipparcos stars (wide fields only).
 * The one place that reads the catalog location from the environment.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildHipparcosCatalog, buildStarCatalog, findTycho2Index } from './buildStarCatalog.ts';
import { loadStarCatalog, type StarCatalog } from './starCatalog.ts';

/** `SIDEREAL_STAR_CATALOG`, else `${SIDEREAL_DATA_DIR:-./data}/catalog/stars.bin`. */
export function defaultStarCatalogPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SIDEREAL_STAR_CATALOG || join(env.SIDEREAL_DATA_DIR || './data', 'catalog', 'stars.bin');
}

export interface ResolvedCatalog {
  catalog: StarCatalog;
  /** how it was obtained, for warnings */
  origin: 'file' | 'tycho2-index' | 'hipparcos-fallback';
}

const memo = new Map<string, ResolvedCatalog | null>();

/** The catalog for `path` (cached per thread), or null when no star source exists at all. */
export function resolveStarCatalog(path: string = defaultStarCatalogPath()): ResolvedCatalog | null {
  if (memo.has(path)) return memo.get(path)!;
  let r: ResolvedCatalog | null = null;
  if (existsSync(path)) {
    r = { catalog: loadStarCatalog(path), origin: 'file' };
  } else {
    const idx = findTycho2Index();
    if (idx) r = { catalog: buildStarCatalog({ tycho2Path: idx }).catalog, origin: 'tycho2-index' };
    else {
      const hip = buildHipparcosCatalog();
      r = hip ? { catalog: hip, origin: 'hipparcos-fallback' } : null;
    }
  }
  memo.set(path, r);
  return r;
}
