/**
 * Runs inside a piscina worker thread: loads an agent module (cached per
 * thread), builds its context and runs it. Cache calls, progress and memory
 * samples go back to the host over a MessagePort.
 *
 * Errors are returned as data, not thrown: a thrown error crosses the thread
 * boundary as a bare `Error` (structured clone keeps only the message), which
 * would turn an `AgentSkip` into a failure and lose `AgentError.permanent`.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Agent, AgentCache, Json, PixelImage } from '../../agents/sdk/index.ts';
import type { PixelReader } from '../../agents/sdk/runtime.ts';
import { pino } from 'pino';
import { log as daemonLog, type Logger } from '../log.ts';
import { agentLogger, buildContext, type ContextInput } from './context.ts';
import { agentManifest, loadAgentModule, type AgentManifest } from './loadAgentModule.ts';
import { serializeError, type SerializedError } from './agentErrors.ts';
import type { HostReply, WorkerCall, WorkerMessage } from './messages.ts';
import { decodePixels, pixelRequest } from './roundPixels.ts';

export interface WorkerTask extends ContextInput {
  modulePath: string;
  agentName: string;
  port: MessagePort;
  /** how often to report memory use to the host (ms); 0 = never */
  memorySampleMs?: number;
}

export type WorkerOutput =
  | { ok: true; facts: unknown; artifacts: { name: string; contentType: string; data: Uint8Array }[]; warnings: string[]; refreshAfterSeconds?: number }
  | { ok: false; error: SerializedError };

/** Memory this thread holds: its V8 heap plus memory outside it (ArrayBuffers, typed arrays). */
export function threadMemoryBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * Agents log through the daemon's logger; a command-line tool that prints its
 * result on standard output asks (SIDEREAL_AGENT_LOG_FD=2) for standard error.
 */
const log: Logger = process.env.SIDEREAL_AGENT_LOG_FD === '2' ? pino({ level: daemonLog.level }, pino.destination({ fd: 2, sync: true })) : daemonLog;

/** The agent this thread ran last: the likely owner of an error thrown outside any run. */
let lastAgent: string | null = null;

// An agent's stray timer or promise that throws after its run ended must not
// end the thread, nor fail whichever run the thread is busy with by then
// (idle piscina threads sleep, so a late timer fires during the next task).
process.on('uncaughtException', (err) => log.warn({ component: 'agent', agent: lastAgent, err }, 'an agent threw outside its run; ignored'));
process.on('unhandledRejection', (err) => log.warn({ component: 'agent', agent: lastAgent, err }, 'an agent left a rejected promise unhandled; ignored'));

/** Posts a message to the host (the one protocol: messages.ts). */
function post(port: MessagePort, m: WorkerMessage): void {
  port.postMessage(m);
}

type Call = (msg: WorkerCall) => Promise<HostReply['value']>;

/** Requests to the host over the task's port, each answered by a reply with the same id. */
function portCalls(port: MessagePort): Call {
  let seq = 0;
  const waiting = new Map<number, (v: HostReply['value']) => void>();
  port.on('message', (m: HostReply) => {
    waiting.get(m.id)?.(m.value);
    waiting.delete(m.id);
  });
  return (msg) =>
    new Promise((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve);
      post(port, { ...msg, id });
    });
}

function portCache(call: Call): AgentCache {
  return {
    get: async (key) => (await call({ type: 'cache-get', key })) as Json | undefined,
    set: async (key, value, options) => void (await call({ type: 'cache-set', key, value, ttlSeconds: options?.ttlSeconds })),
  };
}

/**
 * ctx.readPixels in a pool thread: the host answers with the round's pixels
 * when an earlier agent decoded what this request needs (shared memory, no
 * copy); otherwise this thread decodes and hands the pixels to the host for
 * the next agents of the round.
 */
function portPixels(call: Call, port: MessagePort): PixelReader {
  return async (localPath, options) => {
    const req = pixelRequest(options);
    const cached = (await call({ type: 'pixels-get', request: req })) as PixelImage | undefined;
    if (cached) return cached;
    const image = await decodePixels(localPath, req);
    post(port, { type: 'pixels-put', request: req, image });
    return image;
  };
}

export default async function runAgentTask(task: WorkerTask): Promise<WorkerOutput> {
  // memory of this run = what the thread holds beyond its low-water mark since the run began:
  // garbage an earlier run left on this thread (a huge buffer not yet collected) is not charged
  // to this one, and once collected the mark drops to the thread's real baseline
  let base = threadMemoryBytes();
  const sample = () => {
    const now = threadMemoryBytes();
    if (now < base) base = now;
    post(task.port, { type: 'memory', bytes: now - base });
  };
  // samples run whenever the agent yields to the event loop; a thread that
  // never yields is watched by the host's process-wide guard instead
  const sampler = task.memorySampleMs ? setInterval(sample, task.memorySampleMs) : null;
  // the first sample tells the host the task has a thread (it is delivered even if the agent never yields)
  if (sampler) sample();
  lastAgent = task.agentName;
  try {
    const agent: Agent = await loadAgentModule(task.modulePath);
    // the agent's time limit starts now (not while the thread started or the module loaded)
    post(task.port, { type: 'started' });
    const call = portCalls(task.port);
    const controller = new AbortController(); // aborting a piscina task terminates the thread itself
    const ctx = buildContext(task, {
      log: agentLogger(log.child({ component: 'agent', agent: task.agentName, imageId: task.image.id })),
      signal: controller.signal,
      cache: portCache(call),
      readPixels: portPixels(call, task.port),
      progress: (fraction, message) => {
        post(task.port, { type: 'progress', fraction, message });
        if (sampler) sample();
      },
    });
    const result = await agent.run(ctx);
    if (!result || typeof result !== 'object') return { ok: false, error: { name: 'Error', message: `run() must return { facts }, got ${result === null ? 'null' : typeof result}` } };
    const artifacts = (result.artifacts ?? []).map((a) => ({ name: a.name, contentType: a.contentType, data: a.data }));
    // artifacts are small (thumbnails, previews): a structured-clone copy is fine
    return { ok: true, facts: result.facts, artifacts, warnings: result.warnings ?? [], ...(typeof result.refreshAfterSeconds === 'number' ? { refreshAfterSeconds: result.refreshAfterSeconds } : {}) };
  } catch (err) {
    return { ok: false, error: serializeError(err) };
  } finally {
    if (sampler) clearInterval(sampler);
    task.port.close();
  }
}

/**
 * Imports and validates an agent module and returns its manifest (everything
 * but `run`), or the problem. Runs in a throw-away thread: see inspectAgent.ts.
 */
export async function inspect(task: { modulePath: string }): Promise<{ ok: true; manifest: AgentManifest } | { ok: false; error: string }> {
  try {
    return { ok: true, manifest: agentManifest(await loadAgentModule(task.modulePath)) };
  } catch (err) {
    return { ok: false, error: (err as Error)?.message ?? String(err) };
  }
}
