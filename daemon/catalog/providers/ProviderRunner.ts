/**
 * Drives each provider on exactly one host at a time: a PostgreSQL session
 * advisory lock per provider, held on a dedicated connection. When the holder
 * dies its connection closes, the lock is released, and another host takes the
 * provider over on its next attempt.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../log.ts';
import type { ImageProvider } from './ImageProvider.ts';

function lockKey(name: string): bigint {
  // 63-bit key derived from the provider name, in a namespace of our own
  return BigInt.asIntN(64, BigInt('0x' + createHash('sha256').update(`sidereal-provider:${name}`).digest('hex').slice(0, 16)));
}

export class ProviderRunner {
  private client: pg.Client | null = null;
  private readonly active = new Set<ImageProvider>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly options: { databaseUrl: string; providers: ImageProvider[]; log: Logger; retrySeconds?: number }) {}

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick());
    }, (this.options.retrySeconds ?? 10) * 1000);
    this.timer.unref();
  }

  /** providers this host drives right now */
  get driving(): string[] {
    return [...this.active].map((p) => p.name);
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: 'sidereal-provider-locks' });
    client.on('error', (err) => {
      // connection lost: our locks are gone, so stop the providers we drove
      this.options.log.warn({ err }, 'provider lock connection lost');
      this.client = null;
      void this.stopAll();
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = await this.connect();
      for (const p of this.options.providers) {
        if (this.active.has(p)) continue;
        const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [lockKey(p.name).toString()]);
        if (!rows[0]?.ok) continue;
        this.options.log.info({ provider: p.name }, 'driving provider');
        this.active.add(p);
        p.start().catch(async (err) => {
          // e.g. the database went away meanwhile: give the provider back, the next tick tries again
          this.options.log.error({ provider: p.name, err }, 'provider failed to start; retrying');
          this.active.delete(p);
          await p.stop().catch(() => {});
          await this.client?.query('select pg_advisory_unlock($1)', [lockKey(p.name).toString()]).catch(() => {});
        });
      }
    } catch (err) {
      this.options.log.warn({ err }, 'provider lock attempt failed');
    }
  }

  private async stopAll(): Promise<void> {
    const list = [...this.active];
    this.active.clear();
    await Promise.all(list.map((p) => p.stop().catch(() => {})));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await this.stopAll();
    await this.client?.end().catch(() => {});
    this.client = null;
  }
}
