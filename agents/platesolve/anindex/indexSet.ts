/**
 * The installed astrometry.net index files the built-in solver can use:
 * all-sky files in the usual directories (Debian's `index-tycho2-NN`
 * packages, or `index-41NN.fits` / `index-42NN.fits` copied there). Opened
 * once per thread; the code trees load on first use (see {@link AnIndex}).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ASTROMETRY_INDEX_DIRS } from '../catalog/buildStarCatalog.ts';
import { AnIndex } from './anIndex.ts';

const NAME = /^index-(tycho2-\d\d\.littleendian|4[0-9]{3})\.fits$/;

const cache = new Map<string, AnIndex[]>();

/**
 * All usable all-sky index files in `dirs`, narrowest quads first. Files that
 * cannot be read (other layouts, big-endian, per-HEALPix tiles) are skipped.
 */
export function installedIndexes(dirs: readonly string[] = ASTROMETRY_INDEX_DIRS): AnIndex[] {
  const key = dirs.join('\u0000');
  let list = cache.get(key);
  if (list) return list;
  list = [];
  const seen = new Set<number>();
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    let names: string[];
    try {
      names = readdirSync(d).filter((n) => NAME.test(n)).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      try {
        const idx = AnIndex.open(join(d, n));
        if (seen.has(idx.id) || !idx.allSky) { idx.close(); continue; }
        seen.add(idx.id);
        list.push(idx);
      } catch {
        // not an index we can read: solve-field may still use it
      }
    }
  }
  list.sort((a, b) => a.scaleLow - b.scaleLow);
  cache.set(key, list);
  return list;
}
