// What the test suite needs beyond Node and `npm ci`, and how to get it.
// A test file declares a need with a comment line `// test-needs: NAME` (one
// or more names, comma-separated) among its first lines; scripts/run-tests.mjs
// runs it only when the need is met, and says what is missing and how to
// install it. Required needs (Chromium: README, "Development") fail the run
// when missing; optional ones (astrometry.net) skip their files with a line.
// Tests that read the real-file corpus skip themselves (agents/lib/formats/test-data.ts).
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, name)));
}

export const REQUIREMENTS = {
  chromium: {
    what: 'Chromium (browser tests)',
    install: 'apt-get install chromium (or set CHROMIUM_PATH to a Chromium binary)',
    required: true,
    met: async () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
  },
  'astrometry.net': {
    what: 'the astrometry.net programs solve-field and wcs-xy2rd (optional)',
    install: 'apt-get install astrometry.net',
    required: false,
    met: async () => onPath('solve-field') && onPath('wcs-xy2rd') && onPath('wcs-rd2xy'),
  },
  tycho2: {
    what: 'the astrometry.net Tycho-2 index (optional; the plate-solver tests build their star catalog from it)',
    install: 'apt-get install astrometry-data-tycho2-07-littleendian',
    required: false,
    met: async () => {
      const { findTycho2Index } = await tsImport('../agents/lib/stars/buildStarCatalog.ts', import.meta.url);
      return findTycho2Index() !== null;
    },
  },
};

/**
 * The needs a test file declares (`// test-needs: a, b` in its first 40
 * lines); a file that drives a browser (imports playwright-core) needs Chromium
 * without saying so.
 */
export function needsOf(file) {
  const text = readFileSync(file, 'utf8');
  const head = text.split('\n', 40);
  const out = /from ['"]playwright-core['"]/.test(text) ? ['chromium'] : [];
  for (const line of head) {
    const m = /^\s*\/\/\s*test-needs:\s*(.+)$/.exec(line);
    if (!m) continue;
    for (const n of m[1].split(',').map((s) => s.trim()).filter(Boolean)) {
      if (!REQUIREMENTS[n]) throw new Error(`${file}: unknown test-needs "${n}" (known: ${Object.keys(REQUIREMENTS).join(', ')})`);
      if (!out.includes(n)) out.push(n);
    }
  }
  return out;
}

/** Which requirements are met on this machine (checked once each). */
export async function checkRequirements(names) {
  const met = {};
  for (const n of new Set(names)) met[n] = await REQUIREMENTS[n].met();
  return met;
}
