// Entry of the deep-zoom worker thread: from TypeScript sources (npm start without a
// build, tests) it registers tsx first; from a build it loads compiled JS.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const compiled = new URL('../../../agents/lib/imaging/zoom.js', import.meta.url);
let mod;
if (existsSync(compiled)) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(new URL('../../../agents/lib/imaging/zoom.ts', import.meta.url).href);
}
try {
  const out = await mod.renderZoomFile(workerData.path, workerData.options);
  parentPort.postMessage({ ok: true, zip: out.zip, width: out.width, height: out.height }, [out.zip.buffer]);
} catch (err) {
  parentPort.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
