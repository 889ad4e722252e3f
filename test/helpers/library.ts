/** Generates small but valid image files for engine tests and benchmarks. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fitsHdu } from '../../agents/lib/formats/test-writers.ts';

/** A tiny 16-bit FITS light frame; `seed` makes the content (and hash) unique. */
export function tinyFits(seed: number, options: { object?: string; exposure?: number; filter?: string; imagetyp?: string; size?: number } = {}): Uint8Array {
  const n = options.size ?? 16;
  const data = new Int16Array(n * n);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919 + seed * 104729) % 30000) - 15000;
  return fitsHdu({
    bitpix: 16,
    axes: [n, n],
    data,
    cards: [
      ['BZERO', 32768],
      ['IMAGETYP', options.imagetyp ?? 'Light Frame'],
      ['EXPTIME', options.exposure ?? 300],
      ['FILTER', options.filter ?? 'Ha'],
      ['OBJECT', options.object ?? 'M 31'],
      ['INSTRUME', 'ZWO ASI2600MM Pro'],
      ['DATE-OBS', `2024-10-01T22:${String(seed % 60).padStart(2, '0')}:00`],
      ['SEED', seed],
    ],
  });
}

export async function writeTinyFits(path: string, seed: number, options?: Parameters<typeof tinyFits>[1]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, tinyFits(seed, options));
}
