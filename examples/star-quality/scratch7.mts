import { readPixels } from '/work/main/agents/formats/index.ts';
import { luminance } from './src/luminance.ts';
import { estimateBackground, backgroundRow } from './src/background.ts';
import { findCandidates } from './src/detect.ts';
import { measureStar, R } from '/tmp/measure-dbg.ts';
const f = process.argv[2]!;
const img = await readPixels(f);
const { data, width, height } = luminance(img);
const bg = estimateBackground(data, width, height, 64);
const res = new Float32Array(width * height); const row = new Float32Array(width);
for (let y = 0; y < height; y++) { backgroundRow(bg, width, height, y, row); for (let x = 0; x < width; x++) res[y * width + x] = data[y * width + x]! - row[x]!; }
const { candidates } = findCandidates(res, width, height, { noise: bg.noise, sigma: 5, border: 4 });
let ok = 0; for (const c of candidates.slice(0, 1000)) if (measureStar({ res, raw: data, width, height, noise: bg.noise }, c.x, c.y)) ok++;
console.log(f.split('/').pop(), candidates.length, 'ok', ok, R);
