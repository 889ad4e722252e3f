/**
 * SQL of agent management: per-agent counts, re-runs, settings.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { markImagesDue } from './imageState.ts';

export async function agentCounts(db: DatabasePool) {
  const rows = await db.any(sql.type(z.object({ agent: z.string(), done: z.number(), failed: z.number(), skipped: z.number() }))`
    select agent,
           count(*) filter (where status = 'done')::int as done,
           count(*) filter (where status = 'failed')::int as failed,
           count(*) filter (where status = 'skipped')::int as skipped
      from image_results group by agent`);
  return new Map(rows.map((r) => [r.agent, r]));
}

export type RerunScope = 'all' | 'missing' | 'failed';

/**
 * Makes an agent run again: its cached results are invalidated (input hash
 * cleared) for the chosen images, which become due. `missing` = images with no
 * finished result of that agent; `failed` = images where it failed.
 */
export async function rerunAgent(db: DatabasePool, agent: string, target: { ids?: string[]; scope?: RerunScope }): Promise<number> {
  return db.transaction(async (tx) => {
    let ids: readonly string[];
    if (target.ids) ids = target.ids;
    else if (target.scope === 'failed') {
      ids = await tx.anyFirst(sql.type(z.object({ image_id: z.string() }))`select image_id from image_results where agent = ${agent} and status = 'failed'`);
    } else if (target.scope === 'missing') {
      ids = await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
        select u.id from images_unprocessed u
         where not exists (select 1 from image_results r where r.image_id = u.id and r.agent = ${agent} and r.status = 'done')`);
    } else {
      ids = await tx.anyFirst(sql.type(z.object({ id: z.string() }))`select id from images_unprocessed`);
    }
    if (!ids.length) return 0;
    const arr = sql.array([...ids], 'uuid');
    await tx.query(sql.unsafe`update image_results set input_hash = '', attempts = 0 where agent = ${agent} and image_id = any(${arr})`);
    return markImagesDue(tx, ids, 'rerun');
  });
}

export async function saveAgentSettings(db: DatabasePool, agent: string, s: { enabled?: boolean; position?: number | null; settings?: Record<string, unknown> }): Promise<void> {
  await db.query(sql.unsafe`
    insert into agent_settings (agent, enabled, position, settings)
    values (${agent}, ${s.enabled ?? true}, ${s.position ?? null}, ${sql.jsonb((s.settings ?? {}) as never)})
    on conflict (agent) do update set
      enabled = coalesce(${s.enabled ?? null}::boolean, agent_settings.enabled),
      position = case when ${s.position === undefined} then agent_settings.position else ${s.position ?? null}::int end,
      settings = case when ${s.settings === undefined} then agent_settings.settings else ${sql.jsonb((s.settings ?? {}) as never)} end,
      updated_at = now()`);
}
