/**
 * One round of an image through its agents: the fixed stages in order, the
 * agents of each stage in their order, each step planned by the pure
 * {@link planStep} (skip / cached / wait / run) and its outcome written to a
 * {@link ResultStore}. The engine's Pipeline runs it against the database
 * (`dbResultStore.ts`); `sidereal agent run` against memory
 * (`memoryResultStore.ts`). The rules of a round therefore have one home:
 * the input hash, what a skipped or failed agent means for the agents that
 * require it, the retry backoff, the facts' schema check, artifacts.
 *
 * Never throws for a problem of the image or an agent: those are results.
 */
import { AgentError, AgentSkip, STAGES, type AgentCache, type Facts, type ImageView, type Stage } from '../../../agents/sdk/index.ts';
import type { AgentHost } from '../../agent-host/AgentHost.ts';
import type { RegisteredAgent } from '../../agent-host/AgentRegistry.ts';
import type { PixelRound } from '../../agent-host/roundPixels.ts';
import type { ResultWrite } from '../../db/results.ts';
import { errorMessage } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { backoffSeconds } from './backoff.ts';
import { planStep, type PreviousResult } from './planStep.ts';
import { stableHash } from './stableHash.ts';
import { validateFacts } from './validateFacts.ts';

/** One step's outcome, as a store records it (the shape of a result row, without the image). */
export type StepResult = Omit<ResultWrite, 'imageId'> & { stage: Stage; facts: Facts | null };

/**
 * Where a round reads what earlier rounds left and writes what this one
 * does. Each write answers false when the image is gone (deleted meanwhile):
 * the round stops there.
 */
export interface ResultStore {
  /** earlier results by `agent/stage` */
  previous(): Promise<Map<string, PreviousResult>>;
  /** the user's edits (the `user` facts), or null */
  userEdits(): Promise<Facts | null>;
  write(step: StepResult): Promise<boolean>;
  artifact(a: { agent: string; name: string; contentType: string; data: Uint8Array; inputHash: string }): Promise<boolean>;
  cache(agent: string): AgentCache;
}

export interface RoundInput {
  host: AgentHost;
  store: ResultStore;
  image: ImageView;
  /** the agents in order; each runs in the stages it declares */
  agents: readonly RegisteredAgent[];
  /** the file as a local path (downloaded at the first agent that runs); a rejection is a retryable failure of that agent */
  localPath: () => Promise<string>;
  signal?: AbortSignal;
  log: Logger;
  maxAttempts: number;
  /** facts known before the round (e.g. from a file given to the CLI); the user's edits are added from the store */
  facts?: Record<string, Facts>;
  /** agents that run even when their appliesTo excludes the image (the CLI's --force) */
  force?: ReadonlySet<string>;
  /** per agent, the only stage it runs in (the CLI's --stage) */
  onlyStage?: ReadonlyMap<string, Stage>;
  onProgress?: (agent: string, fraction: number, message?: string) => void;
  /** the pixels decoded for this image (shared with another round by the caller, who closes it); default: the round's own */
  pixels?: PixelRound;
}

export interface RoundOutcome {
  /** the image record is gone (file deleted meanwhile) */
  vanished: boolean;
  /** the round was stopped by its signal (shutting down): the image is handed back, not failed */
  aborted: boolean;
  ran: number;
  cached: number;
  failed: { agent: string; error: string; retryAt: Date | null }[];
  /** provisional results to refresh at these times */
  refreshes: Date[];
  /** the facts at the end of the round, by agent */
  facts: Record<string, Facts>;
}

export async function runRound(i: RoundInput): Promise<RoundOutcome> {
  const { store, host, log } = i;
  const outcome: RoundOutcome = { vanished: false, aborted: false, ran: 0, cached: 0, failed: [], refreshes: [], facts: { ...(i.facts ?? {}) } };
  const facts = outcome.facts;
  const previous = await store.previous();
  const edits = await store.userEdits();
  if (edits) facts.user = edits;
  const notOk = new Set<string>();
  let localPath: Promise<string> | null = null;
  // the file is decoded once per round: the agents that read pixels share them
  const pixels = i.pixels ?? host.openRound();
  const gone = (): RoundOutcome => ({ ...outcome, vanished: true });
  try {
    for (const stage of STAGES) {
      for (const r of i.agents) {
        if (!r.agent.stages.includes(stage)) continue;
        const name = r.agent.name;
        const only = i.onlyStage?.get(name);
        if (only && only !== stage) continue;
        if (i.signal?.aborted) return { ...outcome, aborted: true };
        const prev = previous.get(`${name}/${stage}`);
        const started = new Date();
        const used: Record<string, unknown> = {};
        for (const u of r.agent.uses ?? []) used[u] = facts[u] ?? null;
        const inputHash = stableHash({
          v: r.agent.version,
          settings: r.settings,
          file: i.image.fingerprint,
          used,
          user: r.agent.usesUserEdits ? (facts.user ?? null) : null,
        });
        const base = { agent: name, stage, version: r.agent.version, inputHash, startedAt: started };

        let plan = planStep({ agent: r.agent, facts, notOk, prev, inputHash, now: Date.now() });
        if (plan.kind === 'skip' && i.force?.has(name)) plan = { kind: 'run', attempts: 1 };
        if (plan.kind === 'skip') {
          notOk.add(name);
          if (prev?.status !== 'skipped' || prev.input_hash !== inputHash) {
            if (!(await store.write({ ...base, status: 'skipped', facts: null, error: plan.reason, warnings: null, attempts: 0, ran: false, nextAttemptAt: null, durationMs: 0 }))) return gone();
          }
          continue;
        }
        if (plan.kind === 'cached') {
          facts[name] = { ...(facts[name] ?? {}), ...plan.facts };
          outcome.cached++;
          if (plan.refreshAt) outcome.refreshes.push(plan.refreshAt);
          continue;
        }
        if (plan.kind === 'cached-skip') {
          notOk.add(name);
          outcome.cached++;
          continue;
        }
        if (plan.kind === 'wait') {
          notOk.add(name);
          if (plan.retryAt) outcome.failed.push({ agent: name, error: plan.error, retryAt: plan.retryAt });
          continue;
        }

        const attempts = plan.attempts;
        try {
          localPath ??= i.localPath();
          const path = await localPath.catch((err) => {
            throw err instanceof AgentError ? err : new AgentError(`cannot read the file: ${errorMessage(err)}`, { permanent: false, cause: err });
          });
          const result = await host.run(r, { image: i.image, facts, localPath: path, settings: r.settings, stage }, {
            signal: i.signal,
            log,
            cache: store.cache(name),
            onProgress: (f, m) => i.onProgress?.(name, f, m),
            pixels,
          });
          outcome.ran++;
          const stageFacts = validateFacts(r, result.facts);
          for (const a of result.artifacts ?? []) {
            if (!(await store.artifact({ agent: name, name: a.name, contentType: a.contentType, data: a.data, inputHash }))) return gone();
          }
          facts[name] = { ...(facts[name] ?? {}), ...stageFacts };
          const refresh = typeof result.refreshAfterSeconds === 'number' && result.refreshAfterSeconds > 0 ? new Date(Date.now() + result.refreshAfterSeconds * 1000) : null;
          if (refresh) outcome.refreshes.push(refresh);
          const ok = await store.write({ ...base, status: 'done', facts: stageFacts, error: null, warnings: result.warnings?.length ? result.warnings : null, attempts, ran: true, nextAttemptAt: refresh, durationMs: Date.now() - started.getTime() });
          if (!ok) return gone();
        } catch (err) {
          if (i.signal?.aborted) return { ...outcome, aborted: true };
          notOk.add(name);
          outcome.ran++;
          if (err instanceof AgentSkip) {
            if (!(await store.write({ ...base, status: 'skipped', facts: null, error: err.message, warnings: null, attempts: 0, ran: true, nextAttemptAt: null, durationMs: Date.now() - started.getTime() }))) return gone();
            continue;
          }
          const permanent = err instanceof AgentError ? err.permanent : false;
          const retryAt = !permanent && attempts < i.maxAttempts ? new Date(Date.now() + backoffSeconds(attempts) * 1000) : null;
          const message = errorMessage(err);
          log.warn({ imageId: i.image.id, agent: name, attempts, err }, 'agent failed');
          outcome.failed.push({ agent: name, error: message, retryAt });
          const errorStack = err instanceof Error ? (err.stack ?? null) : null;
          if (!(await store.write({ ...base, status: 'failed', facts: null, error: message, errorStack, warnings: null, attempts, ran: true, nextAttemptAt: retryAt, durationMs: Date.now() - started.getTime() }))) return gone();
        }
      }
    }
    return outcome;
  } finally {
    if (!i.pixels) pixels.close();
  }
}
