/**
 * The composition root: builds every part from the configuration and runs the
 * roles this process was given — `web` (UI + API), `work` (providers and
 * processing), or both.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Config } from './config.ts';
import { builtinAgentSettings } from './builtinAgentSettings.ts';
import type { Logger } from './log.ts';
import { openDatabase, type Database } from './database.ts';
import { ensureProvider } from './db/files.ts';
import { loadAgentSettings } from './db/results.ts';
import { AgentRegistry } from './agent-host/AgentRegistry.ts';
import { AgentHost } from './agent-host/AgentHost.ts';
import type { ImageProvider } from './catalog/providers/ImageProvider.ts';
import { LocalFolderProvider } from './catalog/providers/LocalFolderProvider.ts';
import { S3Provider } from './catalog/providers/S3Provider.ts';
import { ProviderRunner } from './catalog/providers/ProviderRunner.ts';
import { Pipeline } from './catalog/processing/Pipeline.ts';
import { ProcessingEngine } from './catalog/processing/ProcessingEngine.ts';
import { Stitcher } from './catalog/stitching/Stitcher.ts';
import { AgentSettingsSync } from './catalog/processing/agentSettingsSync.ts';
import { LocalStorage } from './storage/LocalStorage.ts';
import { S3Storage } from './storage/S3Storage.ts';
import type { StorageBackend } from './storage/StorageBackend.ts';
import { createServices, type Services } from './services/index.ts';
import { createWebApp } from './web/app.ts';
import { startHttpServer } from './web/server.ts';
import { basename } from 'node:path';
import { ensureStarCatalog } from './commands/catalog.ts';
import { metricsText } from './metrics.ts';

export type Role = 'web' | 'work';


/** Provider names of the watch folders: the folder's name, made unique. */
export function watchProviderNames(dirs: string[]): string[] {
  const used = new Set<string>(['upload', 's3']);
  return dirs.map((d, i) => {
    let name = dirs.length === 1 ? 'library' : basename(d).toLowerCase().replace(/[^a-z0-9-]+/g, '-') || `folder-${i + 1}`;
    let n = 2;
    const base = name;
    while (used.has(name)) name = `${base}-${n++}`;
    used.add(name);
    return name;
  });
}

export class Daemon {
  db!: Database;
  registry!: AgentRegistry;
  host: AgentHost | null = null;
  engine: ProcessingEngine | null = null;
  runner: ProviderRunner | null = null;
  server: Server | null = null;
  services!: Services;
  providers: ImageProvider[] = [];
  storages = new Map<string, StorageBackend>();
  derived!: StorageBackend;
  private stopping: Promise<void> | null = null;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    readonly roles: Role[],
    /** onFatal: the database is lost for good (the embedded server cannot be restarted); the CLI exits non-zero */
    readonly options: { builtinAgents?: string[]; onFatal?: (err: Error) => void } = {},
  ) {}

  /** base URL of the web server (after start) */
  get url(): string | null {
    const a = this.server?.address();
    if (!a || typeof a !== 'object') return null;
    return `${this.config.tlsCert ? 'https' : 'http'}://127.0.0.1:${a.port}`;
  }

  async start(): Promise<void> {
    const { config, log } = this;
    await mkdir(config.dataDir, { recursive: true });
    this.db = await openDatabase(config, log, { onLost: (err) => (this.options.onFatal ? this.options.onFatal(err) : log.fatal({ err }, 'database lost')) });
    const db = this.db.pool;

    // storage: sources and the derived-file cache
    const onDue = () => this.engine?.wake();
    const identity = { moveWindowSeconds: config.moveWindowSeconds, editRetentionDays: config.editRetentionDays };
    const names = watchProviderNames(config.watchDirs);
    config.watchDirs.forEach((dir, i) => {
      this.providers.push(
        new LocalFolderProvider({ name: names[i]!, root: dir, db, log: log.child({ component: 'provider', provider: names[i] }), reconcileSeconds: config.reconcileSeconds, stableMs: config.watchStableMs, polling: config.watchPolling, onDue, ...identity }),
      );
    });
    const upload = new LocalFolderProvider({ name: 'upload', kind: 'upload', root: config.uploadDir, db, log: log.child({ component: 'provider', provider: 'upload' }), reconcileSeconds: config.reconcileSeconds, stableMs: config.watchStableMs, onDue, ...identity });
    this.providers.push(upload);
    if (config.s3) {
      this.providers.push(new S3Provider({ name: 's3', s3: config.s3, pollSeconds: config.s3.pollSeconds, db, log: log.child({ component: 'provider', provider: 's3' }), onDue, ...identity }));
    }
    for (const p of this.providers) {
      this.storages.set(p.name, p.storage);
      await ensureProvider(db, { name: p.name, kind: p.kind, rootUri: p.storage.uri });
    }
    if (config.cacheS3) this.derived = new S3Storage(config.cacheS3);
    else {
      const local = new LocalStorage({ root: join(config.dataDir, 'derived') });
      await local.ensureRoot();
      this.derived = local;
    }

    this.registry = new AgentRegistry(log.child({ component: 'agents' }));
    await this.registry.load({ builtins: this.options.builtinAgents, thirdParty: config.agents });
    // host configuration that built-in agents take as settings (agents never read the configuration)
    this.registry.applyOverrides(await loadAgentSettings(db), builtinAgentSettings(config));

    this.services = createServices({
      db,
      registry: this.registry,
      uploads: { name: 'upload', storage: upload.storage },
      derived: this.derived,
      uploadMaxBytes: config.uploadMaxBytes,
      storages: this.storages,
      zoomTmpDir: join(config.dataDir, 'tmp', `zoom-${config.hostId.replace(/[^\w.-]/g, '_')}`),
      log,
      onDue,
      status: {
        hostId: config.hostId,
        roles: this.roles,
        providers: () => this.providers,
        registry: () => this.registry,
        engine: () => this.engine,
        drivingProviders: () => this.runner?.driving ?? [],
      },
    });

    if (this.roles.includes('work')) {
      await ensureStarCatalog(config, log.child({ component: 'catalog' }));
      const tmpDir = join(config.dataDir, 'tmp', config.hostId.replace(/[^\w.-]/g, '_'));
      await rm(tmpDir, { recursive: true, force: true });
      this.host = new AgentHost({ threads: config.workers, memoryMb: config.agentMemoryMb, defaultTimeoutSeconds: config.agentTimeoutSeconds });
      const pipeline = new Pipeline({
        db,
        registry: this.registry,
        host: this.host,
        storages: this.storages,
        derived: this.derived,
        tmpDir,
        maxAttempts: config.maxAttempts,
        log: log.child({ component: 'pipeline' }),
        onProgress: (id, agent, f) => this.engine?.reportProgress(id, agent, f),
      });
      const stitcher = new Stitcher({ db, log: log.child({ component: 'stitching' }) });
      this.engine = new ProcessingEngine({ db, pipeline, stitcher, derived: this.derived, hostId: config.hostId, slots: config.workers, leaseSeconds: config.leaseSeconds, pollSeconds: config.pollSeconds, log: log.child({ component: 'processing' }), settings: new AgentSettingsSync({ db, registry: this.registry }) });
      // a newly installed or upgraded agent also catches up on the images already catalogued
      const scheduled = await this.services.agents.scheduleNewAgents();
      if (scheduled) log.info({ images: scheduled }, 'images due for new or upgraded agents');
      this.engine.start();
      this.runner = new ProviderRunner({ databaseUrl: this.db.url, providers: this.providers, log: log.child({ component: 'providers' }) });
      await this.runner.start();
    }
    if (this.roles.includes('web')) {
      const app = createWebApp({ services: this.services, config, log: log.child({ component: 'web' }), metrics: () => metricsText({ db, hostId: config.hostId, roles: this.roles, engine: this.engine }) });
      this.server = await startHttpServer(app, config, log);
    }
    log.info({ roles: this.roles, host: config.hostId }, 'Sidereal started');
  }

  /** Graceful shutdown: stop serving and claiming, hand back work, close the pool and the database. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const { log } = this;
      log.info('shutting down');
      if (this.server) {
        const server = this.server;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections?.();
          setTimeout(() => {
            server.closeAllConnections?.();
            resolve();
          }, 5000).unref();
        });
      }
      await this.runner?.stop();
      await this.engine?.stop();
      await this.host?.close();
      await this.db?.close();
      log.info('stopped');
    })();
    return this.stopping;
  }
}
