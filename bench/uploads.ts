/**
 * Concurrent-upload benchmark (issue 4): full-size 6000×4000 16-bit FITS
 * light frames with pointing hints (rendered from the star catalog, so they
 * really solve), uploaded through the API to a real `sidereal serve` process.
 * Measures the time until one upload alone is fully enriched (every agent
 * done), then the same for 10 uploads at once.
 * Usage: node --import tsx bench/uploads.ts [count=10]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain JS helper
import { startTestPostgres } from '../scripts/test-postgres.mjs';
import { fitsHdu } from '../agents/lib/formats/test-writers.ts';
import { wcsFromScaleRotation } from '../agents/lib/wcs/index.ts';
import { renderStarField } from '../agents/lib/stars/testing/renderStarField.ts';
import { testCatalog } from '../agents/lib/stars/testing/testCatalog.ts';
import { spawnDaemon } from '../test/helpers/process.ts';

const COUNT = Number(process.argv[2] ?? 10);
const W = 6000;
const H = 4000;
// (RA, Dec) of real targets, so that objects and constellations are meaningful
const TARGETS: [string, number, number][] = [
  ['M 31', 10.68, 41.27], ['M 42', 83.82, -5.39], ['M 45', 56.75, 24.12], ['NGC 7000', 314.7, 44.5], ['M 33', 23.46, 30.66],
  ['M 51', 202.47, 47.2], ['M 8', 270.9, -24.38], ['NGC 3372', 161.26, -59.87], ['M 101', 210.8, 54.35], ['IC 1805', 38.2, 61.45], ['M 16', 274.7, -13.8],
];

async function makeFrame(dir: string, i: number): Promise<string> {
  const [object, ra, dec] = TARGETS[i % TARGETS.length]!;
  const scale = 1.85; // 3.76 µm at 420 mm
  const wcs = wcsFromScaleRotation({ ra, dec, scaleArcsec: scale, rotationDeg: 17 * i, parity: 'normal', width: W, height: H });
  const field = renderStarField(testCatalog(), wcs, { seed: i + 1, sky: 1500, gradient: 300, hotPixels: 300, extraStars: 400 });
  const plane = field.image.planes[0]!;
  const data = new Int16Array(plane.length);
  for (let k = 0; k < plane.length; k++) data[k] = Math.round(plane[k]! * 65535) - 32768;
  const path = join(dir, `Light_${object.replace(/\s/g, '')}_300s_L_${String(i).padStart(4, '0')}.fits`);
  await writeFile(
    path,
    fitsHdu({
      bitpix: 16,
      axes: [W, H],
      data,
      cards: [
        ['BZERO', 32768], ['IMAGETYP', 'LIGHT'], ['EXPTIME', 300], ['FILTER', 'L'], ['OBJECT', object], ['GAIN', 100], ['OFFSET', 50],
        ['CCD-TEMP', -10], ['XBINNING', 1], ['YBINNING', 1], ['INSTRUME', 'ZWO ASI2600MM Pro'], ['TELESCOP', 'Askar FRA400'],
        ['FOCALLEN', 420], ['XPIXSZ', 3.76], ['YPIXSZ', 3.76], ['RA', ra + 0.05], ['DEC', dec - 0.03], ['DATE-OBS', `2024-10-0${1 + (i % 9)}T22:00:00`],
        ['SWCREATE', 'N.I.N.A. 3.1'],
      ],
    }),
  );
  return path;
}

const server = await startTestPostgres();
const dir = await mkdtemp(join(tmpdir(), 'sidereal-bench-up-'));
process.stderr.write(`rendering ${COUNT + 1} frames of ${W}×${H}…\n`);
const files: string[] = [];
for (let i = 0; i <= COUNT; i++) files.push(await makeFrame(dir, i));

const env = {
  DATABASE_URL: server.url,
  SIDEREAL_DATA_DIR: join(dir, 'data'),
  SIDEREAL_WATCH_DIRS: '',
  PORT: '38471',
  HOST: '127.0.0.1',
  SIDEREAL_ADMIN_USER: 'bench',
  SIDEREAL_ADMIN_PASSWORD: 'bench-password-1',
  SIDEREAL_OFFLINE: 'true',
  SIDEREAL_POLL_SECONDS: '0.2',
  LOG_LEVEL: 'warn',
};
const daemon = spawnDaemon('serve', env);
const base = `http://127.0.0.1:${env.PORT}`;
for (let i = 0; ; i++) {
  const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false);
  if (ok) break;
  if (i > 600) throw new Error(`daemon did not start:\n${daemon.output()}`);
  await new Promise((r) => setTimeout(r, 100));
}
const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'bench-password-1' }) });
const { token } = (await login.json()) as { token: string };
const auth = { authorization: `Bearer ${token}` };

async function upload(path: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([await readFile(path)]), path.split('/').pop()!);
  const r = await fetch(`${base}/api/v1/images`, { method: 'POST', headers: auth, body: form });
  if (r.status !== 202) throw new Error(`upload ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { ids: string[] }).ids[0]!;
}

/** Resolves with the time (ms since `t0`) when every agent of the image has finished. */
async function enriched(id: string, t0: number): Promise<{ ms: number; solved: boolean; solver: string | null }> {
  for (;;) {
    const r = await fetch(`${base}/api/v1/images/${id}`, { headers: auth });
    if (r.status === 200) {
      const rec = (await r.json()) as { agents: { name: string; status: string }[]; astrometry: { solver: string } | null };
      const names = new Set(rec.agents.map((a) => a.name));
      if (['file', 'preview', 'platesolve', 'objects', 'integration', 'description'].every((n) => names.has(n)) && rec.agents.every((a) => a.status !== 'pending')) {
        return { ms: performance.now() - t0, solved: !!rec.astrometry, solver: rec.astrometry?.solver ?? null };
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// warm-up: worker threads, catalog, JIT
await enriched(await upload(files[0]!), performance.now());
const t1 = performance.now();
const single = await enriched(await upload(files[1]!), t1);
const t10 = performance.now();
const ids = await Promise.all(files.slice(1, 1 + COUNT).map((f) => upload(f)));
const uploadedMs = performance.now() - t10;
const results = await Promise.all(ids.map((id) => enriched(id, t10)));
const times = results.map((r) => r.ms).sort((a, b) => a - b);
const total = times.at(-1)!;
await daemon.stop();
await server.stop();
await rm(dir, { recursive: true, force: true });

const s = (ms: number) => (ms / 1000).toFixed(1);
console.log(`| case | result |\n|---|---|`);
console.log(`| one upload alone, until fully enriched | ${s(single.ms)} s (${single.solved ? `solved by ${single.solver}` : 'unsolved'}) |`);
console.log(`| ${COUNT} uploads at once: all bytes received | ${s(uploadedMs)} s |`);
console.log(`| ${COUNT} uploads at once: first / median / last fully enriched | ${s(times[0]!)} / ${s(times[Math.floor(times.length / 2)]!)} / ${s(total)} s |`);
console.log(`| ${COUNT} uploads at once: solved | ${results.filter((r) => r.solved).length} of ${COUNT} |`);
console.log(`| throughput at ${COUNT} at once | ${((COUNT / total) * 60000).toFixed(1)} frames/min (one alone: ${((1 / single.ms) * 60000).toFixed(1)} frames/min) |`);
console.log(`| slowdown of the median upload vs one alone | ×${(times[Math.floor(times.length / 2)]! / single.ms).toFixed(2)} |`);
