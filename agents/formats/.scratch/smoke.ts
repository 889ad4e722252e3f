import { describeFile, readPixels } from '../index.ts';
import { readdirSync } from 'node:fs';
const root = '/work/shared/testdata/';
for (const dir of ['fits-headers', 'platesolve', 'xisf', 'raw']) {
  for (const f of readdirSync(root + dir)) {
    const p = root + dir + '/' + f;
    try {
      const t0 = performance.now();
      const d = await describeFile(p, { fileName: f, folderPath: dir });
      const t1 = performance.now();
      const { headers, acquisition, ...rest } = d;
      console.log(f, JSON.stringify(rest), (t1 - t0).toFixed(1) + 'ms', headers.length, 'cards');
      console.log('   acq', JSON.stringify(Object.fromEntries(Object.entries(acquisition).filter(([, v]) => v !== null))));
      if (d.width) {
        const px = await readPixels(p, { maxPixels: 1_000_000 });
        const pl = px.planes[0]!; let mn = Infinity, mx = -Infinity; for (const v of pl) { if (v < mn) mn = v; if (v > mx) mx = v; }
        console.log('   px', px.width, px.height, px.channels, px.binned, px.rowOrder, mn.toFixed(4), mx.toFixed(4), (performance.now() - t1).toFixed(1) + 'ms');
      }
    } catch (e) { console.log(f, 'ERR', (e as Error).message); }
  }
}
