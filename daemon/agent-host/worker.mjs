// Entry of the agent worker threads. From TypeScript sources (npm start without
// a build, tests) it registers tsx first; from a build it loads compiled JS.
import { existsSync } from 'node:fs';

const compiled = new URL('./agentWorker.js', import.meta.url);
let mod;
if (existsSync(compiled)) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(new URL('./agentWorker.ts', import.meta.url).href);
}
export default mod.default;
// reads a third-party agent's manifest (see inspectAgent.ts)
export const inspect = mod.inspect;
