/**
 * SQL of monitoring: is the database answering, what providers last reported,
 * and the catalog counts of the metrics.
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** A round trip to the database (throws when it does not answer). */
export async function pingDatabase(db: DatabasePool): Promise<void> {
  await db.oneFirst(sql.type(z.object({ one: z.number() }))`select 1 as one`);
}

/** The state every provider last wrote (last reconcile, counts, errors), by provider name. */
export async function providerStates(db: DatabasePool): Promise<Map<string, Record<string, unknown>>> {
  const rows = await db.any(sql.type(z.object({ name: z.string(), state: z.record(z.any()) }))`select name, state from providers`);
  return new Map(rows.map((r) => [r.name, r.state]));
}

export const FrameCount = z.object({ frame_type: z.string(), n: z.number() });
export const AgentResultCount = z.object({ agent: z.string(), status: z.string(), n: z.number() });

/** Stitched images by frame type. */
export async function frameTypeCounts(db: DatabasePool): Promise<readonly z.infer<typeof FrameCount>[]> {
  return db.any(sql.type(FrameCount)`select frame_type, count(*)::int as n from images group by frame_type order by frame_type`);
}

/** Agent results by agent and status. */
export async function agentResultCounts(db: DatabasePool): Promise<readonly z.infer<typeof AgentResultCount>[]> {
  return db.any(sql.type(AgentResultCount)`select agent, status, count(*)::int as n from image_results group by agent, status order by agent, status`);
}
