/**
 * The installed astrometry.net index files the built-in solver can use, in
 * the usual directories and any configured ones: all-sky files (Debian's
 * `index-tycho2-NN` packages, `index-41NN.fits`) and series split by HEALPix
 * (`index-52NN-HH.fits`, `index-42NN-HH.fits`: one file per tile, each used
 * as an index of its own). Opened once per thread (headers only); the code
 * trees load on first use, quads and stars are read on demand (see
 * {@link AnIndex}), so large files cost little until a field needs them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ASTROMETRY_INDEX_DIRS } from '../../lib/stars/buildStarCatalog.ts';
import { AnIndex } from './anIndex.ts';

const NAME = /^index-[A-Za-z0-9._-]+\.fits$/;

const cache = new Map<string, AnIndex[]>();

/**
 * All usable index files in `dirs`, narrowest quads first. Files that cannot
 * be read (other layouts, big-endian) are skipped; the same index id and tile
 * found twice (two folders) is used once.
 */
export function installedIndexes(dirs: readonly string[] = ASTROMETRY_INDEX_DIRS): AnIndex[] {
  const key = dirs.join('\u0000');
  let list = cache.get(key);
  if (list) return list;
  list = [];
  const seen = new Set<string>();
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
        const key = `${idx.id}/${idx.healpix}/${idx.healpixNside}`;
        if (seen.has(key)) { idx.close(); continue; }
        seen.add(key);
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
