#!/usr/bin/env -S node --import tsx
/**
 * Builds the plate solver's star catalog file.
 * Usage: node --import tsx scripts/build-star-catalog.ts [output] [--tycho2 <index.fits>|--no-tycho2]
 * Default output: $SIDEREAL_DATA_DIR/catalog/stars.bin (SIDEREAL_DATA_DIR defaults to ./data).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildStarCatalog, findTycho2Index } from '../agents/lib/stars/buildStarCatalog.ts';
import { encodeStarCatalog } from '../agents/lib/stars/starCatalog.ts';
import { installedIndexes } from '../agents/platesolve/anindex/indexSet.ts';

const args = process.argv.slice(2);
let out: string | undefined;
let tycho2: string | null | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--tycho2') tycho2 = args[++i];
  else if (args[i] === '--no-tycho2') tycho2 = null;
  else if (args[i] === '-h' || args[i] === '--help') {
    console.log('usage: build-star-catalog.ts [output.bin] [--tycho2 <index.fits> | --no-tycho2]');
    process.exit(0);
  } else out = args[i];
}
out = resolve(out ?? join(process.env.SIDEREAL_DATA_DIR || './data', 'catalog', 'stars.bin'));
const t0 = Date.now();
const src = tycho2 === undefined ? findTycho2Index() : tycho2;
if (!src) console.warn('no Tycho-2 index found (apt-get install astrometry-data-tycho2-07-littleendian): Hipparcos stars only, wide fields only');
const { catalog, tycho2Stars, hipparcosAdded } = buildStarCatalog({ tycho2Path: src });
mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(tmp, encodeStarCatalog(catalog));
renameSync(tmp, out); // atomic: readers never see a half-written file
console.log(
  `${out}: ${catalog.size} stars (${tycho2Stars} Tycho-2 from ${src ?? 'none'}, ${hipparcosAdded} Hipparcos), ` +
    `sources ${catalog.meta.sources.join(', ')}, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
// The blind search and the search near hints also use the quads of the installed index files.
const indexes = installedIndexes();
console.log(indexes.length
  ? `index files for pattern search: ${indexes.map((i) => i.id).join(', ')} (quads ${Math.round(indexes[0].scaleLow / 60)}′–${Math.round(indexes[indexes.length - 1].scaleHigh / 60)}′)`
  : 'no astrometry.net index files: blind solving only for fields wider than ~4° (apt-get install astrometry-data-tycho2-08-littleendian … -10-19-littleendian)');
