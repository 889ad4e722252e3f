/**
 * SQL of the administration views: recent errors and per-agent coverage
 * (what is being processed: imageState.ts).
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

export async function recentErrors(db: DatabasePool, limit = 50) {
  return [
    ...(await db.any(
      sql.type(
        z.object({ image_id: z.string(), path: z.string(), agent: z.string(), error: z.string().nullable(), attempts: z.number(), finished_at: z.string().nullable(), next_attempt_at: z.string().nullable() }),
      )`
      select r.image_id, u.storage_key as path, r.agent, r.error, r.attempts, r.finished_at, r.next_attempt_at
        from image_results r join images_unprocessed u on u.id = r.image_id
       where r.status = 'failed' order by r.finished_at desc nulls last limit ${limit}`,
    )),
  ];
}

/** Images that have no result at all of each agent (never ran on them). */
export async function missingCounts(db: DatabasePool): Promise<Map<string, number>> {
  const total = await db.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from images_unprocessed`);
  const rows = await db.any(sql.type(z.object({ agent: z.string(), n: z.number() }))`
    select agent, count(distinct image_id)::int as n from image_results group by agent`);
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.agent, Math.max(0, total - r.n));
  m.set('*', total);
  return m;
}

/** Facts, status and error of one agent for one image. */
export async function agentResult(db: DatabasePool, imageId: string, agent: string) {
  return db.maybeOne(sql.type(z.object({ status: z.string(), error: z.string().nullable(), facts: z.any() }))`
    select status, error, facts from image_results where image_id = ${imageId} and agent = ${agent} order by stage limit 1`);
}

