/**
 * Reads a third-party agent's manifest in a throw-away worker thread with a
 * time limit and a heap cap: a module that throws, hangs or exhausts memory
 * while loading is reported as a load failure, and the daemon carries on.
 * The thread is the agent pool's own entry (worker.mjs, export `inspect`),
 * so the agent is loaded exactly as its runs will load it.
 */
import { Piscina } from 'piscina';
import { AgentLoadError, type AgentManifest } from './loadAgentModule.ts';

export interface InspectOptions {
  timeoutMs?: number;
  memoryMb?: number;
}

export async function inspectAgentModule(modulePath: string, options: InspectOptions = {}): Promise<AgentManifest> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pool = new Piscina({
    filename: new URL('./worker.mjs', import.meta.url).href,
    name: 'inspect',
    minThreads: 0,
    maxThreads: 1,
    resourceLimits: { maxOldGenerationSizeMb: options.memoryMb ?? 512 },
  });
  // an error outside the task must not become an unhandled 'error' event
  pool.on('error', () => {});
  try {
    const out = (await pool.run({ modulePath }, { signal: AbortSignal.timeout(timeoutMs) })) as { ok: true; manifest: AgentManifest } | { ok: false; error: string };
    if (!out.ok) throw new AgentLoadError(modulePath, out.error.replace(/^agent \S+: /, ''));
    return out.manifest;
  } catch (err) {
    if (err instanceof AgentLoadError) throw err;
    const e = err as { name?: string; code?: string; message?: string };
    if (e?.name === 'AbortError') throw new AgentLoadError(modulePath, `did not finish loading within ${timeoutMs / 1000} s`);
    if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') throw new AgentLoadError(modulePath, 'ran out of memory while loading');
    // 13: Node's exit code for a top-level await that can never settle
    if (/exited with code: 13\b/.test(e?.message ?? '')) throw new AgentLoadError(modulePath, 'never finishes loading (a top-level await that never settles)');
    throw new AgentLoadError(modulePath, `crashed while loading: ${e?.message ?? String(err)}`);
  } finally {
    await pool.destroy();
  }
}
