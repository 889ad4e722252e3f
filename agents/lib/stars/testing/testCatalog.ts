/**
 * The star catalog for tests and benchmarks: built once from the installed
 * Tycho-2 index into the OS temp dir (shared by all test files, keyed by the
 * index file's size and mtime) and loaded from there. CI installs the Debian
 * index packages; a missing index is an error, never a silent skip.
 */
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStarCatalog, findTycho2Index } from '../buildStarCatalog.ts';
import { encodeStarCatalog, loadStarCatalog, type StarCatalog } from '../starCatalog.ts';

export function requireTycho2Index(): string {
  const idx = findTycho2Index();
  if (!idx) {
    throw new Error(
      'Tycho-2 index not found (looked for /usr/share/astrometry/index-tycho2-07.littleendian.fits): ' +
        'apt-get install astrometry-data-tycho2-07-littleendian (CI installs it; these tests do not skip)',
    );
  }
  return idx;
}

/** Path of the shared test catalog file, building it when needed. */
export function testCatalogPath(): string {
  const idx = requireTycho2Index();
  const st = statSync(idx);
  const dir = join(tmpdir(), 'sidereal-test-catalog');
  const path = join(dir, `stars-${st.size}-${Math.round(st.mtimeMs)}.bin`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, encodeStarCatalog(buildStarCatalog({ tycho2Path: idx }).catalog));
    renameSync(tmp, path);
  }
  return path;
}

export function testCatalog(): StarCatalog {
  return loadStarCatalog(testCatalogPath());
}
