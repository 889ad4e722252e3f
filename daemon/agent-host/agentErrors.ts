/**
 * Errors of agent runs, and how they cross a thread boundary. Classification
 * is by name and shape, not `instanceof`: a third-party agent installed from
 * npm carries its own copy of the SDK, whose classes are not ours.
 */
import { AgentError, AgentSkip } from '../../agents/sdk/index.ts';

export interface SerializedError {
  name: string;
  message: string;
  /** AgentError.permanent, when the error had one */
  permanent?: boolean;
  stack?: string;
}

export class AgentTimeoutError extends Error {
  constructor(agent: string, seconds: number) {
    super(`agent ${agent} did not finish within ${seconds} s and was stopped`);
    this.name = 'AgentTimeoutError';
  }
}

export class AgentMemoryError extends Error {
  constructor(agent: string, detail: string) {
    super(`agent ${agent} used too much memory and was stopped (${detail})`);
    this.name = 'AgentMemoryError';
  }
}

/** The agent's thread died (crash, out of heap, process.exit in the worker). */
export class AgentCrashError extends Error {
  constructor(agent: string, cause: unknown) {
    super(`agent ${agent} crashed its worker thread: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'AgentCrashError';
  }
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error || (err && typeof err === 'object' && 'message' in err)) {
    const e = err as Error & { permanent?: unknown };
    return {
      name: typeof e.name === 'string' ? e.name : 'Error',
      message: typeof e.message === 'string' ? e.message : String(e.message),
      permanent: typeof e.permanent === 'boolean' ? e.permanent : undefined,
      stack: typeof e.stack === 'string' ? e.stack.split('\n').slice(0, 12).join('\n') : undefined,
    };
  }
  return { name: 'Error', message: `the agent threw a non-error value: ${safeString(err)}` };
}

/** Rebuilds an error the engine understands: AgentSkip, AgentError (with `permanent`), or a plain Error. */
export function deserializeError(e: SerializedError): Error {
  if (e.name === 'AgentSkip') return new AgentSkip(e.message);
  if (e.name === 'AgentError' || typeof e.permanent === 'boolean') {
    const err = new AgentError(e.message, { permanent: e.permanent ?? true });
    if (e.stack) err.stack = e.stack;
    return err;
  }
  // keep the kind of a programming error visible: "TypeError: x is undefined"
  const err = new Error(e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

/** Same classification for errors caught on the main thread (agents from another SDK copy). */
export function normalizeAgentError(err: unknown): unknown {
  if (err instanceof AgentError || err instanceof AgentSkip) return err;
  if (err instanceof Error && (err.name === 'AgentSkip' || err.name === 'AgentError')) return deserializeError(serializeError(err));
  return err;
}

function safeString(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}
