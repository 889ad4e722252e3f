/**
 * Reads a third-party agent's manifest in a throw-away worker thread with a
 * time limit and a heap cap: a module that throws, hangs or exhausts memory
 * while loading is reported as a load failure, and the daemon carries on.
 */
import { Worker } from 'node:worker_threads';
import { AgentLoadError, type AgentManifest } from './loadAgentModule.ts';

export interface InspectOptions {
  timeoutMs?: number;
  memoryMb?: number;
}

export function inspectAgentModule(modulePath: string, options: InspectOptions = {}): Promise<AgentManifest> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise<AgentManifest>((resolve, reject) => {
    const worker = new Worker(new URL('./inspect.mjs', import.meta.url), {
      workerData: { modulePath },
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb ?? 512 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(() => finish(() => reject(new AgentLoadError(modulePath, `did not finish loading within ${timeoutMs / 1000} s`))), timeoutMs);
    worker.on('message', (m: { ok: boolean; manifest?: AgentManifest; error?: string }) => {
      finish(() => (m.ok ? resolve(m.manifest!) : reject(new AgentLoadError(modulePath, (m.error ?? 'failed').replace(/^agent \S+: /, '')))));
    });
    worker.on('error', (err) => {
      const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      finish(() => reject(new AgentLoadError(modulePath, oom ? 'ran out of memory while loading' : `crashed while loading: ${err.message}`)));
    });
    worker.on('exit', (code) =>
      finish(() =>
        reject(
          new AgentLoadError(
            modulePath,
            // 13: Node's exit code for a top-level await that can never settle
            code === 13 ? 'never finishes loading (a top-level await that never settles)' : `its loader exited (code ${code}) before the agent was read`,
          ),
        ),
      ),
    );
  });
}
