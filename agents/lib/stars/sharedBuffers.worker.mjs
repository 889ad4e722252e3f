// Worker for sharedBuffers.test.ts: registers tsx (worker threads do not inherit
// it), waits for the offers of the threads that were there first, then asks for the test
// key and writes into it.
import { parentPort } from 'node:worker_threads';
const { register } = await import('tsx/esm/api');
register();
const { sharedBuffer } = await import(new URL('./sharedBuffers.ts', import.meta.url).href);
await new Promise((r) => setTimeout(r, 300));
let filled = false;
const u8 = new Uint8Array(sharedBuffer('test-key', 64, (into) => { filled = true; into[0] = 99; }));
const first = u8[0];
u8[1] = 7; // visible to the main thread only if the memory is shared
parentPort.postMessage({ filled, first });
