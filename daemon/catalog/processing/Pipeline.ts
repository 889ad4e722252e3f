/**
 * The pipeline of one image in the engine: stages the file (S3 objects are
 * downloaded once, at the first agent that runs) and runs one round of the
 * enabled agents (`round.ts`) against the database's result store
 * (`dbResultStore.ts`). Never throws for a problem of the image or an agent:
 * those are recorded on the result rows; the caller schedules a retry from
 * the returned summary.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline as streamPipeline } from 'node:stream/promises';
import type { DatabasePool } from 'slonik';
import { AgentError, type ImageView } from '../../../agents/sdk/index.ts';
import type { AgentHost } from '../../agent-host/AgentHost.ts';
import type { AgentRegistry } from '../../agent-host/AgentRegistry.ts';
import type { Logger } from '../../log.ts';
import type { StorageBackend } from '../../storage/StorageBackend.ts';
import type { ClaimedImage } from '../imageState.ts';
import { dbResultStore } from './dbResultStore.ts';
import { runRound } from './round.ts';

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
    const storage = this.deps.storages.get(image.provider);
    const view: ImageView = {
      id: image.id,
      source: image.provider,
      path: image.storage_key,
      sizeBytes: image.size_bytes,
      modifiedAt: image.modified_at,
      fingerprint: image.fingerprint,
    };
    let staged: { path: string; cleanup: () => Promise<void> } | null = null;
    try {
      const r = await runRound({
        host: this.deps.host,
        store: dbResultStore(db, this.deps.derived, image.id),
        image: view,
        agents: registry.all().filter((a) => a.enabled),
        localPath: async () => {
          if (!storage) throw new AgentError(`no storage for provider ${image.provider} on this host`, { permanent: false });
          staged = await this.stage(image, storage);
          return staged.path;
        },
        signal,
        log,
        maxAttempts: this.deps.maxAttempts,
        onProgress: (agent, f, m) => this.deps.onProgress?.(image.id, agent, f, m),
      });
      return { vanished: r.vanished, ran: r.ran, cached: r.cached, failed: r.failed, refreshes: r.refreshes };
    } finally {
      await (staged as { cleanup: () => Promise<void> } | null)?.cleanup().catch(() => {});
    }
  }
}
