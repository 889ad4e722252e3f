/**
 * Imports an agent module and checks its default export against the SDK
 * contract, with a clear message for each problem.
 */
import { STAGES, type Agent } from '../../agents/sdk/index.ts';

const cache = new Map<string, Promise<Agent>>();

export class AgentLoadError extends Error {
  constructor(readonly source: string, message: string, options?: { cause?: unknown }) {
    super(`agent ${source}: ${message}`, options);
    this.name = 'AgentLoadError';
  }
}

export function validateAgent(agent: unknown, source: string): Agent {
  const problems: string[] = [];
  const a = agent as Partial<Agent> | null;
  if (!a || typeof a !== 'object') throw new AgentLoadError(source, 'the module has no default export object (export default defineAgent({...}))');
  if (typeof a.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(a.name)) problems.push('name must be lowercase letters, digits and dashes');
  if (a.name === 'user') problems.push('"user" is reserved');
  if (typeof a.version !== 'string' || !a.version) problems.push('version must be a non-empty string');
  if (!Array.isArray(a.stages) || a.stages.length === 0 || a.stages.some((s) => !STAGES.includes(s))) problems.push(`stages must be a non-empty list of ${STAGES.join(', ')}`);
  if (typeof a.run !== 'function') problems.push('run must be a function');
  if (a.thread !== undefined && a.thread !== 'worker' && a.thread !== 'main') problems.push('thread must be "worker" or "main"');
  if (a.timeoutSeconds !== undefined && !(typeof a.timeoutSeconds === 'number' && a.timeoutSeconds > 0)) problems.push('timeoutSeconds must be a positive number');
  if (a.uses !== undefined && (!Array.isArray(a.uses) || a.uses.some((u) => typeof u !== 'string'))) problems.push('uses must be a list of agent names');
  if (problems.length) throw new AgentLoadError(source, problems.join('; '));
  return a as Agent;
}

export function loadAgentModule(modulePath: string): Promise<Agent> {
  let p = cache.get(modulePath);
  if (!p) {
    p = import(modulePath).then(
      (m) => validateAgent(m.default ?? m.agent, modulePath),
      (err) => {
        throw new AgentLoadError(modulePath, `cannot be imported: ${(err as Error).message}`, { cause: err });
      },
    );
    cache.set(modulePath, p);
    p.catch(() => cache.delete(modulePath));
  }
  return p;
}
