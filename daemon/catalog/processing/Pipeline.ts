/**
 * The pipeline of one image: fixed stages in order, the enabled agents of each
 * stage in registration order, each agent's result cached by its input hash.
 * Never throws for a problem of the image or an agent: those are recorded on
 * the result rows; the caller schedules a retry from the returned summary.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline as streamPipeline } from 'node:stream/promises';
import type { DatabasePool } from 'slonik';
import { AgentError, AgentSkip, STAGES, type Facts, type ImageView, type Json } from '../../../agents/sdk/index.ts';
import type { AgentHost } from '../../agent-host/AgentHost.ts';
import type { AgentRegistry, RegisteredAgent } from '../../agent-host/AgentRegistry.ts';
import { errorMessage } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { StorageBackend } from '../../storage/StorageBackend.ts';
import { cacheGet, cacheSet, loadResults, upsertDerived, writeResult, type ResultRow } from '../../db/results.ts';
import { loadUserEdits } from '../../db/edits.ts';
import type { ClaimedImage } from '../imageState.ts';
import { backoffSeconds } from './backoff.ts';
import { stableHash } from './stableHash.ts';
import { validateFacts } from './validateFacts.ts';
import { planStep } from './planStep.ts';

export interface PipelineDeps {
  db: DatabasePool;
  registry: AgentRegistry;
  host: AgentHost;
  storages: Map<string, StorageBackend>;
  derived: StorageBackend;
  tmpDir: string;
  maxAttempts: number;
  log: Logger;
  onProgress?: (imageId: string, agent: string, fraction: number, message?: string) => void;
}

export interface PipelineOutcome {
  /** the image record is gone (file deleted meanwhile) */
  vanished: boolean;
  ran: number;
  cached: number;
  failed: { agent: string; error: string; retryAt: Date | null }[];
  /** provisional results to refresh at these times */
  refreshes: Date[];
}

const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/png': 'png', 'image/svg+xml': 'svg', 'application/json': 'json' };

export class Pipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /** Makes the file readable as a local path (S3 objects are downloaded to a temporary file). */
  private async stage(image: ClaimedImage, storage: StorageBackend): Promise<{ path: string; cleanup: () => Promise<void> }> {
    const local = storage.localPath(image.storage_key);
    if (local) return { path: local, cleanup: async () => {} };
    await mkdir(this.deps.tmpDir, { recursive: true });
    const path = join(this.deps.tmpDir, `${image.id}-${image.generation}`);
    await streamPipeline(await storage.read(image.storage_key), createWriteStream(path));
    return { path, cleanup: () => rm(path, { force: true }) };
  }

  async process(image: ClaimedImage, signal: AbortSignal): Promise<PipelineOutcome> {
    const { db, registry, log } = this.deps;
    const outcome: PipelineOutcome = { vanished: false, ran: 0, cached: 0, failed: [], refreshes: [] };
    const storage = this.deps.storages.get(image.provider);
    const view: ImageView = {
      id: image.id,
      source: image.provider,
      path: image.storage_key,
      sizeBytes: image.size_bytes,
      modifiedAt: image.modified_at,
      fingerprint: image.fingerprint,
    };
    const previous = new Map<string, ResultRow>((await loadResults(db, image.id)).map((r) => [`${r.agent}/${r.stage}`, r]));
    const edits = await loadUserEdits(db, image.id);
    const facts: Record<string, Facts> = {};
    if (edits) facts.user = edits as Facts;
    const notOk = new Set<string>();
    let staged: { path: string; cleanup: () => Promise<void> } | null = null;
    let stageError: string | null = null;
    if (!storage) stageError = `no storage for provider ${image.provider} on this host`;

    try {
      for (const stage of STAGES) {
        for (const r of registry.forStage(stage)) {
          if (signal.aborted) return outcome;
          const name = r.agent.name;
          const key = `${name}/${stage}`;
          const prev = previous.get(key);
          const started = new Date();
          const used: Record<string, unknown> = {};
          for (const u of r.agent.uses ?? []) used[u] = facts[u] ?? null;
          const inputHash = stableHash({
            v: r.agent.version,
            settings: r.settings,
            file: image.fingerprint,
            used,
            user: r.agent.usesUserEdits ? (facts.user ?? null) : null,
          });
          const base = { imageId: image.id, agent: name, stage, version: r.agent.version, inputHash, startedAt: started };

          const plan = planStep({ agent: r.agent, facts, notOk, prev, inputHash, now: Date.now() });
          if (plan.kind === 'skip') {
            notOk.add(name);
            if (prev?.status !== 'skipped' || prev.input_hash !== inputHash) {
              if (!(await writeResult(db, { ...base, status: 'skipped', facts: null, error: plan.reason, warnings: null, attempts: 0, ran: false, nextAttemptAt: null, durationMs: 0 }))) return { ...outcome, vanished: true };
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
            if (stageError) throw new AgentError(stageError, { permanent: false });
            staged ??= await this.stage(image, storage!).catch((err) => {
              throw new AgentError(`cannot read the file: ${errorMessage(err)}`, { permanent: false, cause: err });
            });
            const result = await this.deps.host.run(
              r,
              { image: view, facts, localPath: staged.path, settings: r.settings, stage },
              {
                signal,
                log,
                cache: {
                  get: async (k) => (await cacheGet(db, name, k)) as Json | undefined,
                  set: (k, v, o) => cacheSet(db, name, k, v, o?.ttlSeconds),
                },
                onProgress: (f, m) => this.deps.onProgress?.(image.id, name, f, m),
              },
            );
            outcome.ran++;
            const stageFacts = validateFacts(r, result.facts);
            for (const a of result.artifacts ?? []) {
              const ext = EXT[a.contentType] ?? 'bin';
              const dkey = `${image.id.slice(0, 2)}/${image.id}/${name}-${a.name}-${inputHash.slice(0, 12)}.${ext}`;
              await this.deps.derived.write(dkey, a.data, { contentType: a.contentType });
              if (!(await upsertDerived(db, { imageId: image.id, name: a.name, key: dkey, contentType: a.contentType, size: a.data.byteLength }))) {
                await this.deps.derived.delete(dkey);
                return { ...outcome, vanished: true };
              }
            }
            facts[name] = { ...(facts[name] ?? {}), ...stageFacts };
            const refresh = typeof result.refreshAfterSeconds === 'number' && result.refreshAfterSeconds > 0 ? new Date(Date.now() + result.refreshAfterSeconds * 1000) : null;
            if (refresh) outcome.refreshes.push(refresh);
            const ok = await writeResult(db, { ...base, status: 'done', facts: stageFacts, error: null, warnings: result.warnings?.length ? result.warnings : null, attempts, ran: true, nextAttemptAt: refresh, durationMs: Date.now() - started.getTime() });
            if (!ok) return { ...outcome, vanished: true };
          } catch (err) {
            if (signal.aborted) return outcome; // shutting down: the image is handed back, not failed
            if (err instanceof AgentSkip) {
              notOk.add(name);
              outcome.ran++;
              if (!(await writeResult(db, { ...base, status: 'skipped', facts: null, error: err.message, warnings: null, attempts: 0, ran: true, nextAttemptAt: null, durationMs: Date.now() - started.getTime() }))) return { ...outcome, vanished: true };
              continue;
            }
            notOk.add(name);
            outcome.ran++;
            const permanent = err instanceof AgentError ? err.permanent : false;
            const retryAt = !permanent && attempts < this.deps.maxAttempts ? new Date(Date.now() + backoffSeconds(attempts) * 1000) : null;
            const message = errorMessage(err);
            log.warn({ imageId: image.id, agent: name, attempts, err }, 'agent failed');
            outcome.failed.push({ agent: name, error: message, retryAt });
            if (!(await writeResult(db, { ...base, status: 'failed', facts: null, error: message, errorStack: err instanceof Error ? (err.stack ?? null) : null, warnings: null, attempts, ran: true, nextAttemptAt: retryAt, durationMs: Date.now() - started.getTime() }))) return { ...outcome, vanished: true };
          }
        }
      }
      return outcome;
    } finally {
      await staged?.cleanup().catch(() => {});
    }
  }
}
