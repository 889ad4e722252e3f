/**
 * What an unsolvable picture costs: star fields that match no sky (random stars, no catalog
 * star), searched blind as the agent would (no header), built-in and, when installed and
 * asked, solve-field. A library of exports, crops and phone shots must not keep a NAS busy:
 * the blind search is bounded by what the detected stars can support, in work done.
 * Prints, per field, the stars detected, the reason given, the solver's time and the
 * process CPU time it took.
 *
 * Usage: node --import tsx bench/giveUp.ts [--stars 30,60,120,300] [--limit 60] [--solve-field]
 */
import { renderStarField } from '../agents/lib/stars/testing/renderStarField.ts';
import { testCatalog, testCatalogPath } from '../agents/lib/stars/testing/testCatalog.ts';
import { wcsFromScaleRotation } from '../agents/lib/wcs/index.ts';
import { solveImage } from '../agents/platesolve/solveImage.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const counts = opt('--stars', '30,60,120,300').split(',').map(Number);
const limitMs = Number(opt('--limit', '60')) * 1000;
const cat = testCatalog();

console.log('| random stars | detected | reason | solver time (ms) | CPU (ms) |\n|---|---|---|---|---|');
for (const n of counts) {
  const wcs = wcsFromScaleRotation({ ra: 40, dec: -30, scaleArcsec: 3, rotationDeg: 0, parity: 'normal', width: 1200, height: 800 });
  // maxMag −5: no catalog star is drawn, only the random ones
  const f = renderStarField(cat, wcs, { maxMag: -5, extraStars: n, flux10: 500000, seed: n });
  const cpu0 = process.cpuUsage();
  const r = await solveImage({
    pixels: f.image, width: 1200, height: 800, format: 'png', catalogPath: testCatalogPath(), timeLimitMs: limitMs,
    solveField: args.includes('--solve-field'),
  });
  const cpu = process.cpuUsage(cpu0);
  console.log(`| ${n} | ${r.starsDetected} | ${r.solved ? '**solved (wrong)**' : r.unsolvedReason?.code} | ${r.durationMs} | ${Math.round((cpu.user + cpu.system) / 1000)} |`);
}
