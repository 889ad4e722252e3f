// Entry of the deep-zoom worker thread (see daemon/loadSource.mjs for how the
// renderer is loaded from sources or from a build).
import { parentPort, workerData } from 'node:worker_threads';
import { loadSource } from '../../loadSource.mjs';

const mod = await loadSource(new URL('../../../agents/lib/imaging/zoom.ts', import.meta.url));
try {
  const out = await mod.renderZoomFile(workerData.path, workerData.options);
  parentPort.postMessage({ ok: true, zip: out.zip, width: out.width, height: out.height }, [out.zip.buffer]);
} catch (err) {
  parentPort.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
