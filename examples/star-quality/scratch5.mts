import { createTestContext } from '@sidereal/agent-sdk/runtime';
import agent from './index.ts';
const settings = { detectionSigma: 5, maxStars: 1500, maxMegapixels: 40, saturation: 0.98 };
const ctx = await createTestContext({ localPath: '/tmp/sq-big.fits', settings, facts: { file: { bitDepth: 16 } as any }, progress: (f, m) => console.log(f.toFixed(2), m, Date.now() - t) });
const t = Date.now(); const r = await agent.run(ctx); console.log('big', Date.now() - t, 'ms', JSON.stringify(r.facts).slice(0, 200));
