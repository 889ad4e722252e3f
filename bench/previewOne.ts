// Runs the preview agent once on a file (the way the engine does) and prints time and peak RSS.
import { decodeLimits, describeFile, readPixels } from '../agents/lib/formats/index.ts';
import { createTestContext } from '../agents/sdk/runtime.ts';
import agent from '../agents/preview/index.ts';
import type { Facts } from '../agents/sdk/index.ts';

const path = process.argv[2]!;
const baseRssMb = process.memoryUsage().rss / 1048576;
const t0 = performance.now();
const file = await describeFile(path, { fileName: path.split('/').pop()!, folderPath: '' });
const ctx = await createTestContext({ localPath: path, facts: { file: file as unknown as Facts }, stage: 'render', settings: { thumbnailSize: 400, previewSize: 2048, stretch: 'auto', format: 'jpeg', quality: 85, debayer: 'auto' }, readPixels: (p, o) => readPixels(p, { maxPixels: o?.maxPixels, limits: decodeLimits(o?.limits) }) });
const r = await agent.run(ctx);
const ms = performance.now() - t0;
if (!r.artifacts?.length) throw new Error('no preview');
console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, baseRssMb }));
