/**
 * A realistic night through the drop folder: N light subs of one target
 * (16-bit FITS, N.I.N.A.-style headers, star fields rendered from the star
 * catalog with a known WCS, so that they really solve), plus darks and flats.
 * The files are written first, then a `work` daemon starts and, once idle,
 * they are hard-linked into its watched folder at once (like a capture program
 * copying a night onto the NAS). Reports the wall time until every image is
 * enriched (processed and stitched) and the daemon process's CPU seconds
 * (/proc: all its threads) per sub and per file, with every agent and with
 * the `platesolve` agent disabled (agent_settings, as the admin page does).
 * Beside them, per pass: each agent's runs and mean wall time
 * (image_results.duration_ms, inflated on a loaded machine) and the CPU
 * seconds of the daemon's threads (main thread, agent and helper threads,
 * libvips), so that a change can be placed before it is profiled.
 *
 * Usage: node --import tsx bench/night.ts [--subs 200] [--darks 20] [--flats 20]
 *        [--size 6000x4000] [--dithers 4] [--only all|nosolve] [--workers 2] [--timeout 7200]
 *        [--cpu-prof DIR]
 * `--cpu-prof DIR` writes V8 CPU profiles of the daemon and of each of its
 * threads (node --cpu-prof) into DIR/<pass>/ (read them with
 * `node --import tsx bench/cpuProfile.ts DIR/<pass>`).
 * Rendering a 24 MP field takes seconds: `--dithers` distinct pointings are
 * rendered and the subs cycle through them (each file has its own header and
 * date, so its own bytes). Needs the Tycho-2 index packages (the catalog is
 * built into the OS temp dir once). Prints markdown and a JSON line.
 */
import { linkSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { createBenchDatabase } from './benchDatabase.ts';
// @ts-expect-error plain JS helper
import { startTestPostgres } from '../scripts/test-postgres.mjs';
import { createDatabasePool } from '../daemon/db/pool.ts';
import { testEnv } from '../test/helpers/daemon.ts';
import { spawnDaemon } from '../test/helpers/process.ts';
import { fitsHdu } from '../agents/lib/formats/test-writers.ts';
import { renderStarField, rng } from '../agents/lib/stars/testing/renderStarField.ts';
import { testCatalog, testCatalogPath } from '../agents/lib/stars/testing/testCatalog.ts';
import { wcsFromScaleRotation } from '../agents/lib/wcs/index.ts';

export interface NightOptions {
  subs: number;
  darks: number;
  flats: number;
  width: number;
  height: number;
  dithers: number;
  /** which passes: every agent, platesolve disabled */
  passes: ('all' | 'nosolve')[];
  workers: number;
  /** give up (with the daemon's last output) when a pass has not finished after this many seconds */
  timeoutSeconds: number;
  /** write V8 CPU profiles of the daemon and its threads (node --cpu-prof) into this folder */
  cpuProfDir?: string;
  log?: (line: string) => void;
}

/** One agent's runs in a pass: how many, and their summed wall time (image_results.duration_ms). */
export interface AgentTime {
  agent: string;
  runs: number;
  seconds: number;
}

/** CPU seconds of the daemon's threads during a pass, grouped by thread name (/proc/<pid>/task/<tid>/comm). */
export interface ThreadCpu {
  thread: string;
  threads: number;
  cpuSeconds: number;
}

export interface PassResult {
  pass: 'all' | 'nosolve';
  files: number;
  subs: number;
  wallSeconds: number;
  cpuSeconds: number;
  cpuPerSub: number;
  cpuPerFile: number;
  solved: number;
  failed: { agent: string; n: number }[];
  agents: AgentTime[];
  threads: ThreadCpu[];
}

// M 31 with a 530 mm refractor and a 3.76 µm sensor: 1.46″/px, 2.4° × 1.6° for 6000 × 4000
const TARGET = { name: 'M 31', ra: 10.6847, dec: 41.2690 };
const PIXEL_UM = 3.76;
const FOCAL_MM = 530;
const SCALE = (206.265 * PIXEL_UM) / FOCAL_MM;

function sexagesimal(v: number, sign: boolean): string {
  const s = v < 0 ? '-' : sign ? '+' : '';
  const a = Math.abs(v);
  const d = Math.floor(a), m = Math.floor((a - d) * 60), sec = ((a - d) * 60 - m) * 60;
  return `${s}${String(d).padStart(2, '0')} ${String(m).padStart(2, '0')} ${sec.toFixed(2).padStart(5, '0')}`;
}

/** N.I.N.A.'s header for one frame (the cards a real N.I.N.A. FITS carries). */
function ninaCards(type: 'LIGHT' | 'DARK' | 'FLAT', i: number, pointing: { ra: number; dec: number }): [string, string | number | boolean][] {
  const t = new Date(Date.UTC(2026, 9, 14, 20, 0, 0) + i * 185_000);
  const exposure = type === 'FLAT' ? 1.2 : 180;
  const cards: [string, string | number | boolean][] = [
    ['BZERO', 32768], ['BSCALE', 1], ['EXTEND', true],
    ['IMAGETYP', type], ['EXPOSURE', exposure], ['EXPTIME', exposure],
    ['DATE-LOC', t.toISOString().slice(0, 23)], ['DATE-OBS', t.toISOString().slice(0, 23)],
    ['XBINNING', 1], ['YBINNING', 1], ['GAIN', 100], ['OFFSET', 50], ['EGAIN', 0.25],
    ['XPIXSZ', PIXEL_UM], ['YPIXSZ', PIXEL_UM], ['INSTRUME', 'ZWO ASI2600MM Pro'], ['SET-TEMP', -10], ['CCD-TEMP', -10],
    ['READOUTM', 'Normal'], ['USBLIMIT', 40],
    ['TELESCOP', 'Esprit 100ED'], ['FOCALLEN', FOCAL_MM], ['FOCRATIO', 5.3],
    ['FILTER', type === 'DARK' ? 'Dark' : 'L'],
    ['SITEELEV', 320], ['SITELAT', 47.37], ['SITELONG', 8.54],
    ['ROWORDER', 'TOP-DOWN'], ['EQUINOX', 2000], ['SWCREATE', 'N.I.N.A. 3.1.2.9001 (x64)'],
  ];
  if (type === 'LIGHT') {
    cards.push(['OBJECT', TARGET.name], ['RA', pointing.ra], ['DEC', pointing.dec], ['OBJCTRA', sexagesimal(pointing.ra / 15, false)], ['OBJCTDEC', sexagesimal(pointing.dec, true)], ['CENTALT', 62.5], ['PIERSIDE', 'West']);
  }
  return cards;
}

/** 16-bit stored values (BZERO 32768) of a 0..1 plane, rows written top-down (ROWORDER). */
function stored(plane: Float32Array, w: number, h: number, bottomUp: boolean): Int16Array {
  const out = new Int16Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (bottomUp ? h - 1 - y : y) * w;
    for (let x = 0; x < w; x++) out[y * w + x] = Math.max(0, Math.min(65535, Math.round(plane[src + x]! * 65535))) - 32768;
  }
  return out;
}

/** Writes the night's files into `dir` (lights in LIGHT/, darks and flats beside). */
export function writeNight(dir: string, o: NightOptions): void {
  const cat = testCatalog();
  const { width: w, height: h } = o;
  const pointings: { ra: number; dec: number; data: Int16Array }[] = [];
  for (let d = 0; d < Math.min(o.dithers, o.subs); d++) {
    const rand = rng(100 + d);
    // dithers of a few tens of pixels around the target
    const ra = TARGET.ra + ((rand() - 0.5) * 60 * SCALE) / 3600 / Math.cos((TARGET.dec * Math.PI) / 180);
    const dec = TARGET.dec + ((rand() - 0.5) * 60 * SCALE) / 3600;
    const wcs = wcsFromScaleRotation({ ra, dec, scaleArcsec: SCALE, rotationDeg: 87.3, parity: 'normal', width: w, height: h });
    const field = renderStarField(cat, wcs, { seed: d + 1, fwhm: 2.8, sky: 1200, gradient: 150, maxMag: 12.5 });
    pointings.push({ ra, dec, data: stored(field.image.planes[0]!, w, h, true) });
    o.log?.(`  rendered pointing ${d + 1}/${Math.min(o.dithers, o.subs)}`);
  }
  const write = (rel: string, data: Int16Array, cards: [string, string | number | boolean][]) => {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, fitsHdu({ bitpix: 16, axes: [w, h], rawData: bigEndian(data), cards }));
  };
  for (let i = 0; i < o.subs; i++) {
    const p = pointings[i % pointings.length]!;
    write(`2026-10-14/M 31/LIGHT/M 31_2026-10-14_${String(i + 1).padStart(4, '0')}_180.00s_L.fits`, p.data, ninaCards('LIGHT', i, p));
  }
  const calib = (type: 'DARK' | 'FLAT', n: number) => {
    const rand = rng(type === 'DARK' ? 7 : 8);
    const base = new Int16Array(w * h);
    for (let k = 0; k < n; k++) {
      const level = type === 'DARK' ? 800 : 26000;
      for (let j = 0; j < base.length; j++) base[j] = level + Math.floor(rand() * 40) - 32768;
      write(`2026-10-14/${type}/${type}_2026-10-14_${String(k + 1).padStart(4, '0')}.fits`, base, ninaCards(type, k, TARGET));
    }
  };
  calib('DARK', o.darks);
  calib('FLAT', o.flats);
}

function bigEndian(data: Int16Array): Uint8Array {
  const out = new Uint8Array(data.length * 2);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) dv.setInt16(i * 2, data[i]!);
  return out;
}

/** user + system CPU seconds of a process (all its threads), from /proc. */
function cpuSeconds(pid: number): number {
  // fields 14 and 15 of stat (utime, stime), in clock ticks (USER_HZ = 100 on Linux)
  return statCpu(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

function statCpu(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** CPU seconds of each live thread of a process, by thread id, with the thread's name. */
function threadCpu(pid: number): Map<string, { name: string; cpu: number }> {
  const out = new Map<string, { name: string; cpu: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      // Node names its own threads "node": the main thread is told apart by its id (= the pid)
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const name = tid === String(pid) ? 'main (event loop)' : comm === 'node' ? 'node (agent threads, V8 and libuv helpers)' : comm;
      out.set(tid, { name, cpu: statCpu(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')) });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** CPU each thread name used between two samples (threads that ended in between are not counted). */
function threadDelta(before: Map<string, { name: string; cpu: number }>, after: Map<string, { name: string; cpu: number }>): ThreadCpu[] {
  const by = new Map<string, ThreadCpu>();
  for (const [tid, t] of after) {
    const d = t.cpu - (before.get(tid)?.cpu ?? 0);
    const g = by.get(t.name) ?? { thread: t.name, threads: 0, cpuSeconds: 0 };
    g.threads++;
    g.cpuSeconds += d;
    by.set(t.name, g);
  }
  return [...by.values()].filter((g) => g.cpuSeconds > 0).sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

const N_ROW = z.object({ n: z.number() });

async function runPass(serverUrl: string, night: string, pass: 'all' | 'nosolve', o: NightOptions): Promise<PassResult> {
  const name = `night_${pass}_${Date.now()}`;
  const url = await createBenchDatabase(serverUrl, name);
  const pool = await createDatabasePool(url);
  const off = pass === 'nosolve' ? ['platesolve', 'description'] : ['description'];
  for (const a of off) await pool.query(sql.unsafe`insert into agent_settings (agent, enabled) values (${a}, false)`);
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-night-'));
  const library = join(dir, 'library');
  mkdirSync(library, { recursive: true });
  const db = { url, pool, drop: async () => {} };
  const prof = o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${join(o.cpuProfDir, pass)}`] : [];
  const daemon = spawnDaemon('work', testEnv(dir, db, { SIDEREAL_HOST_ID: `night-${pass}`, SIDEREAL_WORKERS: String(o.workers), SIDEREAL_STAR_CATALOG: testCatalogPath(), SIDEREAL_RECONCILE_SECONDS: '30', LOG_LEVEL: process.env.NIGHT_DAEMON_LOG ?? 'error' }), prof);
  try {
    // the daemon has started when its CPU stops moving (migrations checked, agents loaded)
    let last = -1;
    for (let i = 0; i < 120; i++) {
      await new Promise((r) => setTimeout(r, 500));
      if (daemon.child.exitCode !== null) throw new Error(`the daemon exited: ${daemon.output()}`);
      const now = cpuSeconds(daemon.child.pid!);
      if (i >= 4 && now - last < 0.02) break;
      last = now;
    }
    const list = files(night);
    const total = list.length;
    // the night's folders exist before the files arrive (a watcher that meets a new folder and its
    // first files at once may miss some: the daemon's periodic rescan, set short here, is the backstop)
    for (const rel of list) mkdirSync(join(library, rel, '..'), { recursive: true });
    await new Promise((r) => setTimeout(r, 1000));
    const cpu0 = cpuSeconds(daemon.child.pid!);
    const threads0 = threadCpu(daemon.child.pid!);
    const t0 = performance.now();
    for (const rel of list) linkSync(join(night, rel), join(library, rel));
    let shown = -1;
    for (;;) {
      if (daemon.child.exitCode !== null) throw new Error(`the daemon exited: ${daemon.output()}`);
      const stitched = await pool.oneFirst(sql.type(N_ROW)`select count(*)::int as n from images`);
      const settled = await pool.oneFirst(sql.type(N_ROW)`
        select count(*)::int as n from images_unprocessed
        where image_state(next_update_at, lease_owner, last_error, generation, processed_generation) in ('done', 'waiting', 'failed')`);
      if (settled !== shown && settled % 10 === 0) {
        const seen = await pool.oneFirst(sql.type(N_ROW)`select count(*)::int as n from images_unprocessed`);
        o.log?.(`  ${pass}: ${settled}/${total} enriched (${seen} seen) after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }
      shown = settled;
      if (stitched === total && settled === total) break;
      if (performance.now() - t0 > o.timeoutSeconds * 1000) throw new Error(`${pass}: ${settled}/${total} enriched after ${o.timeoutSeconds} s; the daemon's last output:\n${daemon.output().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(daemon.child.pid!) - cpu0;
    const threads = threadDelta(threads0, threadCpu(daemon.child.pid!));
    const agents = await pool.any(sql.type(z.object({ agent: z.string(), runs: z.number(), seconds: z.number() }))`
      select agent, count(*)::int as runs, (coalesce(sum(duration_ms), 0) / 1000.0)::float8 as seconds from image_results group by agent order by agent`);
    const solved = await pool.oneFirst(sql.type(N_ROW)`select count(*)::int as n from image_results where agent = 'platesolve' and status = 'done' and (facts->>'solved')::boolean`);
    const failed = await pool.any(sql.type(z.object({ agent: z.string(), n: z.number() }))`select agent, count(*)::int as n from image_results where status = 'failed' group by agent order by agent`);
    return { pass, files: total, subs: o.subs, wallSeconds, cpuSeconds: cpu, cpuPerSub: cpu / Math.max(1, o.subs), cpuPerFile: cpu / total, solved, failed: [...failed], agents: [...agents], threads };
  } finally {
    await daemon.stop();
    await pool.end();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes the night once, then runs each pass on a fresh database and data folder. */
export async function runNight(o: NightOptions): Promise<PassResult[]> {
  const server = await startTestPostgres();
  const night = await mkdtemp(join(tmpdir(), 'sidereal-night-files-'));
  try {
    writeNight(night, o);
    const out: PassResult[] = [];
    for (const pass of o.passes) out.push(await runPass(server.url, night, pass, o));
    return out;
  } finally {
    await rm(night, { recursive: true, force: true });
    await server.stop();
  }
}

export function table(results: PassResult[], o: NightOptions): string {
  const rows = [
    `${o.subs} subs ${o.width}×${o.height} + ${o.darks} darks + ${o.flats} flats, ${o.workers} agent threads`,
    '',
    '| pass | files | wall (s) | CPU (s) | CPU-s per sub | CPU-s per file | solved | failed results |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.pass === 'all' ? 'every agent' : 'platesolve disabled'} | ${r.files} | ${r.wallSeconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${r.cpuPerSub.toFixed(2)} | ${r.cpuPerFile.toFixed(2)} | ${r.pass === 'all' ? `${r.solved}/${r.subs}` : '—'} | ${r.failed.map((f) => `${f.agent} ${f.n}`).join(', ') || '0'} |`),
  ];
  const all = results.find((r) => r.pass === 'all'), none = results.find((r) => r.pass === 'nosolve');
  if (all && none) rows.push('', `CPU with plate solving / without: ${(all.cpuSeconds / none.cpuSeconds).toFixed(2)}×`);
  for (const r of results) {
    rows.push('', `${r.pass === 'all' ? 'every agent' : 'platesolve disabled'}: agent wall time (image_results.duration_ms) and CPU by thread`, '');
    rows.push('| agent | runs | wall s per run |', '|---|---|---|', ...r.agents.map((a) => `| ${a.agent} | ${a.runs} | ${(a.seconds / Math.max(1, a.runs)).toFixed(3)} |`));
    rows.push('', '| thread | threads | CPU s | CPU-s per sub |', '|---|---|---|---|', ...r.threads.map((t) => `| ${t.thread} | ${t.threads} | ${t.cpuSeconds.toFixed(1)} | ${(t.cpuSeconds / Math.max(1, r.subs)).toFixed(3)} |`));
  }
  return rows.join('\n');
}

export function parseArgs(args: string[]): NightOptions {
  const opt = (name: string, def: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
  };
  const [width, height] = opt('--size', '6000x4000').split('x').map(Number) as [number, number];
  const only = opt('--only', '');
  const o: NightOptions = {
    subs: Number(opt('--subs', '200')), darks: Number(opt('--darks', '20')), flats: Number(opt('--flats', '20')),
    width, height, dithers: Number(opt('--dithers', '4')), workers: Number(opt('--workers', '2')), timeoutSeconds: Number(opt('--timeout', '7200')),
    passes: only === 'all' || only === 'nosolve' ? [only] : ['nosolve', 'all'],
    ...(opt('--cpu-prof', '') ? { cpuProfDir: opt('--cpu-prof', '') } : {}),
  };
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && !(Number.isInteger(v) && v >= 0)) throw new Error(`--${k}: not a count (${v})`);
  return o;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = { ...parseArgs(process.argv.slice(2)), log: (l: string) => process.stderr.write(`${l}\n`) };
  const results = await runNight(o);
  console.log(table(results, o));
  console.log(JSON.stringify({ options: { ...o, log: undefined }, results }));
}
