// Camera RAW decoding: LibRaw from npm (libraw-wasm, what agents/lib/formats/raw.ts
// uses) against the Debian `dcraw` program it replaced, on the RAW files of the
// real-file corpus ($SIDEREAL_TESTDATA/raw, when set) and a generated 24 MP CFA
// DNG. For each file: both decoders' undebayered mosaic of the visible area
// (`dcraw -D -4 -T`: sensor values, black level included), compared sample by
// sample, the Bayer pattern each reports, and the median wall time of 3 runs
// (dcraw: process start, decode and reading its TIFF; LibRaw: reading the
// file, decode in this thread, conversion to the reader's float planes).
// Needs dcraw on the PATH (apt-get install dcraw) for the comparison only.
//
//   node --import tsx bench/raw.ts [more RAW files…]
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readRawPixels, rawInfo } from '../agents/lib/formats/raw.ts';
import { cfaDng } from '../agents/lib/formats/test-writers.ts';

interface Mosaic {
  width: number;
  height: number;
  data: Uint16Array;
}

function run(bin: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    execFile(bin, args, { encoding: 'buffer', maxBuffer: 1 << 30 }, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

/** dcraw's 16-bit grey TIFF (one strip) → samples. */
function parseTiff(b: Buffer): Mosaic {
  const le = b.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const ifd = u32(4);
  const t: Record<number, number> = {};
  for (let i = 0; i < u16(ifd); i++) {
    const e = ifd + 2 + i * 12;
    if (u32(e + 4) === 1) t[u16(e)] = u16(e + 2) === 3 ? u16(e + 8) : u32(e + 8);
  }
  const width = t[256]!, height = t[257]!, off = t[273]!;
  const data = new Uint16Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = u16(off + i * 2);
  return { width, height, data };
}

async function dcrawMosaic(path: string): Promise<Mosaic | null> {
  const out = await run('dcraw', ['-c', '-D', '-4', '-T', path]).catch(() => null);
  return out && out.length > 8 ? parseTiff(out) : null;
}

async function dcrawPattern(path: string): Promise<string | null> {
  const out = await run('dcraw', ['-i', '-v', path]).catch(() => null);
  const p = /^Filter pattern:\s*(.*)$/m.exec(out?.toString('latin1') ?? '')?.[1]?.replace(/[^RGB]/g, '') ?? '';
  return /^(RGGB|BGGR|GRBG|GBRG)$/.test(p) ? p : null;
}

async function librawMosaic(path: string): Promise<Mosaic | null> {
  const px = await readRawPixels(path).catch(() => null);
  if (!px || !px.linear || px.channels !== 1) return null;
  const plane = px.planes[0]!;
  const data = new Uint16Array(plane.length);
  for (let i = 0; i < plane.length; i++) data[i] = Math.round(plane[i]! * 65535);
  return { width: px.width, height: px.height, data };
}

async function median(fn: () => Promise<unknown>, n = 3): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

const tmp = mkdtempSync(join(tmpdir(), 'sidereal-bench-raw-'));
try {
  const files: string[] = [];
  const corpus = process.env.SIDEREAL_TESTDATA;
  if (corpus) for (const f of readdirSync(join(corpus, 'raw')).sort()) files.push(join(corpus, 'raw', f));
  else console.error('SIDEREAL_TESTDATA is not set: only the generated DNG is measured');
  files.push(...process.argv.slice(2));
  const w = 6000, h = 4000;
  const samples = new Uint16Array(w * h);
  let seed = 1;
  for (let i = 0; i < samples.length; i++) samples[i] = ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 18) + ((i % w) >> 2);
  const dng = join(tmp, 'generated-6000x4000.dng');
  writeFileSync(dng, cfaDng(w, h, samples));
  files.push(dng);

  const t0 = performance.now();
  await rawInfo(dng);
  const loadMs = performance.now() - t0;

  console.log('| file | size (px) | dcraw ms | LibRaw ms | samples compared | differing | Bayer dcraw / LibRaw |');
  console.log('|---|---|---|---|---|---|---|');
  for (const f of files) {
    const [a, b] = [await dcrawMosaic(f), await librawMosaic(f)];
    const pattern = `${(await dcrawPattern(f)) ?? '–'} / ${(await rawInfo(f).catch(() => null))?.bayerPattern ?? '–'}`;
    const size = a ? `${a.width}×${a.height}` : b ? `${b.width}×${b.height}` : '–';
    const dMs = a ? (await median(() => dcrawMosaic(f))).toFixed(0) : 'fails';
    const lMs = b ? (await median(() => librawMosaic(f))).toFixed(0) : 'fails';
    let compared = '–', differing = '–';
    if (a && b) {
      if (a.width !== b.width || a.height !== b.height) differing = `size ${a.width}×${a.height} vs ${b.width}×${b.height}`;
      else {
        let d = 0;
        for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) d++;
        compared = String(a.data.length);
        differing = String(d);
      }
    }
    console.log(`| ${basename(f)} | ${size} | ${dMs} | ${lMs} | ${compared} | ${differing} | ${pattern} |`);
  }
  console.log(`\nLibRaw WebAssembly module load (once per thread): ${loadMs.toFixed(0)} ms`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
