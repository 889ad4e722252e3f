/**
 * Images that have no result of an agent's current version (a third-party
 * agent just installed, an agent upgraded, a disabled one enabled again) are
 * made due; everything else keeps its schedule. Each processed image holds a
 * result row (done, failed or skipped) for every enabled agent and stage, so
 * "no row of this version" means exactly "never run by this version".
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { markImagesDue } from './imageState.ts';

export async function makeDueWhereAgentsMissing(db: DatabasePool, agents: { agent: string; stage: string; version: string }[]): Promise<number> {
  if (!agents.length) return 0;
  const ids = await db.anyFirst(sql.type(z.object({ id: z.string() }))`
    select u.id from images_unprocessed u
     -- only images already processed and not in a round right now: new or leased images
     -- get every enabled agent anyway (a leased one would be run again after its round)
     where u.processed_generation > 0 and u.lease_owner is null
       and exists (
       select 1 from unnest(${sql.array(agents.map((a) => a.agent), 'text')}, ${sql.array(agents.map((a) => a.stage), 'text')}, ${sql.array(agents.map((a) => a.version), 'text')}) as a(agent, stage, version)
        where not exists (select 1 from image_results r where r.image_id = u.id and r.agent = a.agent and r.stage = a.stage and r.agent_version = a.version))`);
  return markImagesDue(db, ids, 'agents');
}
