// Entry of the agent worker threads (see daemon/loadSource.mjs for how the
// worker code is loaded from sources or from a build).
import { loadSource } from '../loadSource.mjs';

const mod = await loadSource(new URL('./agentWorker.ts', import.meta.url));
export default mod.default;
// reads a third-party agent's manifest (see inspectAgent.ts)
export const inspect = mod.inspect;
