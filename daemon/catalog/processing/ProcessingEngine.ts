/**
 * The processing loop of one host: N slots, each claiming one due image at a
 * time (SKIP LOCKED, with a lease), running its pipeline, stitching it and
 * scheduling the next attempt. Problems of one image never leave the loop.
 * Shutdown stops claiming, aborts what runs and hands the leases back.
 */
import type { DatabasePool } from 'slonik';
import { claim, finish, release, renew, type ClaimedImage } from '../imageState.ts';
import { takeDerivedDeletions } from '../../db/results.ts';
import { errorMessage } from '../../errors.ts';
import { retryTransient } from '../../db/retry.ts';
import type { Logger } from '../../log.ts';
import type { StorageBackend } from '../../storage/StorageBackend.ts';
import type { Stitcher } from '../stitching/Stitcher.ts';
import type { Pipeline } from './Pipeline.ts';

export interface EngineOptions {
  db: DatabasePool;
  pipeline: Pipeline;
  stitcher: Stitcher;
  derived: StorageBackend;
  hostId: string;
  slots: number;
  leaseSeconds: number;
  pollSeconds: number;
  log: Logger;
  /** reloads agent settings changed on another host (before each claim: a round uses the settings of its start) */
  settings?: { refresh(): Promise<void> };
}

export interface InFlight {
  image: ClaimedImage;
  startedAt: number;
  controller: AbortController;
  agent: string | null;
  progress: number | null;
}

export class ProcessingEngine {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly inFlight = new Map<string, InFlight>();
  private wakers: (() => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private restitching: Promise<unknown> = Promise.resolve();
  /** images completed by this host since start */
  processed = 0;

  constructor(private readonly options: EngineOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < this.options.slots; i++) this.loops.push(this.loop(i));
    const renewal = setInterval(() => {
      renew(this.options.db, this.options.hostId, [...this.inFlight.keys()], this.options.leaseSeconds).catch((err) =>
        this.options.log.warn({ err }, 'lease renewal failed'),
      );
    }, Math.max(1000, (this.options.leaseSeconds * 1000) / 3));
    const janitor = setInterval(() => void this.cleanDerived(), 30_000);
    this.timers.push(renewal, janitor);
    void this.cleanDerived();
    // images assembled by an older stitcher version: re-stitched in the background (no agent runs)
    this.restitching = this.options.stitcher
      .restitchOutdated({ shouldStop: () => !this.running })
      .catch((err) => this.options.log.error({ err }, 're-stitching for a new stitcher version failed; tried again at the next start'));
    this.options.log.info({ slots: this.options.slots, host: this.options.hostId }, 'processing started');
  }

  /** Claims now instead of at the next poll (new files, edits, re-runs). */
  wake(): void {
    const w = this.wakers;
    this.wakers = [];
    w.forEach((f) => f());
  }

  status(): { slots: number; inFlight: { imageId: string; path: string; agent: string | null; progress: number | null; seconds: number }[]; processed: number } {
    return {
      slots: this.options.slots,
      processed: this.processed,
      inFlight: [...this.inFlight.values()].map((f) => ({
        imageId: f.image.id,
        path: f.image.storage_key,
        agent: f.agent,
        progress: f.progress,
        seconds: Math.round((Date.now() - f.startedAt) / 1000),
      })),
    };
  }

  /** Progress reports from agents (shown in the UI). */
  reportProgress(imageId: string, agent: string, fraction: number): void {
    const f = this.inFlight.get(imageId);
    if (f) {
      f.agent = agent;
      f.progress = fraction;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakers.push(done);
    });
  }

  private async loop(slot: number): Promise<void> {
    const { db, hostId, leaseSeconds, log } = this.options;
    while (this.running) {
      let image: ClaimedImage | null = null;
      try {
        await this.options.settings?.refresh();
        image = await retryTransient('claim', () => claim(db, hostId, leaseSeconds), { log });
      } catch (err) {
        log.warn({ slot, err }, 'claim failed');
        await this.sleep(5000);
        continue;
      }
      if (!image) {
        await this.sleep(this.options.pollSeconds * 1000);
        continue;
      }
      await this.processOne(image);
    }
  }

  async processOne(image: ClaimedImage): Promise<void> {
    const { db, hostId, log } = this.options;
    const controller = new AbortController();
    this.inFlight.set(image.id, { image, startedAt: Date.now(), controller, agent: null, progress: null });
    const ilog = log.child({ imageId: image.id, path: image.storage_key });
    try {
      const outcome = await this.options.pipeline.process(image, controller.signal);
      if (controller.signal.aborted) return; // handed back by stop()
      if (outcome.vanished) {
        ilog.debug('image vanished while processing');
        return;
      }
      await retryTransient('stitch', () => this.options.stitcher.stitch(image.id), { log: ilog });
      const retries = [...outcome.failed.map((f) => f.retryAt), ...outcome.refreshes].filter((d): d is Date => d !== null);
      const next = retries.length ? new Date(Math.min(...retries.map((d) => d.getTime()))) : null;
      const error = outcome.failed.length ? outcome.failed.map((f) => `${f.agent}: ${f.error}`).join('; ') : null;
      await finish(db, { id: image.id, host: hostId, generation: image.generation, nextUpdateAt: next, attempts: outcome.failed.length ? image.attempts + 1 : 0, error });
      this.processed++;
      ilog.debug({ ran: outcome.ran, cached: outcome.cached, failed: outcome.failed.length }, 'image processed');
    } catch (err) {
      // a database or storage problem, not the image's: retry after a pause
      ilog.error({ err }, 'processing round failed');
      await finish(db, { id: image.id, host: hostId, generation: image.generation, nextUpdateAt: new Date(Date.now() + 30_000), attempts: image.attempts + 1, error: errorMessage(err) }).catch(() => {});
    } finally {
      this.inFlight.delete(image.id);
    }
  }

  private async cleanDerived(): Promise<void> {
    try {
      while ((await takeDerivedDeletions(this.options.db, 100, (key) => this.options.derived.delete(key))) === 100);
    } catch (err) {
      this.options.log.warn({ err }, 'derived-file cleanup failed; retried later');
    }
  }

  /** Stops claiming, aborts running pipelines and hands their images back. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timers.forEach((t) => clearInterval(t));
    const ids = [...this.inFlight.keys()];
    for (const f of this.inFlight.values()) f.controller.abort(new Error('shutting down'));
    this.wake();
    await Promise.allSettled([...this.loops, this.restitching]);
    this.loops = [];
    await release(this.options.db, this.options.hostId, ids).catch((err) => this.options.log.warn({ err }, 'could not hand back leases'));
    this.options.log.info({ handedBack: ids.length }, 'processing stopped');
  }
}
