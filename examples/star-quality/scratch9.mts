import { readPixels } from '/work/main/agents/formats/index.ts';
import { luminance } from './src/luminance.ts';
import { estimateBackground, backgroundRow } from './src/background.ts';
import { findCandidates } from './src/detect.ts';
import { measureStar, R } from '/tmp/measure-dbg.ts';
const img = await readPixels(process.argv[2]!);
const { data, width, height } = luminance(img);
const bg = estimateBackground(data, width, height, 64);
const res = new Float32Array(width * height); const row = new Float32Array(width);
for (let y = 0; y < height; y++) { backgroundRow(bg, width, height, y, row); for (let x = 0; x < width; x++) res[y * width + x] = data[y * width + x]! - row[x]!; }
const { candidates } = findCandidates(res, width, height, { noise: bg.noise, sigma: 5, border: 4 });
let shown = 0;
for (const c of candidates.slice(0, 300)) {
  const before = R.neg;
  measureStar({ res, raw: data, width, height, noise: bg.noise }, c.x, c.y);
  if (R.neg > before && shown++ < 2) {
    console.log('neg at', c.x, c.y, (c.peak / bg.noise).toFixed(1));
    for (let dy = -3; dy <= 3; dy++) { let s = ''; for (let dx = -3; dx <= 3; dx++) s += (res[(c.y + dy) * width + c.x + dx]! / bg.noise).toFixed(0).padStart(6); console.log(s); }
    process.env.DBG = '1'; measureStar({ res, raw: data, width, height, noise: bg.noise }, c.x, c.y); delete process.env.DBG;
  }
}
