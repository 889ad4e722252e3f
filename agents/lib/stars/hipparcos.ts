/**
 * Hipparcos stars from the d3-celestial package (GeoJSON points with
 * longitude −180…180 = RA, latitude = Dec, and `mag`). Used to fill the bright
 * stars missing from the Tycho-2 index, and alone as a fallback catalog for
 * wide fields when no Tycho-2 index is installed.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { StarList } from './starCatalog.ts';

/** Path of d3-celestial's `stars.<depth>.json`, or null when the package is not installed. */
export function d3StarsPath(depth: 6 | 8 | 14 = 14): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('d3-celestial/package.json');
    const p = join(dirname(pkg), 'data', `stars.${depth}.json`);
    return existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

interface Feature {
  properties?: { mag?: number | string };
  geometry?: { coordinates?: [number, number] };
}

export function readD3Stars(path: string): StarList {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { features?: Feature[] };
  const feats = (json.features ?? []).filter(
    (f) => Array.isArray(f.geometry?.coordinates) && Number.isFinite(Number(f.properties?.mag)),
  );
  const n = feats.length;
  const ra = new Float64Array(n), dec = new Float64Array(n), mag = new Float32Array(n);
  feats.forEach((f, i) => {
    const [lon, lat] = f.geometry!.coordinates!;
    ra[i] = lon < 0 ? lon + 360 : lon;
    dec[i] = lat;
    mag[i] = Number(f.properties!.mag);
  });
  return { ra, dec, mag };
}
