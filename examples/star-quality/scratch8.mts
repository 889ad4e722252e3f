import { readPixels } from '/work/main/agents/formats/index.ts';
import { luminance } from './src/luminance.ts';
import { estimateBackground, backgroundRow } from './src/background.ts';
import { measureStar, R } from '/tmp/measure-dbg.ts';
const img = await readPixels(process.argv[2]!);
const { data, width, height } = luminance(img);
const bg = estimateBackground(data, width, height, 64);
const res = new Float32Array(width * height); const row = new Float32Array(width);
for (let y = 0; y < height; y++) { backgroundRow(bg, width, height, y, row); for (let x = 0; x < width; x++) res[y * width + x] = data[y * width + x]! - row[x]!; }
process.env.DBG = '1';
console.log(measureStar({ res, raw: data, width, height, noise: bg.noise }, Number(process.argv[3]), Number(process.argv[4])), R);
