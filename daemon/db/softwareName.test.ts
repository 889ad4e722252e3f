import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softwareName } from './softwareName.ts';

test('software versions group under one product name', () => {
  const cases: [string, string][] = [
    ['N.I.N.A. 3.0.0.1234', 'N.I.N.A.'],
    ['N.I.N.A. 3.1', 'N.I.N.A.'],
    ['SharpCap 4.1.11012.0, 64 bit', 'SharpCap'],
    ['Sequence Generator Pro v4.2.0.1009', 'Sequence Generator Pro'],
    ['APT - Astro Photography Tool 4.20', 'APT - Astro Photography Tool'],
    ['PixInsight 1.8.9-2', 'PixInsight'],
    ['KStars 3.6.7 Stable', 'KStars'],
    ['Siril v1.2.0', 'Siril'],
    ['MaxIm DL Version 6.40', 'MaxIm DL'],
    ['N.I.N.A. 3.2.0.9001 (x64)', 'N.I.N.A.'],
    ['MaxIm DL Version 5.24 140126 0KJR5', 'MaxIm DL'],
    ['Astro Photography Tool - APT v.3.54.1', 'Astro Photography Tool - APT'],
    ['SharpCap', 'SharpCap'],
    ['ASIAIR', 'ASIAIR'],
    ['ZWO ASI2600MM Pro', 'ZWO ASI2600MM Pro'],
    ['3.1', '3.1'],
  ];
  for (const [input, name] of cases) assert.equal(softwareName(input), name, input);
});
