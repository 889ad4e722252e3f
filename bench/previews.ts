/**
 * Reading and preview benchmark (issue 3): header read rate (files/s), and
 * the preview agent's time and peak memory (max RSS of a fresh process) for a
 * 6000×4000 16-bit FITS and a 60 MP 32-bit float XISF star field.
 * Usage: node --import tsx bench/previews.ts
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFile } from '../agents/lib/formats/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'sidereal-bench-prev-'));

/** A linear star field row by row (background, noise, Gaussian stars), without holding it whole. */
function* starRows(w: number, h: number, encode: (row: Float32Array) => Buffer): Generator<Buffer> {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const stars = Array.from({ length: 3000 }, () => ({ x: rnd() * w, y: rnd() * h, a: 0.02 + rnd() ** 4 * 0.9, s: 1.2 + rnd() * 1.5 }));
  const byRow = new Map<number, typeof stars>();
  for (const s of stars) for (let y = Math.max(0, Math.floor(s.y - 8)); y <= Math.min(h - 1, Math.ceil(s.y + 8)); y++) (byRow.get(y) ?? byRow.set(y, []).get(y)!).push(s);
  const row = new Float32Array(w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) row[x] = 0.05 + 0.004 * (rnd() - 0.5) + 0.01 * (x / w);
    for (const s of byRow.get(y) ?? []) {
      for (let x = Math.max(0, Math.floor(s.x - 8)); x <= Math.min(w - 1, Math.ceil(s.x + 8)); x++) {
        row[x]! += s.a * Math.exp(-((x - s.x) ** 2 + (y - s.y) ** 2) / (2 * s.s * s.s));
      }
    }
    yield encode(row);
  }
}

function writeFits16(path: string, w: number, h: number): void {
  const cards = [`SIMPLE  =                    T`, `BITPIX  =                   16`, `NAXIS   =                    2`, `NAXIS1  = ${String(w).padStart(20)}`, `NAXIS2  = ${String(h).padStart(20)}`, `BZERO   =                32768`, `IMAGETYP= 'Light Frame'`, `EXPTIME =                300.0`, `END`];
  let head = cards.map((c) => c.padEnd(80)).join('');
  head = head.padEnd(Math.ceil(head.length / 2880) * 2880);
  const fd = openSync(path, 'w');
  writeSync(fd, Buffer.from(head, 'latin1'));
  let written = 0;
  for (const b of starRows(w, h, (row) => {
    const out = Buffer.alloc(row.length * 2);
    for (let i = 0; i < row.length; i++) out.writeInt16BE(Math.min(65535, Math.max(0, Math.round(row[i]! * 65535))) - 32768, i * 2);
    return out;
  })) {
    writeSync(fd, b);
    written += b.length;
  }
  writeSync(fd, Buffer.alloc((2880 - (written % 2880)) % 2880));
  closeSync(fd);
}

function writeXisfFloat(path: string, w: number, h: number): void {
  const size = w * h * 4;
  const xml = (offset: number) =>
    `<?xml version="1.0" encoding="UTF-8"?><xisf version="1.0" xmlns="http://www.pixinsight.com/xisf"><Image geometry="${w}:${h}:1" sampleFormat="Float32" bounds="0:1" colorSpace="Gray" location="attachment:${offset}:${size}"><FITSKeyword name="IMAGETYP" value="'Light'" comment=""/><FITSKeyword name="EXPTIME" value="300." comment=""/></Image></xisf>`;
  const offset = 4096;
  const header = Buffer.alloc(offset);
  header.write('XISF0100', 0, 'latin1');
  const x = Buffer.from(xml(offset), 'utf8');
  header.writeUInt32LE(x.length, 8);
  x.copy(header, 16);
  const fd = openSync(path, 'w');
  writeSync(fd, header);
  for (const b of starRows(w, h, (row) => Buffer.from(row.buffer.slice(0)))) writeSync(fd, b);
  closeSync(fd);
}

const fits = join(dir, 'light-6000x4000-16bit.fits');
const xisf = join(dir, 'stack-60MP-float.xisf');
process.stderr.write('writing test files…\n');
writeFits16(fits, 6000, 4000);
writeXisfFloat(xisf, 9504, 6336);

// header rate
const rows: string[] = [];
for (const [label, path] of [['FITS 6000×4000 16-bit', fits], ['XISF 60 MP float', xisf]] as const) {
  for (let i = 0; i < 20; i++) await describeFile(path, { fileName: 'a', folderPath: '' });
  const n = 1000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await describeFile(path, { fileName: 'a', folderPath: '' });
  rows.push(`| header read, ${label} | ${(n / ((performance.now() - t0) / 1000)).toFixed(0)} files/s | |`);
}

// preview: one fresh process each, measuring wall time of the agent run and the process's peak RSS
const one = fileURLToPath(new URL('./previewOne.ts', import.meta.url));
for (const [label, path] of [['preview, FITS 6000×4000 16-bit', fits], ['preview, XISF 60 MP 32-bit float', xisf]] as const) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', one, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ms: number; maxRssMb: number; baseRssMb: number };
  rows.push(`| ${label} | ${(m.ms / 1000).toFixed(2)} s | ${m.maxRssMb.toFixed(0)} MB peak RSS (process at rest ${m.baseRssMb.toFixed(0)} MB) |`);
}
rmSync(dir, { recursive: true, force: true });
console.log('| what | result | memory |\n|---|---|---|\n' + rows.join('\n'));
