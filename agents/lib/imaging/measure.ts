/**
 * Measures time and memory of renderPreviews on a synthetic frame, in a fresh
 * process so that the peak RSS belongs to this frame alone.
 *
 *   node --import tsx agents/lib/imaging/measure.ts <width> <height> [u16|float] [mono|rgb|cfa]
 *
 * Prints one JSON line. The frame is built cheaply (noise from a repeating
 * table, a few thousand stars) because only the rendering is being measured.
 */
import type { PixelImage } from '../formats/types.ts';
import { renderPreviews } from './render.ts';
import { drawStars, gaussian, prng, randomStars } from './synthetic.ts';

const MB = 1024 * 1024;
const [w = '6000', h = '4000', type = 'u16', layout = 'mono'] = process.argv.slice(2);
const width = Number(w);
const height = Number(h);
const planesCount = layout === 'rgb' ? 3 : 1;

const noiseTable = new Float32Array(65521); // prime length: no visible period along rows
const normal = gaussian(prng(11));
for (let i = 0; i < noiseTable.length; i++) noiseTable[i] = normal();
const stars = randomStars(width, height, 3000, 3);
const planes: Float32Array[] = [];
for (let c = 0; c < planesCount; c++) {
  const p = new Float32Array(width * height);
  const bg = [0.02, 0.025, 0.015][c]!;
  const scale = type === 'float' ? 65535 : 1;
  for (let i = 0, j = c * 977; i < p.length; i++, j = j === noiseTable.length - 1 ? 0 : j + 1) {
    p[i] = bg + 0.002 * noiseTable[j]!;
  }
  drawStars(p, width, height, stars);
  for (let i = 0; i < p.length; i++) {
    const v = p[i]! < 0 ? 0 : p[i]! > 1 ? 1 : p[i]!;
    p[i] = type === 'float' ? v * scale : Math.round(v * 65535) / 65535;
  }
  planes.push(p);
}
const img: PixelImage = {
  width,
  height,
  channels: planesCount,
  planes,
  rowOrder: 'bottom-up',
  bayerPattern: layout === 'cfa' ? 'RGGB' : null,
  linear: true,
  binned: 1,
};

globalThis.gc?.();
const before = process.memoryUsage();
const peakBefore = process.resourceUsage().maxRSS * 1024;
const t0 = performance.now();
const out = await renderPreviews(img, {});
const ms = performance.now() - t0;
const after = process.memoryUsage();
const peak = process.resourceUsage().maxRSS * 1024;
console.log(
  JSON.stringify({
    frame: `${width}x${height} ${type} ${layout}`,
    inputMB: Math.round((planes.length * width * height * 4) / MB),
    renderMs: Math.round(ms),
    rssBeforeMB: Math.round(before.rss / MB),
    peakRssMB: Math.round(peak / MB),
    peakGrowthMB: Math.round((peak - Math.max(before.rss, peakBefore)) / MB),
    heapUsedBeforeMB: Math.round(before.heapUsed / MB),
    heapUsedAfterMB: Math.round(after.heapUsed / MB),
    arrayBuffersAfterMB: Math.round(after.arrayBuffers / MB),
    preview: `${out.facts.previewWidth}x${out.facts.previewHeight}`,
    previewKB: Math.round(out.preview.length / 1024),
    thumbnailKB: Math.round(out.thumbnail.length / 1024),
    median: out.facts.median,
    stretched: out.facts.stretched,
  }),
);
