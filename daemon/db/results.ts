/**
 * SQL of agent results, derived files, the agent cache and agent settings.
 */
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';

type Db = DatabasePool | DatabaseTransactionConnection;

export const ResultRow = z.object({
  agent: z.string(),
  stage: z.string(),
  agent_version: z.string(),
  input_hash: z.string(),
  status: z.enum(['done', 'failed', 'skipped']),
  facts: z.any(),
  error: z.string().nullable(),
  warnings: z.any(),
  attempts: z.number(),
  runs: z.number(),
  next_attempt_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
});
export type ResultRow = z.infer<typeof ResultRow>;

export async function loadResults(db: Db, imageId: string): Promise<ResultRow[]> {
  return [
    ...(await db.any(sql.type(ResultRow)`
      select agent, stage, agent_version, input_hash, status, facts, error, warnings, attempts, runs, next_attempt_at, finished_at, duration_ms
        from image_results where image_id = ${imageId}`)),
  ];
}

export interface ResultWrite {
  imageId: string;
  agent: string;
  stage: string;
  version: string;
  inputHash: string;
  status: 'done' | 'failed' | 'skipped';
  facts: unknown;
  error: string | null;
  /** the failure's stack trace (administrators only) */
  errorStack?: string | null;
  warnings: string[] | null;
  attempts: number;
  ran: boolean;
  nextAttemptAt: Date | null;
  startedAt: Date;
  durationMs: number;
}

/** Returns false when the image is gone (deleted meanwhile). */
export async function writeResult(db: Db, r: ResultWrite): Promise<boolean> {
  const res = await db.query(sql.unsafe`
    insert into image_results (image_id, agent, stage, agent_version, input_hash, status, facts, error, error_stack, warnings, attempts, runs, next_attempt_at, started_at, finished_at, duration_ms)
    select ${r.imageId}, ${r.agent}, ${r.stage}, ${r.version}, ${r.inputHash}, ${r.status},
           ${r.facts === null || r.facts === undefined ? null : sql.jsonb(r.facts as never)},
           ${r.error}, ${r.errorStack ?? null}, ${r.warnings ? sql.jsonb(r.warnings) : null}, ${r.attempts}, ${r.ran ? 1 : 0},
           ${r.nextAttemptAt ? r.nextAttemptAt.toISOString() : null}::timestamptz, ${r.startedAt.toISOString()}::timestamptz, now(), ${r.durationMs}
    where exists (select 1 from images_unprocessed where id = ${r.imageId})
    on conflict (image_id, agent, stage) do update set
      agent_version = excluded.agent_version, input_hash = excluded.input_hash, status = excluded.status,
      facts = excluded.facts, error = excluded.error, error_stack = excluded.error_stack, warnings = excluded.warnings, attempts = excluded.attempts,
      runs = image_results.runs + excluded.runs, next_attempt_at = excluded.next_attempt_at,
      started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms`);
  return res.rowCount > 0;
}

/** Stack traces of the failed agent runs of an image, by agent name (stages joined). */
export async function loadErrorStacks(db: Db, imageId: string): Promise<Record<string, string>> {
  const rows = await db.any(sql.type(z.object({ agent: z.string(), stage: z.string(), error_stack: z.string() }))`
    select agent, stage, error_stack from image_results
     where image_id = ${imageId} and status = 'failed' and error_stack is not null order by agent, stage`);
  const out: Record<string, string> = {};
  for (const r of rows) out[r.agent] = out[r.agent] ? `${out[r.agent]}\n\n[${r.stage}]\n${r.error_stack}` : r.error_stack;
  return out;
}

export async function upsertDerived(db: Db, d: { imageId: string; name: string; key: string; contentType: string; size: number }): Promise<boolean> {
  const r = await db.query(sql.unsafe`
    insert into derived_files (image_id, name, storage_key, content_type, size_bytes)
    select ${d.imageId}, ${d.name}, ${d.key}, ${d.contentType}, ${d.size}
     where exists (select 1 from images_unprocessed where id = ${d.imageId})
    on conflict (image_id, name) do update set storage_key = excluded.storage_key, content_type = excluded.content_type,
      size_bytes = excluded.size_bytes, created_at = now()`);
  return r.rowCount > 0;
}

export const DerivedRow = z.object({ name: z.string(), storage_key: z.string(), content_type: z.string(), size_bytes: z.number() });

export async function loadDerived(db: Db, imageId: string, name: string) {
  return db.maybeOne(sql.type(DerivedRow)`
    select name, storage_key, content_type, size_bytes from derived_files where image_id = ${imageId} and name = ${name}`);
}

/** Takes a batch of derived-file deletions that are due (SKIP LOCKED: hosts share the janitor work). */
export async function takeDerivedDeletions(db: DatabasePool, limit: number, handler: (key: string) => Promise<void>): Promise<number> {
  return db.transaction(async (tx) => {
    const keys = await tx.anyFirst(sql.type(z.object({ storage_key: z.string() }))`
      select storage_key from derived_deletions where next_attempt_at <= now()
      order by next_attempt_at limit ${limit} for update skip locked`);
    for (const key of keys) {
      // a key that is in use again (same content re-derived) must not be deleted
      const inUse = await tx.exists(sql.unsafe`select 1 from derived_files where storage_key = ${key}`);
      try {
        if (!inUse) await handler(key);
        await tx.query(sql.unsafe`delete from derived_deletions where storage_key = ${key}`);
      } catch (err) {
        await tx.query(sql.unsafe`
          update derived_deletions set attempts = attempts + 1, last_error = ${(err as Error).message},
            next_attempt_at = now() + make_interval(secs => least(3600, 10 * power(2, attempts)))
          where storage_key = ${key}`);
      }
    }
    return keys.length;
  });
}

export async function cacheGet(db: Db, agent: string, key: string): Promise<unknown> {
  const row = await db.maybeOne(sql.type(z.object({ value: z.any() }))`
    select value from agent_cache where agent = ${agent} and key = ${key} and (expires_at is null or expires_at > now())`);
  return row ? row.value : undefined;
}

export async function cacheSet(db: Db, agent: string, key: string, value: unknown, ttlSeconds?: number): Promise<void> {
  await db.query(sql.unsafe`
    insert into agent_cache (agent, key, value, expires_at)
    values (${agent}, ${key}, ${sql.jsonb(value as never)}, ${ttlSeconds ? sql.fragment`now() + make_interval(secs => ${ttlSeconds})` : null})
    on conflict (agent, key) do update set value = excluded.value, expires_at = excluded.expires_at`);
}

export const AgentSettingsRow = z.object({ agent: z.string(), enabled: z.boolean(), position: z.number().nullable(), settings: z.record(z.any()) });

export async function loadAgentSettings(db: Db) {
  return [...(await db.any(sql.type(AgentSettingsRow)`select agent, enabled, position, settings from agent_settings`))];
}

/** The counter bumped with every change of agent_settings (migration 0082). */
export async function agentSettingsVersion(db: Db): Promise<number> {
  const v = await db.maybeOneFirst(sql.type(z.object({ v: z.number() }))`
    select (value #>> '{}')::bigint::int as v from system_settings where key = 'agent_settings_version'`);
  return v ?? 0;
}
