/**
 * The Sidereal agent SDK: the one contract between the catalog engine and every
 * metadata agent, built-in or third-party. This folder imports nothing from
 * `daemon/`; an agent written against it needs nothing else.
 *
 * An agent is a plain ES module whose default export is an {@link Agent}
 * (use {@link defineAgent} for type checking). The engine runs it once per
 * image and stage it contributes to, in a worker thread unless it says
 * `thread: "main"`, and stores what it returns.
 */

/** SDK contract version; bumped on breaking changes to this file. */
export const SDK_VERSION = 1;

/** The fixed processing stages, in the order they run. */
export const STAGES = ['read', 'render', 'solve', 'identify', 'aggregate', 'describe'] as const;
export type Stage = (typeof STAGES)[number];

export const FRAME_TYPES = ['light', 'dark', 'flat', 'bias', 'darkflat', 'master', 'processed'] as const;
export type FrameType = (typeof FRAME_TYPES)[number];
export const CALIBRATION_FRAME_TYPES: readonly FrameType[] = ['dark', 'flat', 'bias', 'darkflat'];

/** JSON value: what facts are made of (they are stored as JSONB). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Facts = { [key: string]: Json };

/** What the engine knows about the file behind an image, before any agent ran. */
export interface ImageView {
  id: string;
  /** provider name, e.g. "library", "s3", "upload" */
  source: string;
  /** key inside the provider's storage, always with forward slashes */
  path: string;
  sizeBytes: number;
  modifiedAt: string | null;
  /** storage fingerprint (mtime+size, or S3 ETag): changes when the file changes */
  fingerprint: string;
}

/** Read access to the image's bytes. Always backed by a local file (S3 objects are staged first). */
export interface FileAccess {
  /** absolute path of a local copy of the file; read-only, never modify it */
  readonly localPath: string;
  readonly size: number;
  /** reads [start, end) of the file */
  range(start: number, end: number): Promise<Uint8Array>;
  /** the whole file (avoid for big files: prefer range or stream) */
  readAll(): Promise<Uint8Array>;
  stream(options?: { start?: number; end?: number }): AsyncIterable<Uint8Array>;
}

export interface AgentLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

/** A small persistent key-value cache private to one agent (stored in the database). */
export interface AgentCache {
  get(key: string): Promise<Json | undefined>;
  set(key: string, value: Json, options?: { ttlSeconds?: number }): Promise<void>;
}

/** A derived file the agent produced (thumbnail, preview, overlay…); the engine stores it. */
export interface Artifact {
  /** short name, unique per image: "thumbnail", "preview", … */
  name: string;
  contentType: string;
  data: Uint8Array;
}

/**
 * Decoded pixel data (see {@link AgentContext.readPixels}).
 */
export interface PixelImage {
  width: number;
  height: number;
  /** 1 (mono or undebayered CFA), 3 (RGB), or more */
  channels: number;
  /**
   * Planar samples, one Float32Array of width*height per channel, row-major,
   * row 0 = the FIRST STORED ROW (for FITS usually the bottom of the displayed
   * picture; see `rowOrder`). Integer data are scaled to 0..1 by the type's
   * range (after BZERO/BSCALE); float data are kept as stored.
   */
  planes: Float32Array[];
  /** how row 0 is displayed: "bottom-up" (FITS default) or "top-down" (JPEG/TIFF, FITS with ROWORDER=TOP-DOWN) */
  rowOrder: 'bottom-up' | 'top-down';
  /** CFA pattern for one-shot-colour raw data (RGGB, BGGR, GRBG, GBRG), else null */
  bayerPattern: string | null;
  /** true when the data are linear sensor values (FITS/XISF/RAW), false for processed JPEG/PNG */
  linear: boolean;
  /** factor by which the reader binned the image to bound memory (1 = full size) */
  binned: number;
}

export interface ReadPixelsOptions {
  /** bin (average) so that width × height ≤ maxPixels; default: full size */
  maxPixels?: number;
  /** memory ceilings of the decoders (default: the server's) */
  limits?: { maxImagePixels?: number; maxDecodedBytes?: number };
}

export interface AgentContext {
  image: Readonly<ImageView>;
  /** facts emitted by earlier agents, by agent name; `user` holds the user's edits */
  facts: Readonly<Record<string, Facts>>;
  file: FileAccess;
  /** the agent's settings, validated against its settings schema, defaults applied */
  settings: Readonly<Record<string, Json>>;
  stage: Stage;
  log: AgentLogger;
  /** aborted when the run times out or the daemon shuts down */
  signal: AbortSignal;
  /** report progress (0..1) for long runs */
  progress(fraction: number, message?: string): void;
  cache: AgentCache;
  /**
   * Decodes the image's pixels with Sidereal's readers (FITS, XISF, TIFF, RAW,
   * JPEG, PNG), binning on the fly when it has more than `maxPixels` pixels.
   *
   * The file is decoded once per round: when an earlier agent of the same
   * round already read pixels that a direct read with these options would
   * return, the same pixels come back without decoding again. Treat the planes
   * as read-only: they may be shared with other agents.
   */
  readPixels(options?: ReadPixelsOptions): Promise<PixelImage>;
}

export interface AgentResult {
  /** facts to store under the agent's name; validated against `factsSchema` when given */
  facts: Facts;
  artifacts?: Artifact[];
  /** non-fatal problems worth showing on the image */
  warnings?: string[];
  /**
   * The result is provisional (e.g. an online source could not be reached and
   * a fallback was used): run the agent again after this many seconds, even
   * if its inputs did not change.
   */
  refreshAfterSeconds?: number;
}

/** Declarative filter over the image; every given condition must hold. */
export interface AppliesTo {
  /** formats as detected by the `file` agent (fits, xisf, tiff, raw, jpeg, png, …) */
  formats?: string[];
  /** frame types as classified by the `file` agent */
  frameTypes?: FrameType[];
  /** agents whose facts must exist (and not have failed) before this one runs */
  requires?: string[];
}

/** Minimal JSON-schema subset used for settings and searchable facts. */
export interface FieldSchema {
  type: 'number' | 'integer' | 'string' | 'boolean';
  /** the label people read on the admin agents page ("Time limit (seconds)"); without it, one is made from the key */
  title?: string;
  /** help text under the field: one sentence, no final full stop */
  description?: string;
  default?: Json;
  minimum?: number;
  maximum?: number;
  enum?: string[];
}

export interface SearchableField {
  /** JSON path inside the agent's facts, dot-separated: "stars.medianFwhm" */
  path: string;
  type: 'number' | 'keyword';
  label: string;
  unit?: string;
}

export interface Agent {
  /** unique, lowercase, [a-z0-9-] */
  name: string;
  /** bump when the output for the same input changes: results become due again */
  version: string;
  description?: string;
  stages: Stage[];
  appliesTo?: AppliesTo;
  /** names of agents whose facts this one reads (they are part of its input hash) */
  uses?: string[];
  /** also read the user's edits (part of the input hash) */
  usesUserEdits?: boolean;
  /** where `run` executes: a worker thread (default) or the main event loop (I/O-bound work) */
  thread?: 'worker' | 'main';
  /** time limit of one run, in seconds (default from configuration) */
  timeoutSeconds?: number;
  settings?: Record<string, FieldSchema>;
  /** JSON schema (object) of the facts; validated by the engine */
  factsSchema?: Record<string, unknown>;
  searchable?: SearchableField[];
  run(ctx: AgentContext): Promise<AgentResult>;
}

/** Identity function that type-checks an agent definition. */
export function defineAgent<A extends Agent>(agent: A): A {
  return agent;
}

/** Thrown by an agent for an expected, explainable failure ("not a FITS file"). */
export class AgentError extends Error {
  /** true when retrying cannot help (bad input); the engine does not back off and retry */
  readonly permanent: boolean;
  constructor(message: string, options?: { permanent?: boolean; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = 'AgentError';
    this.permanent = options?.permanent ?? true;
  }
}

/** Thrown by an agent that does not apply after looking at the data: recorded as skipped. */
export class AgentSkip extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'AgentSkip';
  }
}
