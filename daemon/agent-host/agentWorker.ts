/**
 * Runs inside a piscina worker thread: loads an agent module (cached per
 * thread), builds its context and runs it. Cache calls and progress go back
 * to the host over a MessagePort.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Agent, AgentCache, Json } from '../../agents/sdk/index.ts';
import { log } from '../log.ts';
import { agentLogger, buildContext, type ContextInput } from './context.ts';
import { loadAgentModule } from './loadAgentModule.ts';

export interface WorkerTask extends ContextInput {
  modulePath: string;
  agentName: string;
  port: MessagePort;
}

export interface WorkerOutput {
  facts: unknown;
  artifacts: { name: string; contentType: string; data: Uint8Array }[];
  warnings: string[];
}

function portCache(port: MessagePort): AgentCache {
  let seq = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  port.on('message', (m: { id: number; value?: Json }) => {
    waiting.get(m.id)?.(m.value);
    waiting.delete(m.id);
  });
  const call = (msg: Record<string, unknown>) =>
    new Promise<unknown>((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve);
      port.postMessage({ ...msg, id });
    });
  return {
    get: async (key) => (await call({ type: 'cache-get', key })) as Json | undefined,
    set: async (key, value, options) => void (await call({ type: 'cache-set', key, value, ttlSeconds: options?.ttlSeconds })),
  };
}

export default async function runAgentTask(task: WorkerTask): Promise<WorkerOutput> {
  const agent: Agent = await loadAgentModule(task.modulePath);
  const controller = new AbortController(); // aborting a piscina task terminates the thread itself
  const ctx = buildContext(task, {
    log: agentLogger(log.child({ component: 'agent', agent: task.agentName, imageId: task.image.id })),
    signal: controller.signal,
    cache: portCache(task.port),
    progress: (fraction, message) => task.port.postMessage({ type: 'progress', fraction, message }),
  });
  try {
    const result = await agent.run(ctx);
    const artifacts = (result.artifacts ?? []).map((a) => ({ name: a.name, contentType: a.contentType, data: a.data }));
    // artifacts are small (thumbnails, previews): a structured-clone copy is fine
    return { facts: result.facts, artifacts, warnings: result.warnings ?? [] };
  } finally {
    task.port.close();
  }
}
