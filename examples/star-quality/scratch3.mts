import { readPixels } from '/work/main/agents/formats/index.ts';
import { luminance } from './src/luminance.ts';
import { estimateBackground, backgroundRow } from './src/background.ts';
import { findCandidates } from './src/detect.ts';
import { measureStar } from './src/measure.ts';
const f = process.argv[2]!;
let t = Date.now();
const img = await readPixels(f);
console.log('read', Date.now() - t); t = Date.now();
const plane = luminance(img);
const { data, width, height } = plane;
const bg = estimateBackground(data, width, height, 64);
console.log('bg', Date.now() - t, bg.level, bg.noise); t = Date.now();
const res = new Float32Array(width * height); const row = new Float32Array(width);
for (let y = 0; y < height; y++) { backgroundRow(bg, width, height, y, row); for (let x = 0; x < width; x++) res[y * width + x] = data[y * width + x]! - row[x]!; }
console.log('res', Date.now() - t); t = Date.now();
const { candidates, hotPixels } = findCandidates(res, width, height, { noise: bg.noise, sigma: 5, border: 4 });
console.log('detect', Date.now() - t, candidates.length, hotPixels); t = Date.now();
let ok = 0; const n = Math.min(500, candidates.length);
for (let i = 0; i < n; i++) { const m = measureStar({ res, raw: data, width, height, noise: bg.noise }, candidates[i]!.x, candidates[i]!.y); if (m) ok++; }
console.log('measure', Date.now() - t, ok, '/', n);
