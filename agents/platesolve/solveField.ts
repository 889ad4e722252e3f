/**
 * astrometry.net `solve-field` backend (Debian package astrometry.net with the
 * astrometry-data-tycho2-* indexes). Fed with our star list as an xylist
 * (X, Y, FLUX in our FITS pixel convention), so its WCS needs no conversion;
 * an image file can be given instead (JPEG/PNG rows count from the top there,
 * so the solution is flipped into the bottom-up convention).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flipWcsY, parseFitsHeader, readWcs, writeFitsTable, type Wcs } from '../lib/wcs/index.ts';
import type { ImageStars, PositionHint, ScaleHint } from './solver/types.ts';

export interface SolveFieldInput {
  /** our detected stars (preferred) */
  stars?: ImageStars;
  /** or an image file solve-field can read (FITS, JPEG, PNG) */
  imagePath?: string;
  /** image file rows are top-down (JPEG/PNG): flip the solution into the bottom-up convention */
  imageTopDown?: boolean;
  width: number;
  height: number;
  position?: PositionHint | null;
  scale?: ScaleHint | null;
}

export interface SolveFieldOptions {
  binary?: string;
  /** wall-clock limit; the CPU limit is derived from it */
  timeLimitMs?: number;
  signal?: AbortSignal;
  /** parent of the temporary working directory (never the library) */
  tmpRoot?: string;
}

export interface SolveFieldResult {
  wcs: Wcs | null;
  reason: string | null;
  durationMs: number;
}

let available: boolean | undefined;

/** True when `solve-field` is on the PATH (checked once). */
export function solveFieldAvailable(binary = 'solve-field'): boolean {
  if (available === undefined) {
    try {
      execFileSync('which', [binary], { stdio: 'ignore' });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

export async function runSolveField(input: SolveFieldInput, options: SolveFieldOptions = {}): Promise<SolveFieldResult> {
  const t0 = Date.now();
  const binary = options.binary ?? 'solve-field';
  const limitMs = Math.max(2000, options.timeLimitMs ?? 60000);
  const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'sidereal-solve-'));
  try {
    const args = ['--no-plots', '--overwrite', '--dir', dir, '--cpulimit', String(Math.max(1, Math.floor(limitMs / 1000) - 1)),
      '--crpix-center', '--no-verify', '--temp-dir', dir, '--new-fits', 'none', '--index-xyls', 'none', '--rdls', 'none',
      '--corr', 'none', '--match', 'none', '--solved', 'none'];
    let file: string;
    let flip = false;
    if (input.stars && input.stars.count > 0) {
      file = join(dir, 'stars.xyls');
      await writeFile(file, writeFitsTable({ X: input.stars.p1, Y: input.stars.p2, FLUX: input.stars.flux }));
      args.push('--width', String(input.width), '--height', String(input.height), '--sort-column', 'FLUX', '--no-remove-lines', '--uniformize', '0');
    } else if (input.imagePath) {
      file = input.imagePath;
      flip = input.imageTopDown === true;
      if (Math.max(input.width, input.height) > 2500) args.push('--downsample', '2');
    } else {
      return { wcs: null, reason: 'no stars and no image for solve-field', durationMs: 0 };
    }
    if (input.scale) {
      args.push('--scale-units', 'arcsecperpix', '--scale-low', input.scale.low.toPrecision(6), '--scale-high', input.scale.high.toPrecision(6));
    }
    if (input.position) {
      args.push('--ra', input.position.ra.toFixed(6), '--dec', input.position.dec.toFixed(6), '--radius', Math.min(180, input.position.radius).toFixed(3));
    }
    args.push('--out', 'solution', file);
    const result = await runGroup(binary, args, limitMs + 2000, options.signal);
    const wcsPath = join(dir, 'solution.wcs');
    const exists = await access(wcsPath).then(() => true, () => false);
    if (!exists) {
      const why = options.signal?.aborted ? 'aborted' : result.killed ? 'time limit reached' : 'solve-field found no solution';
      return { wcs: null, reason: why, durationMs: Date.now() - t0 };
    }
    const { cards } = parseFitsHeader(await readFile(wcsPath));
    const r = readWcs(cards, { width: input.width, height: input.height });
    if (!r.ok) return { wcs: null, reason: `unusable solve-field output: ${r.reason}`, durationMs: Date.now() - t0 };
    return { wcs: flip ? flipWcsY(r.wcs, input.height) : r.wcs, reason: null, durationMs: Date.now() - t0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the command in its own process group and kills the whole group on
 * timeout or abort: solve-field starts astrometry-engine and helpers that
 * would otherwise outlive it.
 */
function runGroup(cmd: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<{ code: number | null; killed: boolean }> {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve({ code: null, killed: true }); return; }
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    let killed = false;
    const kill = (): void => {
      killed = true;
      try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    };
    const timer = setTimeout(kill, timeoutMs);
    signal?.addEventListener('abort', kill, { once: true });
    const finish = (code: number | null): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      resolve({ code, killed });
    };
    child.on('error', () => finish(null));
    child.on('exit', (code) => finish(code));
  });
}
