/**
 * Plate-solving benchmark: the built-in solver and astrometry.net's
 * solve-field side by side, hinted and blind, on the test-data images and on
 * synthetic star fields (0.3°–20°) rendered from the catalog with a known WCS.
 * Both get the same detected stars (solve-field as an xylist). Prints markdown.
 * `--processed N` adds N processed pictures per field-size band (0.5–1°, 1–2°,
 * 2–5°, 5–10°, 10–20°): stretched, star-reduced, blurred, nebulae, colour
 * noise, palette PNG or JPEG, 256–1024 px (testing/processField.ts); results
 * are also given per band. `--realistic N` adds N pictures per band of the
 * realistic set (the same processing plus lens distortion, registration
 * borders, rotated-crop corners, halos and spikes, soft stars, vignetting,
 * gradients, a text signature and star colour; `realisticTestField`).
 * `--blind-only` leaves the hinted runs out; `--only SEED,...` runs only those fields.
 *
 * Usage: node --import tsx bench/platesolve.ts [--synthetic N] [--processed N] [--realistic N] [--limit SECONDS] [--no-real] [--no-solve-field] [--no-hinted]
 * Needs the Tycho-2 index packages (the catalog is built into the OS temp dir once).
 */
import { readFileSync } from 'node:fs';
import { describeFile, readPixels } from '../agents/lib/formats/index.ts';
import type { PixelImage } from '../agents/sdk/index.ts';
import type { HeaderCard } from '../agents/sdk/facts.ts';
import { solveImage, type SolveInput, type SolveOutput } from '../agents/platesolve/solveImage.ts';
import { solveFieldAvailable } from '../agents/platesolve/solveField.ts';
import { renderStarField, rng } from '../agents/lib/stars/testing/renderStarField.ts';
import { processedTestField, realisticTestField, type ProcessedTestField } from '../agents/platesolve/testing/processField.ts';
import { testCatalog, testCatalogPath } from '../agents/lib/stars/testing/testCatalog.ts';
import { angularDistance, describeWcs, tanDeproject, wcsFromScaleRotation, type Wcs } from '../agents/lib/wcs/index.ts';
import { HAS_CORPUS, TESTDATA } from '../agents/lib/formats/test-data.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const nSynthetic = opt('--synthetic', 40);
const nProcessed = opt('--processed', 0);
const nRealistic = opt('--realistic', 0);
const withHinted = !args.includes('--no-hinted') && !args.includes('--blind-only');
const onlySeeds = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1].split(',').map(Number)) : null;
/** also solve each field with a sibling frame's solution (the truth, dithered by ~10 px) as the only hint (built-in only) */
const withSibling = args.includes('--sibling');
const limitMs = opt('--limit', 30) * 1000;
const withReal = !args.includes('--no-real');
const withSolveField = !args.includes('--no-solve-field') && solveFieldAvailable();
const catalogPath = testCatalogPath();
const cat = testCatalog();

interface Truth { ra: number; dec: number; scale: number }
interface Item { wcs?: Wcs; name: string; pixels: PixelImage; cards: HeaderCard[]; width: number; height: number; format: string; truth: Truth | null; fovDeg: number | null }
interface Outcome { solved: boolean; wrong: boolean; ms: number; band: string; reason: string | null }
type Mode = 'hinted' | 'blind' | 'sibling';
type Solver = 'built-in' | 'solve-field';

const results = new Map<string, Outcome[]>();
const rows: string[] = [];

function judge(res: SolveOutput, truth: Truth | null): { solved: boolean; wrong: boolean } {
  if (!res.solved) return { solved: false, wrong: false };
  if (!truth) return { solved: true, wrong: false };
  const fov = Math.max(res.fieldWidthDeg!, res.fieldHeightDeg!);
  const off = angularDistance(res.ra!, res.dec!, truth.ra, truth.dec);
  const wrong = off > Math.max(1 / 60, 0.02 * fov) || Math.abs(res.pixelScaleArcsec! / truth.scale - 1) > 0.02;
  return { solved: true, wrong };
}

/** Solver time only: the chain's total minus star detection (the same stars feed both). */
function solverMs(res: SolveOutput): number {
  const det = res.attempts.find((a) => a.solver === 'detect')?.ms ?? 0;
  return Math.max(0, (res.durationMs ?? 0) - det);
}

async function runOne(item: Item, mode: Mode, solver: Solver, set: string): Promise<void> {
  if (mode === 'hinted' && (!item.truth || !withHinted)) return;
  if (mode === 'sibling' && (!item.truth || !item.wcs || !withSibling || solver !== 'built-in' || set === 'real')) return;
  const input: SolveInput = {
    pixels: item.pixels, cards: mode === 'blind' ? [] : item.cards, width: item.width, height: item.height, format: item.format,
    catalogPath, timeLimitMs: limitMs, solveField: solver === 'solve-field', builtIn: solver === 'built-in', verifyExisting: false,
  };
  if (mode === 'hinted') {
    // hint 0.3 field away and the scale 4 % off
    const t = item.truth!;
    const fov = item.fovDeg ?? (item.width * t.scale) / 3600;
    const [ra, dec] = tanDeproject(t.ra, t.dec, 0.3 * fov, -0.2 * fov);
    input.hints = { ra, dec, scaleArcsec: t.scale * 1.04 };
    // never let a header WCS answer: strip it
    input.cards = item.cards.filter((c) => !/^(CTYPE|CRVAL|CRPIX|CDELT|CROTA|CD\d|PC\d)/.test(c.key));
  }
  if (mode === 'sibling') {
    const t = item.truth!;
    const [ra, dec] = tanDeproject(t.ra, t.dec, (7 * t.scale) / 3600, (-7 * t.scale) / 3600);
    const d = describeWcs(item.wcs!);
    input.hints = { sibling: { ra, dec, scaleArcsec: t.scale * 1.001, rotationDeg: d.rotationDeg + 0.05, parity: d.parity } };
  }
  const res = await solveImage(input);
  const j = judge(res, item.truth);
  const ms = solverMs(res);
  const key = `${set}|${mode}|${solver}`;
  if (!results.has(key)) results.set(key, []);
  results.get(key)!.push({ ...j, ms, band: bandOf(item.fovDeg), reason: res.unsolvedReason?.code ?? null });
  rows.push(`| ${item.name} | ${mode} | ${solver} | ${j.solved ? (j.wrong ? '**WRONG**' : 'solved') : 'unsolved'} | ${ms} |`);
  process.stderr.write(`${item.name} ${mode} ${solver}: ${j.solved ? (j.wrong ? 'WRONG' : 'ok') : 'no'} ${ms} ms\n`);
}

const BANDS: [number, number][] = [[0, 0.5], [0.5, 1], [1, 2], [2, 5], [5, 10], [10, 20], [20, 360]];
function bandOf(fov: number | null): string {
  if (fov === null) return '?';
  const b = BANDS.find(([lo, hi]) => fov >= lo && fov < hi) ?? BANDS[BANDS.length - 1];
  return `${b[0]}–${b[1] === 360 ? '…' : b[1]}°`;
}

/** `perBand` test fields per band of field width, seed `base` + 100 × the band's lower edge (in 0.01°) + i. */
async function bandItems(
  set: string, base: number, perBand: number,
  make: (seed: number, lo: number, hi: number) => Promise<{ f: ProcessedTestField; what: string; wcs?: Wcs }>,
): Promise<Item[]> {
  const out: Item[] = [];
  for (const [lo, hi] of [[0.5, 1], [1, 2], [2, 5], [5, 10], [10, 20]]) {
    for (let i = 0; i < perBand; i++) {
      const seed = base + Math.round(lo * 100) * 100 + i;
      if (onlySeeds && !onlySeeds.has(seed)) continue;
      const { f, what, wcs } = await make(seed, lo, hi);
      out.push({
        wcs, name: `${set}-${seed} (${f.truth.fovDeg.toFixed(2)}°, ${f.width}×${f.height}, ${what})`, pixels: f.image, cards: [], width: f.width, height: f.height,
        format: f.format, truth: { ra: f.truth.ra, dec: f.truth.dec, scale: f.truth.scale }, fovDeg: f.truth.fovDeg,
      });
    }
  }
  return out;
}

const processedItems = (perBand: number): Promise<Item[]> => bandItems('processed', 7000, perBand, async (seed, lo, hi) => {
  const f = await processedTestField(cat, seed, lo, hi);
  const r = f.recipe;
  return { f, what: [r.output, r.stretch, r.nebula ? 'nebula' : '', r.starReduction ? 'star-reduced' : '', r.blur ? 'blurred' : ''].filter(Boolean).join(', ') };
});

const realisticItems = (perBand: number): Promise<Item[]> => bandItems('realistic', 9000, perBand, async (seed, lo, hi) => {
  const f = await realisticTestField(cat, seed, lo, hi);
  const r = f.recipe, t = f.traits, d = t.defects;
  const what = [r.output, r.nebula ? 'nebula' : '', r.starReduction ? 'star-reduced' : '', t.distortionPx ? `distortion ${t.distortionPx.toFixed(1)} px` : '',
    t.fwhm >= 4 ? `soft ${t.fwhm.toFixed(1)} px` : '', t.spikes ? 'spikes' : '', t.halos ? 'halos' : '', t.vignetting ? 'vignetting' : '', t.gradient ? 'gradient' : '',
    d.borders ? `${d.borders.length} border(s)` : '', d.cornerCut ? 'rotated crop' : '', d.text ? 'text' : ''].filter(Boolean).join(', ');
  return { f, what, wcs: f.wcs };
});

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
}

async function realItems(): Promise<Item[]> {
  if (!HAS_CORPUS) {
    console.error('SIDEREAL_TESTDATA is not set: the real-frame part of the benchmark is left out');
    return [];
  }
  const td = TESTDATA;
  const manifest = JSON.parse(readFileSync(td + 'manifest.json', 'utf8')) as { images: Record<string, any>[] };
  const out: Item[] = [];
  for (const e of manifest.images) {
    if (!e.solve_test) continue;
    const path = td + e.file;
    const d = await describeFile(path, { fileName: e.file.split('/').pop(), folderPath: '' });
    const pixels = await readPixels(path, { maxPixels: 12e6 });
    const a = e.astrometry_net_solution;
    const truth: Truth | null = e.ra_deg !== undefined ? { ra: e.ra_deg, dec: e.dec_deg, scale: e.pixel_scale_arcsec }
      : a ? { ra: a.ra_deg, dec: a.dec_deg, scale: a.pixel_scale_arcsec } : null;
    out.push({ name: e.file.split('/').pop(), pixels, cards: d.headers, width: d.width!, height: d.height!, format: d.format, truth, fovDeg: truth ? (Math.max(d.width!, d.height!) * truth.scale) / 3600 : null });
  }
  return out;
}

function syntheticItems(n: number): Item[] {
  const rand = rng(2024);
  const sizes: [number, number][] = [[1024, 768], [1600, 1200], [3000, 2000], [2400, 1600]];
  const out: Item[] = [];
  for (let i = 0; i < n; i++) {
    const [w, h] = sizes[Math.floor(rand() * sizes.length)];
    const fov = 0.3 * (20 / 0.3) ** rand(); // log-uniform 0.3°–20° (width)
    const scale = (fov * 3600) / w;
    const ra = rand() * 360, dec = (Math.asin(2 * rand() - 1) * 180) / Math.PI;
    const wcs = wcsFromScaleRotation({ ra, dec, scaleArcsec: scale, rotationDeg: rand() * 360, parity: rand() < 0.5 ? 'normal' : 'flipped', width: w, height: h });
    const eightBit = rand() < 0.25;
    const f = renderStarField(cat, wcs, {
      seed: i + 1, fwhm: 1.8 + 2 * rand(), gradient: 1000 * rand(), hotPixels: Math.floor(300 * rand()), extraStars: Math.floor(400 * rand()),
      eightBit, maxMag: 12.5, flux10: 5000 + 40000 * rand(),
    });
    const t = describeWcs(wcs);
    out.push({ wcs, name: `synthetic-${i + 1} (${fov.toFixed(2)}°${eightBit ? ', 8-bit' : ''})`, pixels: f.image, cards: [], width: w, height: h, format: 'fits', truth: { ra: t.ra, dec: t.dec, scale }, fovDeg: fov });
  }
  return out;
}

const solvers: Solver[] = withSolveField ? ['built-in', 'solve-field'] : ['built-in'];
const t0 = Date.now();
for (const [set, items] of [['real', withReal ? await realItems() : []], ['synthetic', syntheticItems(nSynthetic)], ['processed', await processedItems(nProcessed)], ['realistic', await realisticItems(nRealistic)]] as const) {
  for (const item of items) for (const mode of ['hinted', 'blind', 'sibling'] as Mode[]) for (const s of solvers) await runOne(item, mode, s, set);
}

console.log(`\n## Plate solving: built-in vs solve-field (${new Date().toISOString().slice(0, 10)}, ${Math.round((Date.now() - t0) / 1000)} s total, limit ${limitMs / 1000} s per solve)\n`);
console.log('| set | mode | solver | images | solved | wrong | median ms | p90 ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [key, list] of results) {
  const [set, mode, solver] = key.split('|');
  const solved = list.filter((o) => o.solved && !o.wrong);
  const times = solved.map((o) => o.ms);
  console.log(`| ${set} | ${mode} | ${solver} | ${list.length} | ${solved.length} (${Math.round((100 * solved.length) / list.length)} %) | ${list.filter((o) => o.wrong).length} | ${Number.isNaN(pct(times, 0.5)) ? '–' : pct(times, 0.5)} | ${Number.isNaN(pct(times, 0.9)) ? '–' : pct(times, 0.9)} |`);
}
console.log('\n### Per field-size band (synthetic, processed and realistic sets; field width)\n');
console.log('| set | mode | solver | band | images | solved | wrong | unsolved: reasons | median ms | p90 ms |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [key, list] of results) {
  const [set, mode, solver] = key.split('|');
  if (set === 'real') continue;
  for (const band of [...new Set(list.map((o) => o.band))].sort((a, b) => parseFloat(a) - parseFloat(b))) {
    const bl = list.filter((o) => o.band === band);
    const ok = bl.filter((o) => o.solved && !o.wrong);
    const reasons = new Map<string, number>();
    for (const o of bl) if (!o.solved && o.reason) reasons.set(o.reason, (reasons.get(o.reason) ?? 0) + 1);
    const times = ok.map((o) => o.ms);
    const allMs = bl.map((o) => o.ms);
    console.log(`| ${set} | ${mode} | ${solver} | ${band} | ${bl.length} | ${ok.length} (${Math.round((100 * ok.length) / bl.length)} %) | ${bl.filter((o) => o.wrong).length} | ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ') || '–'} | ${Number.isNaN(pct(times, 0.5)) ? '–' : pct(times, 0.5)} | ${Number.isNaN(pct(allMs, 0.9)) ? '–' : pct(allMs, 0.9)} |`);
  }
}
console.log('\nTimes are solver time only (after star detection, which both share), for solved images (per band: median of solved, p90 of all, unsolved included). "wrong" = accepted but centre off by more than max(1′, 2 % of the field) or scale by more than 2 %.');
if (args.includes('--rows')) {
  console.log('\n| image | mode | solver | result | ms |\n|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}
