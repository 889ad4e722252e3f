/**
 * The pure part of the pipeline: for one agent and one stage, what to do —
 * skip it (its appliesTo excludes the image), reuse its cached result, wait
 * (it failed with the same input and its backoff has not passed), or run it.
 * No database, no clock of its own (`now` is given): unit-tested as is, and
 * shared by the engine's Pipeline and the CLI's `sidereal agent run`.
 */
import type { Agent, Facts } from '../../../agents/sdk/index.ts';

/** The stored result of an earlier round, as far as planning needs it. */
export interface PreviousResult {
  status: 'done' | 'failed' | 'skipped';
  input_hash: string;
  agent_version: string;
  facts?: unknown;
  error: string | null;
  attempts: number;
  next_attempt_at: string | null;
}

export type StepPlan =
  | { kind: 'skip'; reason: string }
  | { kind: 'cached'; facts: Facts; refreshAt: Date | null }
  | { kind: 'cached-skip' }
  | { kind: 'wait'; error: string; retryAt: Date | null }
  | { kind: 'run'; attempts: number };

/**
 * Why an agent's appliesTo excludes the image, or null. `notOk` holds the
 * agents that failed or were skipped earlier in this round: an agent that
 * requires one of them does not apply either.
 */
export function notApplicable(agent: Pick<Agent, 'appliesTo'>, facts: Record<string, Facts>, notOk: ReadonlySet<string> = new Set()): string | null {
  const a = agent.appliesTo;
  if (!a) return null;
  const file = facts.file as { format?: string; frameType?: string } | undefined;
  if (a.formats && !(file?.format && a.formats.includes(file.format))) return `format ${file?.format ?? 'unknown'} not handled`;
  if (a.frameTypes && !(file?.frameType && (a.frameTypes as string[]).includes(file.frameType))) return `frame type ${file?.frameType ?? 'unknown'} not handled`;
  for (const req of a.requires ?? []) if (!facts[req] || notOk.has(req)) return `needs ${req}`;
  return null;
}

export function planStep(i: {
  agent: Pick<Agent, 'appliesTo' | 'version'>;
  facts: Record<string, Facts>;
  notOk: ReadonlySet<string>;
  prev: PreviousResult | undefined;
  inputHash: string;
  now: number;
}): StepPlan {
  const reason = notApplicable(i.agent, i.facts, i.notOk);
  if (reason) return { kind: 'skip', reason };
  const prev = i.prev;
  const same = !!prev && prev.input_hash === i.inputHash && prev.agent_version === i.agent.version;
  if (prev && same) {
    const at = prev.next_attempt_at ? new Date(prev.next_attempt_at) : null;
    // a provisional result is reused until its refresh time
    if (prev.status === 'done' && (!at || at.getTime() > i.now)) return { kind: 'cached', facts: prev.facts as Facts, refreshAt: at };
    if (prev.status === 'skipped') return { kind: 'cached-skip' };
    // failed with the same input: run again only when its backoff has passed (never when none is set)
    if (prev.status === 'failed' && (!at || at.getTime() > i.now)) return { kind: 'wait', error: prev.error ?? 'failed', retryAt: at };
  }
  const attempts = prev && prev.input_hash === i.inputHash && prev.status === 'failed' ? prev.attempts + 1 : 1;
  return { kind: 'run', attempts };
}
