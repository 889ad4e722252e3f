// Decompression bombs and hostile headers through the real engine (file and
// preview agents in the worker pool, PostgreSQL, stitching) beside good
// files: a 1 GiB-declared XISF block, a gzip-tile FITS bomb (one tile that
// inflates to 512 MiB), a row-tiled FITS whose first tile inflates far past
// its size, a gzip-wrapped FITS declaring 7 GB, and the two kinds of fuzzed
// header that broke stitching (a side beyond 32 bits). Each bomb becomes an
// error on its own image, every good file completes, and the process's
// resident memory never grows by more than 600 MB (docs/operations.md,
// "Memory ceilings").
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { concat, fitsHdu, rawHeader, tileCompressedHdu, xisfFile, type CardSpec } from '../../agents/lib/formats/test-writers.ts';
import { waitFor } from '../helpers/daemon.ts';
import { startWebDaemon, type WebDaemon } from '../web/helpers.ts';

const MB = 1024 * 1024;
/** the bound stated in docs/operations.md */
const MAX_GROWTH_MB = 600;

let t: WebDaemon;
let baseline = 0;
let peak = 0;
let sampler: NodeJS.Timeout | undefined;

const ramp = (n: number, mod: number) => Array.from({ length: n }, (_, i) => (i * 7919) % mod);

/** n gzip members of `chunkMb` MiB of zeros each: inflates to n × chunkMb MiB from a few hundred KB */
function gzipZeros(n: number, chunkMb: number): Uint8Array {
  const one = gzipSync(Buffer.alloc(chunkMb * MB));
  return concat(Array.from({ length: n }, () => one));
}

function pad2880(d: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(d.length / 2880) * 2880);
  out.set(d);
  return out;
}

/** A tile-compressed (GZIP_1, 16-bit) image whose heap is `tiles` (one table row per tile). */
function gzipTileFits(width: number, height: number, tileHeight: number, tiles: Uint8Array[]): Uint8Array {
  const table = new Uint8Array(tiles.length * 8);
  const dv = new DataView(table.buffer);
  let off = 0;
  tiles.forEach((tile, i) => {
    dv.setInt32(i * 8, tile.length);
    dv.setInt32(i * 8 + 4, off);
    off += tile.length;
  });
  const heap = concat(tiles);
  const cards: CardSpec[] = [
    ['XTENSION', 'BINTABLE'], ['BITPIX', 8], ['NAXIS', 2], ['NAXIS1', 8], ['NAXIS2', tiles.length],
    ['PCOUNT', heap.length], ['GCOUNT', 1], ['TFIELDS', 1], ['TTYPE1', 'COMPRESSED_DATA'], ['TFORM1', `1PB(${Math.max(...tiles.map((x) => x.length))})`],
    ['ZIMAGE', true], ['ZBITPIX', 16], ['ZNAXIS', 2], ['ZNAXIS1', width], ['ZNAXIS2', height], ['ZTILE1', width], ['ZTILE2', tileHeight], ['ZCMPTYPE', 'GZIP_1'],
  ];
  return concat([fitsHdu({ bitpix: 8, axes: [] }), rawHeader(cards), pad2880(concat([table, heap]))]);
}

const GOOD = ['good-plain.fits', 'good-rice.fits.fz', 'good-zlib.xisf', 'good.fits.gz', 'good-lz4.xisf'];
const BOMBS: Record<string, RegExp> = {
  // preview: the block's declared size is over the ceiling, nothing is inflated
  'bomb-1gib.xisf': /XISF compressed image block: 10\d\d(\.\d)? MiB would have to be held in memory, more than this server accepts/,
  // preview: one 16384 × 16384 tile would need 4 GiB of buffers
  'bomb-tile.fits.fz': /tile-compressed FITS: tiles of 16384×16384 pixels: .* more than this server accepts/,
  // preview: the first row tile inflates past the 32 KiB it holds
  'bomb-rows.fits.fz': /a gzip tile inflates to more than the 32768 bytes its tile holds/,
  // preview: 7.2 GB declared in a stream of about a megabyte
  'bomb.fits.gz': /cannot hold that much/,
};
const IMPOSSIBLE: Record<string, RegExp> = {
  // file: the headers the fuzzer found (stored, they broke stitching)
  'fuzz-znaxis.fits.fz': /impossible image width \(2147483648\)/,
  'fuzz-naxis.fits.gz': /impossible image width \(4294967296\)/,
};

before(async () => {
  // every bomb is built before the daemon starts, so the baseline holds none of it
  const files: Record<string, Uint8Array> = {};
  files['good-plain.fits'] = fitsHdu({ bitpix: 16, axes: [320, 240], data: ramp(320 * 240, 30000), cards: [['BZERO', 32768], ['EXPTIME', 60], ['IMAGETYP', 'Light Frame']] });
  files['good-rice.fits.fz'] = concat([fitsHdu({ bitpix: 8, axes: [] }), tileCompressedHdu({ bitpix: 16, width: 200, height: 150, data: ramp(200 * 150, 20000), compression: 'RICE_1' })]);
  files['good-zlib.xisf'] = xisfFile({ width: 256, height: 192, channels: 1, sampleFormat: 'UInt16', samples: ramp(256 * 192, 60000), codec: 'zlib', shuffle: true });
  files['good.fits.gz'] = gzipSync(fitsHdu({ bitpix: -32, axes: [300, 200], data: ramp(300 * 200, 1000).map((v) => v / 1000) }));
  files['good-lz4.xisf'] = xisfFile({ width: 128, height: 128, channels: 3, sampleFormat: 'Float32', samples: ramp(128 * 128 * 3, 1000).map((v) => v / 1000), codec: 'lz4' });

  // 1 GiB declared (16384 × 16384 UInt32), really inflating to 1 GiB: 16 zlib subblocks of 64 MiB of zeros
  const zeros64 = deflateSync(Buffer.alloc(64 * MB));
  const block = concat(Array.from({ length: 16 }, () => zeros64));
  const subblocks = Array.from({ length: 16 }, () => `${zeros64.length},${64 * MB}`).join(':');
  const bombXisf = xisfFile({ width: 1, height: 1, channels: 1, sampleFormat: 'UInt32', samples: [0], imageAttrs: { geometry: '16384:16384:1', compression: `zlib:${1024 * MB}:4`, subblocks, location: `attachment:4096:${block.length}` } });
  const headerEnd = 16 + new DataView(bombXisf.buffer, bombXisf.byteOffset).getUint32(8, true);
  assert.ok(headerEnd <= 4096);
  files['bomb-1gib.xisf'] = concat([bombXisf.subarray(0, headerEnd), new Uint8Array(4096 - headerEnd), block]);

  // one 16384 × 16384 tile whose gzip data inflates to 512 MiB
  files['bomb-tile.fits.fz'] = gzipTileFits(16384, 16384, 16384, [gzipZeros(8, 64)]);
  // 16384 row tiles of 32 KiB; the first inflates to 512 MiB
  const row = gzipSync(Buffer.alloc(16384 * 2));
  files['bomb-rows.fits.fz'] = gzipTileFits(16384, 16384, 1, [gzipZeros(8, 64), ...Array.from({ length: 16383 }, () => row)]);
  // a .fits.gz declaring 30000 × 30000 doubles (7.2 GB) over 1 GiB of gzip'd zeros
  files['bomb.fits.gz'] = concat([gzipSync(rawHeader([['SIMPLE', true], ['BITPIX', -64], ['NAXIS', 2], ['NAXIS1', 30000], ['NAXIS2', 30000]])), gzipZeros(16, 64)]);

  files['fuzz-znaxis.fits.fz'] = gzipTileFits(2147483648, 2, 1, [row, row]);
  files['fuzz-naxis.fits.gz'] = gzipSync(fitsHdu({ bitpix: 8, axes: [4294967296, 1], rawData: new Uint8Array(2880) }));

  t = await startWebDaemon({ builtinAgents: ['file', 'preview'], env: { SIDEREAL_WORKERS: '2' } });
  // let the start-up settle (worker threads, first queries) before taking the baseline
  await new Promise((res) => setTimeout(res, 1000));
  baseline = process.memoryUsage.rss();
  peak = baseline;
  sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(t.library, name), bytes);
});
after(async () => {
  clearInterval(sampler);
  await t?.stop();
});

test('bombs and impossible headers become errors on their own images; the good files beside them complete; memory stays bounded', async (tc) => {
  const total = GOOD.length + Object.keys(BOMBS).length + Object.keys(IMPOSSIBLE).length;
  const items = await waitFor(
    async () => {
      const page = await t.getJson('/api/v1/images?frameType=all&limit=100');
      const settled = page.items.filter((i: any) => i.agents.length > 0 && i.agents.every((a: any) => a.status !== 'pending' && a.status !== 'running'));
      return settled.length === total ? page.items : null;
    },
    { what: `${total} images settled`, timeoutMs: 180_000, intervalMs: 300 },
  );
  const byPath = new Map<string, any>(items.map((i: any) => [i.path, i]));
  const agent = (path: string, name: string) => byPath.get(path)?.agents.find((a: any) => a.name === name);
  for (const name of GOOD) {
    assert.ok(byPath.has(name), `${name} is in the catalog`);
    for (const a of ['file', 'preview']) assert.equal(agent(name, a)?.status, 'done', `${name} ${a}: ${agent(name, a)?.error ?? ''}`);
    assert.ok(byPath.get(name).thumbnailUrl, `${name} has a thumbnail`);
  }
  for (const [name, re] of Object.entries(BOMBS)) {
    assert.equal(agent(name, 'file')?.status, 'done', `${name}: its header is read (${agent(name, 'file')?.error ?? ''})`);
    const p = agent(name, 'preview');
    assert.equal(p?.status, 'failed', `${name}: the preview fails`);
    assert.match(p.error, re, name);
  }
  for (const [name, re] of Object.entries(IMPOSSIBLE)) {
    const f = agent(name, 'file');
    assert.equal(f?.status, 'failed', `${name}: the file agent fails`);
    assert.match(f.error, re, name);
  }
  const growthMb = (peak - baseline) / MB;
  tc.diagnostic(`peak resident memory growth: ${Math.round(growthMb)} MB`);
  assert.ok(growthMb < MAX_GROWTH_MB, `resident memory grew by ${Math.round(growthMb)} MB (bound ${MAX_GROWTH_MB} MB)`);
});
