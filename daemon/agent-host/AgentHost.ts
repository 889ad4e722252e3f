/**
 * Runs agents: in the piscina worker pool (default: CPU-heavy work, crash and
 * memory isolation, hard time limit by terminating the thread) or on the main
 * event loop for agents that say `thread: "main"` (I/O-bound work).
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { AgentCache, AgentResult, Json } from '../../agents/sdk/index.ts';
import type { Logger } from '../log.ts';
import { agentLogger, buildContext, type ContextInput } from './context.ts';
import type { RegisteredAgent } from './AgentRegistry.ts';
import type { WorkerOutput } from './agentWorker.ts';

export class AgentTimeoutError extends Error {
  constructor(agent: string, seconds: number) {
    super(`agent ${agent} did not finish within ${seconds} s`);
    this.name = 'AgentTimeoutError';
  }
}

export interface RunOptions {
  signal?: AbortSignal;
  cache: AgentCache;
  onProgress?: (fraction: number, message?: string) => void;
  log: Logger;
}

export class AgentHost {
  readonly pool: Piscina;

  constructor(private readonly options: { threads: number; memoryMb: number; defaultTimeoutSeconds: number }) {
    this.pool = new Piscina({
      filename: new URL('./worker.mjs', import.meta.url).href,
      minThreads: 1,
      maxThreads: options.threads,
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
      // one task per thread at a time: agent runs are long and CPU-bound
      concurrentTasksPerWorker: 1,
    });
  }

  timeoutFor(r: RegisteredAgent): number {
    return r.agent.timeoutSeconds ?? this.options.defaultTimeoutSeconds;
  }

  async run(r: RegisteredAgent, input: ContextInput, opts: RunOptions): Promise<AgentResult> {
    const seconds = this.timeoutFor(r);
    const timeout = AbortSignal.timeout(seconds * 1000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    try {
      if (r.agent.thread === 'main') return await this.runMain(r, input, opts, signal);
      return await this.runWorker(r, input, opts, signal);
    } catch (err) {
      if (timeout.aborted) throw new AgentTimeoutError(r.agent.name, seconds);
      throw err;
    }
  }

  private async runMain(r: RegisteredAgent, input: ContextInput, opts: RunOptions, signal: AbortSignal): Promise<AgentResult> {
    const ctx = buildContext(input, {
      log: agentLogger(opts.log.child({ agent: r.agent.name })),
      signal,
      cache: opts.cache,
      progress: (f, m) => opts.onProgress?.(f, m),
    });
    // the agent should honour ctx.signal; the race makes sure we stop waiting anyway
    return await new Promise<AgentResult>((resolve, reject) => {
      const onAbort = () => reject(signal.reason ?? new Error('aborted'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      r.agent.run(ctx).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async runWorker(r: RegisteredAgent, input: ContextInput, opts: RunOptions, signal: AbortSignal): Promise<AgentResult> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (m: { type: string; id?: number; key?: string; value?: Json; ttlSeconds?: number; fraction?: number; message?: string }) => {
      if (m.type === 'progress') opts.onProgress?.(m.fraction ?? 0, m.message);
      else if (m.type === 'cache-get')
        opts.cache.get(m.key!).then(
          (value) => port1.postMessage({ id: m.id, value }),
          () => port1.postMessage({ id: m.id, value: undefined }),
        );
      else if (m.type === 'cache-set')
        opts.cache.set(m.key!, m.value ?? null, { ttlSeconds: m.ttlSeconds }).then(
          () => port1.postMessage({ id: m.id }),
          () => port1.postMessage({ id: m.id }),
        );
    });
    try {
      const out = (await this.pool.run(
        { ...input, modulePath: r.modulePath, agentName: r.agent.name, port: port2 },
        { transferList: [port2] as never, signal },
      )) as WorkerOutput;
      return { facts: out.facts as AgentResult['facts'], artifacts: out.artifacts, warnings: out.warnings };
    } finally {
      port1.close();
    }
  }

  async close(): Promise<void> {
    await this.pool.close({ force: true });
  }
}
