/**
 * The SDK runtime: builds the AgentContext an agent's `run` receives. The
 * engine uses it on whichever thread runs an agent; agent authors use
 * {@link createTestContext} to run their agent on a file in tests, without
 * a database.
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { AgentError, type AgentCache, type AgentContext, type AgentLogger, type FileAccess, type Facts, type ImageView, type Json, type PixelImage, type ReadPixelsOptions, type Stage } from './index.ts';

export function createFileAccess(localPath: string, size: number): FileAccess {
  return {
    localPath,
    size,
    async range(start: number, end: number): Promise<Uint8Array> {
      const len = Math.max(0, Math.min(end, size) - start);
      const buf = new Uint8Array(len);
      if (len === 0) return buf;
      const fh = await open(localPath, 'r');
      try {
        let off = 0;
        while (off < len) {
          const { bytesRead } = await fh.read(buf, off, len - off, start + off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return off === len ? buf : buf.subarray(0, off);
      } finally {
        await fh.close();
      }
    },
    async readAll(): Promise<Uint8Array> {
      return new Uint8Array(await readFile(localPath));
    },
    async *stream(options?: { start?: number; end?: number }): AsyncIterable<Uint8Array> {
      for await (const chunk of createReadStream(localPath, { start: options?.start, end: options?.end === undefined ? undefined : options.end - 1 })) {
        yield chunk as Uint8Array;
      }
    },
  };
}

export interface ContextInput {
  image: ImageView;
  facts: Record<string, Facts>;
  localPath: string;
  settings: Record<string, Json>;
  stage: Stage;
}

export function buildContext(
  input: ContextInput,
  parts: {
    log: AgentLogger;
    signal: AbortSignal;
    cache: AgentCache;
    progress: (f: number, m?: string) => void;
    /**
     * the pixel decoder: the host passes Sidereal's (decode once per round);
     * tests of a standalone agent pass their own
     */
    readPixels?: PixelReader;
  },
): AgentContext {
  return {
    image: Object.freeze({ ...input.image }),
    // a frozen copy: the caller keeps adding to its own facts object
    facts: deepFreeze(structuredClone(input.facts)),
    file: createFileAccess(input.localPath, input.image.sizeBytes),
    settings: Object.freeze({ ...input.settings }),
    stage: input.stage,
    log: parts.log,
    signal: parts.signal,
    progress: parts.progress,
    cache: parts.cache,
    async readPixels(options) {
      if (parts.readPixels) return parts.readPixels(input.localPath, options);
      // a copy of the SDK outside Sidereal has no decoders: explain where to run the agent
      throw new AgentError('ctx.readPixels needs Sidereal\'s image decoders, which this context was not given: run the agent inside Sidereal or with `sidereal agent run <agent> <file>`, or pass `readPixels` to createTestContext', { permanent: false });
    },
  };
}

/** A pixel decoder: the local file and the agent's options. */
export type PixelReader = (localPath: string, options?: ReadPixelsOptions) => Promise<PixelImage>;

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** An in-memory AgentCache (for tools and tests without a database). */
export function memoryCache(): AgentCache {
  const m = new Map<string, { v: Json; exp: number | null }>();
  return {
    async get(key) {
      const e = m.get(key);
      if (!e) return undefined;
      if (e.exp !== null && e.exp < Date.now()) {
        m.delete(key);
        return undefined;
      }
      return e.v;
    },
    async set(key, value, options) {
      m.set(key, { v: value, exp: options?.ttlSeconds ? Date.now() + options.ttlSeconds * 1000 : null });
    },
  };
}

/** Adapts a pino-like logger to the SDK's AgentLogger (message first). */
export function agentLogger(log: { debug: Function; info: Function; warn: Function; error: Function }): AgentLogger {
  return {
    debug: (msg, data) => log.debug(data ?? {}, msg),
    info: (msg, data) => log.info(data ?? {}, msg),
    warn: (msg, data) => log.warn(data ?? {}, msg),
    error: (msg, data) => log.error(data ?? {}, msg),
  };
}

export interface TestContextOptions {
  localPath: string;
  image?: Partial<ImageView>;
  facts?: Record<string, Facts>;
  settings?: Record<string, Json>;
  stage?: Stage;
  signal?: AbortSignal;
  cache?: AgentCache;
  log?: AgentLogger;
  /** receives the agent's progress reports */
  progress?: (fraction: number, message?: string) => void;
  /** the pixel decoder ctx.readPixels uses (without it, ctx.readPixels explains that it has none) */
  readPixels?: PixelReader;
}

const quietLog: AgentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A real context for one local file (for agent tests and the CLI tool). */
export async function createTestContext(o: TestContextOptions): Promise<AgentContext> {
  const { stat } = await import('node:fs/promises');
  const st = await stat(o.localPath);
  const path = o.image?.path ?? o.localPath.split('/').pop() ?? 'file';
  return buildContext(
    {
      image: { id: '00000000-0000-0000-0000-000000000000', source: 'test', path, sizeBytes: st.size, modifiedAt: st.mtime.toISOString(), fingerprint: `${st.size}:${st.mtimeMs}`, ...o.image },
      facts: o.facts ?? {},
      localPath: o.localPath,
      settings: o.settings ?? {},
      stage: o.stage ?? 'read',
    },
    { log: o.log ?? quietLog, signal: o.signal ?? new AbortController().signal, cache: o.cache ?? memoryCache(), progress: o.progress ?? (() => {}), readPixels: o.readPixels },
  );
}
