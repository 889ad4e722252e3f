/**
 * Runs agents: in the piscina worker pool (default: CPU-heavy work, crash and
 * memory isolation, hard time limit by terminating the thread) or on the main
 * event loop for built-in agents that say `thread: "main"` (I/O-bound work).
 * Third-party agents always run in the pool, whatever they ask for: a bad one
 * must not be able to stall or crash the daemon.
 *
 * Memory is capped three ways, because V8's heap limit (`resourceLimits`)
 * does not count ArrayBuffers and typed arrays, where pixel data live:
 *  1. heap + external memory of the running task, sampled in the thread
 *     whenever the agent yields to the event loop (or reports progress);
 *  2. the V8 heap of each thread, a little above the cap (`resourceLimits`;
 *     the thread dies with ERR_WORKER_OUT_OF_MEMORY and is replaced), for an
 *     agent that fills its heap without yielding;
 *  3. the process's resident memory, checked on the main thread, for a thread
 *     that allocates without ever yielding: a task whose thread stopped
 *     reporting while the process grew is stopped. A thread that is only
 *     computing while the process does not grow is never a suspect, so memory
 *     that stays resident after a culprit was stopped costs later runs
 *     nothing. When several silent threads could be the culprit, all are
 *     stopped on suspicion and each is run again once, alone among suspects
 *     and after the guard has been quiet: the culprit fails again, an
 *     innocent image completes.
 * Stopping a task terminates its thread; piscina starts a fresh one.
 */
import { totalmem } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { AgentCache, AgentResult } from '../../agents/sdk/index.ts';
import { log as rootLog, type Logger } from '../log.ts';
import { agentLogger, buildContext, type ContextInput } from './context.ts';
import type { RegisteredAgent } from './AgentRegistry.ts';
import type { WorkerOutput } from './agentWorker.ts';
import type { HostReply, WorkerMessage } from './messages.ts';
import { decodePixels, pixelRequest, PixelRound } from './roundPixels.ts';
import { AgentCrashError, AgentMemoryError, AgentTimeoutError, deserializeError, normalizeAgentError } from './agentErrors.ts';

export { AgentCrashError, AgentMemoryError, AgentTimeoutError } from './agentErrors.ts';
export { PixelRound } from './roundPixels.ts';

const MB = 1024 * 1024;
/** extra wait for a free thread before a queued run is given up (beyond twice its time limit) */
const BACKSTOP_SECONDS = 60;

export interface RunOptions {
  signal?: AbortSignal;
  cache: AgentCache;
  onProgress?: (fraction: number, message?: string) => void;
  log: Logger;
  /** the image's round: pixels decoded by one agent are given to the next ones (see roundPixels.ts) */
  pixels?: PixelRound;
}

export interface AgentHostOptions {
  threads: number;
  /** memory cap of one agent run (V8 heap, and heap + ArrayBuffers), MB */
  memoryMb: number;
  defaultTimeoutSeconds: number;
  /** resident memory the whole process may reach before a non-yielding thread is stopped (default: start RSS + (threads + 1) × memoryMb, at most 85 % of the machine's memory) */
  processMemoryLimitMb?: number;
  /** interval of the in-thread memory samples and of the process guard, ms */
  memorySampleMs?: number;
  log?: Logger;
}

interface RunningTask {
  agent: string;
  startedAt: number;
  lastSampleAt: number;
  lastBytes: number;
  /** the process's resident memory when the thread last reported */
  rssAtSample: number;
  kill: AbortController;
}

/** A run stopped by the process guard among several suspects: it may be innocent, so it is run again once. */
class SuspectedMemoryError extends AgentMemoryError {
  readonly suspected = true;
}

export class AgentHost {
  readonly pool: Piscina;
  private readonly running = new Set<RunningTask>();
  private readonly guard: NodeJS.Timeout;
  private readonly processLimitBytes: number;
  private readonly sampleMs: number;
  private readonly log: Logger;
  /** when the process guard last found a suspect (re-runs wait until it has been quiet for a while) */
  private lastSuspectAt = 0;
  /** re-runs of suspected runs, one at a time */
  private rerunChain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: AgentHostOptions) {
    this.log = options.log ?? rootLog.child({ component: 'agent-host' });
    this.sampleMs = options.memorySampleMs ?? 100;
    // every thread at its cap plus the main thread's share; never more than most of the machine's memory
    this.processLimitBytes =
      options.processMemoryLimitMb !== undefined
        ? options.processMemoryLimitMb * MB
        : Math.min(process.memoryUsage.rss() + (options.threads + 1) * options.memoryMb * MB, 0.85 * totalmem());
    this.pool = new Piscina({
      filename: new URL('./worker.mjs', import.meta.url).href,
      minThreads: 1,
      maxThreads: options.threads,
      idleTimeout: 60_000,
      // a backstop above the cap: the in-thread samples stop a yielding agent at
      // the cap itself, before V8 slows to a crawl collecting garbage near its limit
      resourceLimits: { maxOldGenerationSizeMb: Math.ceil(options.memoryMb * 1.25) },
      // one task per thread at a time: agent runs are long and CPU-bound
      concurrentTasksPerWorker: 1,
    });
    // an error outside a task (a stray timer of an agent throwing after its run
    // ended) would otherwise be an unhandled 'error' event: the process would exit
    this.pool.on('error', (err: unknown) => this.log.error({ err }, 'agent worker thread failed outside a task; it was replaced'));
    this.guard = setInterval(() => this.checkProcessMemory(), Math.max(50, this.sampleMs * 2));
    this.guard.unref();
  }

  timeoutFor(r: RegisteredAgent): number {
    return r.agent.timeoutSeconds ?? this.options.defaultTimeoutSeconds;
  }

  /** Where an agent runs: built-ins may ask for the main thread; third-party agents never get it. */
  threadOf(r: RegisteredAgent): 'main' | 'worker' {
    return r.builtin && r.agent.thread === 'main' ? 'main' : 'worker';
  }

  /**
   * Runs one agent on one image. The time limit counts from the moment the
   * agent's code starts (for the pool: once a thread has taken the task and
   * loaded the agent), so a thread being replaced after another agent's crash
   * does not eat into it; a backstop bounds the wait for a thread.
   */
  async run(r: RegisteredAgent, input: ContextInput, opts: RunOptions): Promise<AgentResult> {
    try {
      return await this.runOnce(r, input, opts);
    } catch (err) {
      if (!(err instanceof SuspectedMemoryError) || opts.signal?.aborted) throw err;
      opts.log.warn({ agent: r.agent.name, err }, 'run stopped by the process memory guard among several suspects: it runs again once the guard is quiet');
      const turn = this.rerunChain.then(async () => {
        await this.guardQuiet(opts.signal);
        return await this.runOnce(r, input, opts);
      });
      this.rerunChain = turn.catch(() => {});
      return await turn;
    }
  }

  /** Waits until the process guard has found no suspect for a few checks (at most a minute). */
  private async guardQuiet(signal?: AbortSignal): Promise<void> {
    const quietMs = this.sampleMs * 10;
    const until = Date.now() + 60_000;
    while (Date.now() - this.lastSuspectAt < quietMs && Date.now() < until && !signal?.aborted) {
      await new Promise((res) => setTimeout(res, this.sampleMs));
    }
  }

  private async runOnce(r: RegisteredAgent, input: ContextInput, opts: RunOptions): Promise<AgentResult> {
    const seconds = this.timeoutFor(r);
    const timeout = new AbortController();
    const kill = new AbortController();
    const timers: NodeJS.Timeout[] = [];
    let clockStarted = false;
    const startClock = () => {
      if (clockStarted) return;
      clockStarted = true;
      timers.push(setTimeout(() => timeout.abort(new AgentTimeoutError(r.agent.name, seconds)), seconds * 1000));
    };
    timers.push(setTimeout(() => timeout.abort(new AgentTimeoutError(r.agent.name, seconds)), (2 * seconds + BACKSTOP_SECONDS) * 1000));
    const signals = [timeout.signal, kill.signal, ...(opts.signal ? [opts.signal] : [])];
    const signal = AbortSignal.any(signals);
    try {
      if (this.threadOf(r) === 'main') {
        startClock();
        return await this.runMain(r, input, opts, signal);
      }
      return await this.runWorker(r, input, opts, signal, kill, startClock);
    } catch (err) {
      if (kill.signal.aborted) throw kill.signal.reason;
      if (timeout.signal.aborted && !opts.signal?.aborted) throw timeout.signal.reason;
      if ((err as { code?: string })?.code === 'ERR_WORKER_OUT_OF_MEMORY') throw new AgentMemoryError(r.agent.name, `its thread reached the JavaScript heap limit (${Math.ceil(this.options.memoryMb * 1.25)} MB)`);
      throw err;
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  }

  private async runMain(r: RegisteredAgent, input: ContextInput, opts: RunOptions, signal: AbortSignal): Promise<AgentResult> {
    const ctx = buildContext(input, {
      log: agentLogger(opts.log.child({ agent: r.agent.name })),
      signal,
      cache: opts.cache,
      progress: (f, m) => opts.onProgress?.(f, m),
      readPixels: async (localPath, options) => {
        const req = pixelRequest(options);
        const cached = opts.pixels?.lookup(req);
        if (cached) return cached;
        const image = await decodePixels(localPath, req);
        opts.pixels?.store(req, image);
        return image;
      },
    });
    // the agent should honour ctx.signal; the race makes sure we stop waiting anyway
    return await new Promise<AgentResult>((resolve, reject) => {
      const onAbort = () => reject(signal.reason ?? new Error('aborted'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      r.agent
        .run(ctx)
        .then(resolve, (err) => reject(normalizeAgentError(err)))
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async runWorker(r: RegisteredAgent, input: ContextInput, opts: RunOptions, signal: AbortSignal, kill: AbortController, started: () => void): Promise<AgentResult> {
    const name = r.agent.name;
    const capBytes = this.options.memoryMb * MB;
    // lastSampleAt 0 = still queued for a thread: never a suspect of the process guard
    const task: RunningTask = { agent: name, startedAt: Date.now(), lastSampleAt: 0, lastBytes: 0, rssAtSample: 0, kill };
    const { port1, port2 } = new MessageChannel();
    const reply = (r: HostReply) => port1.postMessage(r);
    port1.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'memory':
          task.lastSampleAt = Date.now();
          task.lastBytes = m.bytes;
          task.rssAtSample = process.memoryUsage.rss();
          if (task.lastBytes > capBytes && !kill.signal.aborted) {
            kill.abort(new AgentMemoryError(name, `${Math.round(task.lastBytes / MB)} MB in use, the limit is ${this.options.memoryMb} MB`));
          }
          return;
        case 'started':
          return started();
        case 'progress':
          return opts.onProgress?.(m.fraction, m.message);
        case 'pixels-get':
          return reply({ id: m.id, value: opts.pixels?.lookup(m.request) });
        case 'pixels-put':
          return opts.pixels?.store(m.request, m.image);
        case 'cache-get':
          opts.cache.get(m.key).then(
            (value) => reply({ id: m.id, value }),
            () => reply({ id: m.id }),
          );
          return;
        case 'cache-set':
          opts.cache.set(m.key, m.value ?? null, { ttlSeconds: m.ttlSeconds }).then(
            () => reply({ id: m.id }),
            () => reply({ id: m.id }),
          );
          return;
      }
    });
    this.running.add(task);
    try {
      let out: WorkerOutput;
      try {
        out = (await this.pool.run(
          { ...input, modulePath: r.modulePath, agentName: name, port: port2, memorySampleMs: this.sampleMs },
          { transferList: [port2] as never, signal },
        )) as WorkerOutput;
      } catch (err) {
        if (signal.aborted || (err as { code?: string })?.code === 'ERR_WORKER_OUT_OF_MEMORY') throw err;
        throw new AgentCrashError(name, err);
      }
      // progress and cache messages posted before the result travel on another channel: let them arrive
      await new Promise((r) => setImmediate(r));
      if (!out.ok) throw deserializeError(out.error);
      return { facts: out.facts as AgentResult['facts'], artifacts: out.artifacts, warnings: out.warnings, ...(out.refreshAfterSeconds !== undefined ? { refreshAfterSeconds: out.refreshAfterSeconds } : {}) };
    } finally {
      this.running.delete(task);
      port1.close();
    }
  }

  /**
   * The process guard. When resident memory is over the limit, the running
   * tasks that have not reported since the process grew (by at least an
   * eighth of the per-run cap) are the ones that may be allocating without
   * yielding; those silent for a while are stopped. Growth, not the level,
   * makes a suspect: memory the allocator keeps after a culprit was stopped
   * must not condemn the next thread that computes for a second without
   * yielding. A lone suspect is the culprit; when there are several, each
   * stopped one is run again once by `run` (it may be innocent).
   */
  private checkProcessMemory(): void {
    if (!this.running.size) return;
    const rss = process.memoryUsage.rss();
    if (rss <= this.processLimitBytes) return;
    const now = Date.now();
    const staleAfter = this.sampleMs * 2.5;
    const minGrowth = Math.max(64 * MB, (this.options.memoryMb * MB) / 8);
    const unaccounted = [...this.running].filter((t) => !t.kill.signal.aborted && t.lastSampleAt > 0 && rss - t.rssAtSample >= minGrowth);
    const stale = unaccounted.filter((t) => now - t.lastSampleAt > staleAfter);
    if (!stale.length) return; // every thread reports, or none grew the process: the excess is not a running agent's
    this.lastSuspectAt = now;
    const certain = unaccounted.length === 1;
    const detail = `the process reached ${Math.round(rss / MB)} MB while the agent's thread did not yield`;
    for (const t of stale) {
      this.log.warn({ agent: t.agent, suspects: unaccounted.length, rssMb: Math.round(rss / MB), limitMb: Math.round(this.processLimitBytes / MB) }, 'process memory over its limit: stopping a non-yielding agent');
      t.kill.abort(certain ? new AgentMemoryError(t.agent, detail) : new SuspectedMemoryError(t.agent, detail));
    }
  }

  /** A new round of one image: pass it to each run of the round (RunOptions.pixels), close it at the end. */
  openRound(): PixelRound {
    return new PixelRound();
  }

  async close(): Promise<void> {
    clearInterval(this.guard);
    for (const t of this.running) t.kill.abort(new Error('the daemon is shutting down'));
    await this.pool.close({ force: true });
  }
}
