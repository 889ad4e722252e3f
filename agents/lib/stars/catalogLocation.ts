/**
 * Where the solver's star catalog lives and how it is obtained: the built
 * file (scripts/build-star-catalog.ts), else built in memory from an installed
 * Tycho-2 index, else the d3-celestial Hipparcos stars (wide fields only).
 * Its location comes from the agent's `starCatalog` setting (the host passes
 * its configuration, SIDEREAL_STAR_CATALOG); agents read no environment.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildHipparcosCatalog, buildStarCatalog, findTycho2Index } from './buildStarCatalog.ts';
import { loadStarCatalog, type StarCatalog } from './starCatalog.ts';

/** Where the catalog is when no location is given: `./data/catalog/stars.bin` (the default data folder). */
export function defaultStarCatalogPath(): string {
  return join('./data', 'catalog', 'stars.bin');
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
