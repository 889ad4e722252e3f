/**
 * Test helper: a hand-built AgentContext for calling an agent's `run` directly,
 * with an in-memory AgentCache that counts hits and honours TTLs.
 */
import type { AgentCache, AgentContext, Facts, Json, Stage } from '../sdk/index.ts';

export class MemoryCache implements AgentCache {
  readonly entries = new Map<string, { value: Json; expiresAt: number | null; ttlSeconds: number | null }>();
  gets = 0;
  hits = 0;
  sets = 0;
  async get(key: string): Promise<Json | undefined> {
    this.gets++;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt !== null && e.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.hits++;
    return structuredClone(e.value);
  }
  async set(key: string, value: Json, options?: { ttlSeconds?: number }): Promise<void> {
    this.sets++;
    const ttl = options?.ttlSeconds ?? null;
    this.entries.set(key, { value: structuredClone(value), expiresAt: ttl === null ? null : Date.now() + ttl * 1000, ttlSeconds: ttl });
  }
}

export interface TestContextOptions {
  facts?: Record<string, Facts>;
  settings?: Record<string, Json>;
  stage?: Stage;
  cache?: AgentCache;
  signal?: AbortSignal;
}

/** An AgentContext whose file access fails loudly: identify/describe agents must not read the file. */
export function testContext(options: TestContextOptions = {}): AgentContext & { logged: { level: string; msg: string }[] } {
  const logged: { level: string; msg: string }[] = [];
  const log = (level: string) => (msg: string) => void logged.push({ level, msg });
  const noFile = (): never => {
    throw new Error('this agent should not read the file');
  };
  return {
    image: { id: 'test-image', source: 'test', path: 'test/image.fits', sizeBytes: 0, modifiedAt: null, fingerprint: 'test' },
    facts: options.facts ?? {},
    file: { localPath: '/nonexistent', size: 0, range: noFile, readAll: noFile, stream: noFile },
    settings: options.settings ?? {},
    stage: options.stage ?? 'identify',
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    signal: options.signal ?? new AbortController().signal,
    progress: () => {},
    cache: options.cache ?? new MemoryCache(),
    readPixels: () => Promise.reject(new Error('this agent should not read pixels')),
    logged,
  };
}
