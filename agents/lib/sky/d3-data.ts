/**
 * Access to the data files of the npm package d3-celestial (BSD-3-Clause,
 * © 2015 Olaf Frohn): deep-sky objects, names, constellation boundaries.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Folder of the d3-celestial data files. */
export function d3CelestialDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('d3-celestial/package.json')), 'data');
}

/** Parses one d3-celestial data file (`dsos.20.json`, `constellations.bounds.json`, …). */
export function readD3Json<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(d3CelestialDataDir(), file), 'utf8')) as T;
}
