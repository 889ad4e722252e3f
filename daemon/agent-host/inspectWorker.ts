/**
 * Runs in a short-lived thread (see inspectAgent.ts): imports one agent
 * module, validates it and posts back its manifest or the problem.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { agentManifest, loadAgentModule } from './loadAgentModule.ts';

const { modulePath } = workerData as { modulePath: string };
try {
  const agent = await loadAgentModule(modulePath);
  parentPort!.postMessage({ ok: true, manifest: agentManifest(agent) });
} catch (err) {
  parentPort!.postMessage({ ok: false, error: (err as Error)?.message ?? String(err) });
}
