/**
 * The real third-party test corpus (files written by other programs), named by
 * the SIDEREAL_TESTDATA environment variable and never copied into the repo,
 * and the project's own small fixtures.
 *
 * Tests that need the corpus pass `corpus` as their options:
 *   test('real FITS files …', corpus, async () => { … TESTDATA + 'fits-headers/x.fits' … })
 * When SIDEREAL_TESTDATA is unset they are skipped with CORPUS_SKIP as the
 * reason, and `npm test` (scripts/run-tests.mjs) prints one line counting them.
 * Everything else generates its own input (test-writers.ts, platesolve/testing).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Skip reason of corpus tests; scripts/run-tests.mjs counts skips that start with it. */
export const CORPUS_SKIP = 'needs the real-file corpus: set SIDEREAL_TESTDATA';

const dir = process.env.SIDEREAL_TESTDATA?.trim();
/** Whether the corpus is available to this run. */
export const HAS_CORPUS = Boolean(dir);
/** The corpus folder with a trailing slash ('' when unset: corpus tests are then skipped). */
export const TESTDATA = dir ? resolve(dir) + '/' : '';
/** Test options of a test that reads the corpus: skipped, with the reason, when it is absent. */
export const corpus: { skip: string | false } = { skip: HAS_CORPUS ? false : CORPUS_SKIP };
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface ManifestImage {
  id: string;
  file: string;
  format: string;
  width_px?: number;
  height_px?: number;
  bit_depth?: number;
  color?: string;
  fits_header?: Record<string, string | number>;
  [key: string]: unknown;
}

/** The corpus manifest's images ([] when the corpus is absent). */
export function manifest(): ManifestImage[] {
  if (!HAS_CORPUS) return [];
  return (JSON.parse(readFileSync(TESTDATA + 'manifest.json', 'utf8')) as { images: ManifestImage[] }).images;
}
