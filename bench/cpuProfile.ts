/**
 * Summarizes V8 CPU profiles (`node --cpu-prof`, e.g. from `bench/night.ts
 * --cpu-prof DIR`): busy time (everything but `(idle)` and piscina's
 * Atomics.wait of an idle pool thread) per profile (= per
 * thread), then self time by code area and by function over all profiles.
 * The profiler samples wall-clock ticks of a thread that is running, so on a
 * loaded machine the seconds are inflated alike for every area: read the
 * shares, and take the absolute CPU from /proc (the night bench's thread table).
 *
 * Usage: node --import tsx bench/cpuProfile.ts DIR [--top 40] [--last-seconds S]
 * (`--last-seconds`: the last S seconds of each profile only, e.g. the wall
 * time of a night pass, leaving out the daemon's start-up.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  endTime: number;
  startTime: number;
}

export interface ProfileSummary {
  file: string;
  busySeconds: number;
  byArea: Map<string, number>;
  byFunction: Map<string, number>;
}

/** The area of the code a frame belongs to: a project folder, an npm package, Node's internals, or V8's pseudo-frames. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith('node:')) return url;
  const own = /\/(agents\/lib\/[^/]+|agents\/[^/]+|daemon\/[^/]+(?:\/[^/]+(?=\/))?|bench|bin|scripts)\//.exec(url);
  return own ? own[1]! : url;
}

/** `lastSeconds`: only the samples of the profile's last seconds (e.g. a bench pass, without the start-up). */
export function summarize(file: string, lastSeconds = Infinity): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const from = p.endTime - lastSeconds * 1e6;
  let t = p.startTime;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = nodes.get(p.samples[i]!);
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1e6;
    t += p.timeDeltas[i] ?? 0;
    if (t < from) continue;
    // piscina's idle threads block in Atomics.wait: sampled as running, but they use no CPU
    if (!n || n.callFrame.functionName === '(idle)' || n.callFrame.functionName === 'atomicsWaitLoop') continue;
    busy += dt;
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + dt);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '')}:${n.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  }
  return { file, busySeconds: busy, byArea, byFunction };
}

function add(into: Map<string, number>, from: Map<string, number>): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function top(m: Map<string, number>, n: number, total: number): string[] {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `| ${k} | ${v.toFixed(2)} | ${((100 * v) / total).toFixed(1)} % |`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: bench/cpuProfile.ts DIR [--top N]');
  const ti = process.argv.indexOf('--top');
  const n = ti > 0 ? Number(process.argv[ti + 1]) : 40;
  const li = process.argv.indexOf('--last-seconds');
  const last = li > 0 ? Number(process.argv[li + 1]) : Infinity;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const all = files.map((f) => summarize(join(dir, f), last));
  const areas = new Map<string, number>(), fns = new Map<string, number>();
  for (const s of all) {
    add(areas, s.byArea);
    add(fns, s.byFunction);
  }
  const total = all.reduce((a, s) => a + s.busySeconds, 0);
  console.log(['| profile | busy s |', '|---|---|', ...all.map((s) => `| ${s.file.replace(/^.*\//, '')} | ${s.busySeconds.toFixed(2)} |`)].join('\n'));
  console.log(['', '| area | self s | share |', '|---|---|---|', ...top(areas, n, total)].join('\n'));
  console.log(['', '| function | self s | share |', '|---|---|---|', ...top(fns, n, total)].join('\n'));
}
