/**
 * Throughput and memory of the format readers (CLI, prints numbers):
 *   node --import tsx agents/lib/formats/bench.ts
 * Measures describeFile rate on FITS/XISF headers and readPixels time and
 * peak RSS on large generated FITS files.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { describeFile, readPixels } from './index.ts';
import { fitsHdu, rawHeader, tempDir, xisfFile } from './test-writers.ts';
import { HAS_CORPUS, TESTDATA } from './test-data.ts';

const tmp = tempDir();
try {
  // --- header rate
  const nina = tmp.path('nina.fits');
  writeFileSync(
    nina,
    fitsHdu({
      bitpix: 16, axes: [4144, 2822], rawData: new Uint8Array(4144 * 2822 * 2),
      cards: [['BZERO', 32768], ['IMAGETYP', 'LIGHT'], ['EXPTIME', 300], ['GAIN', 120], ['OFFSET', 30], ['FILTER', 'Ha'], ['OBJECT', 'M 31'],
        ['OBJCTRA', '00 42 44'], ['OBJCTDEC', '+41 16 09'], ['DATE-OBS', '2023-10-01T22:00:00.123'], ['INSTRUME', 'ZWO ASI294MC Pro'], ['SWCREATE', 'N.I.N.A. 3.0']],
    }),
  );
  const xisf = tmp.path('m.xisf');
  writeFileSync(xisf, xisfFile({ width: 64, height: 64, channels: 1, sampleFormat: 'UInt16', samples: new Array(4096).fill(1000), keywords: [['EXPTIME', '300.'], ['FILTER', "'Ha'"]] }));
  // the real INDI frame only when the corpus is there (SIDEREAL_TESTDATA)
  const files: [string, string][] = [['N.I.N.A.-style FITS (23 MB)', nina], ...(HAS_CORPUS ? [['INDI FITS', TESTDATA + 'fits-headers/stellarsolver-randomsky.fits'] as [string, string]] : []), ['XISF', xisf]];
  for (const [name, path] of files) {
    for (let i = 0; i < 50; i++) await describeFile(path, { fileName: 'a.fits', folderPath: 'x' });
    const n = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await describeFile(path, { fileName: 'a.fits', folderPath: 'x' });
    const ms = performance.now() - t0;
    console.log(`describeFile ${name}: ${(n / (ms / 1000)).toFixed(0)} files/s (${(ms / n).toFixed(3)} ms each)`);
  }

  // --- pixels
  const big = (name: string, w: number, h: number, bitpix: number) => {
    const p = tmp.path(name);
    const fd = openSync(p, 'w');
    writeSync(fd, rawHeader([['SIMPLE', true], ['BITPIX', bitpix], ['NAXIS', 2], ['NAXIS1', w], ['NAXIS2', h], ...(bitpix === 16 ? [['BZERO', 32768] as [string, number]] : [])]));
    const rows = 64;
    const band = Buffer.alloc(w * rows * Math.abs(bitpix) / 8);
    for (let i = 0; i < band.length; i += 4) band.writeUInt32BE((i * 2654435761) >>> 0, i);
    for (let y = 0; y < h; y += rows) writeSync(fd, band, 0, Math.min(rows, h - y) * w * Math.abs(bitpix) / 8);
    closeSync(fd);
    return p;
  };
  const cases: [string, string, number | undefined][] = [
    ['6000×4000 16-bit, full size', big('a.fits', 6000, 4000, 16), undefined],
    ['6000×4000 16-bit, maxPixels 2 MP', tmp.path('a.fits'), 2_000_000],
    ['9576×6388 float (61 MP), maxPixels 4 MP', big('b.fits', 9576, 6388, -32), 4_000_000],
  ];
  for (const [name, path, maxPixels] of cases) {
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t0 = performance.now();
    const px = await readPixels(path, { maxPixels });
    const ms = performance.now() - t0;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(`readPixels ${name}: ${ms.toFixed(0)} ms → ${px.width}×${px.height} (bin ${px.binned}), RSS +${((peak - rss0) / 1e6).toFixed(0)} MB`);
  }
} finally {
  tmp.cleanup();
}
