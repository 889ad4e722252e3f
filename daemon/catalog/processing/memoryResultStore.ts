/**
 * A result store in memory, for one round without a database (`sidereal
 * agent run`): no earlier results, no user edits, an in-memory cache per
 * agent; the steps and artifacts it was given are kept for the caller.
 */
import type { AgentCache, Facts } from '../../../agents/sdk/index.ts';
import { memoryCache } from '../../../agents/sdk/runtime.ts';
import type { ResultStore, StepResult } from './round.ts';

export interface MemoryResultStore extends ResultStore {
  readonly steps: StepResult[];
  readonly artifacts: { agent: string; name: string; contentType: string; data: Uint8Array }[];
}

export function memoryResultStore(options: { userEdits?: Facts | null } = {}): MemoryResultStore {
  const caches = new Map<string, AgentCache>();
  const steps: StepResult[] = [];
  const artifacts: MemoryResultStore['artifacts'] = [];
  return {
    steps,
    artifacts,
    previous: async () => new Map(),
    userEdits: async () => options.userEdits ?? null,
    async write(s) {
      steps.push(s);
      return true;
    },
    async artifact(a) {
      artifacts.push({ agent: a.agent, name: a.name, contentType: a.contentType, data: a.data });
      return true;
    },
    cache(agent) {
      let c = caches.get(agent);
      if (!c) caches.set(agent, (c = memoryCache()));
      return c;
    },
  };
}
