/** Paths of the shared test data (never copied into the repo) and its manifest. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TESTDATA = fileURLToPath(new URL('../../../shared/testdata/', import.meta.url));
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

export function manifest(): ManifestImage[] {
  return (JSON.parse(readFileSync(TESTDATA + 'manifest.json', 'utf8')) as { images: ManifestImage[] }).images;
}
