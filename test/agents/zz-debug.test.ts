import { test } from 'node:test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { createTestDatabase } from '../helpers/db.ts';
import { testEnv, waitFor } from '../helpers/daemon.ts';
import { spawnDaemon } from '../helpers/process.ts';
import { writeTinyFits } from '../helpers/library.ts';
import { BUILTIN_AGENTS } from '../../daemon/agent-host/AgentRegistry.ts';

test('debug', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-dbg-'));
  const db = await createTestDatabase();
  for (const a of BUILTIN_AGENTS.filter((x) => x !== 'file')) await db.pool.query(sql.unsafe`insert into agent_settings (agent, enabled) values (${a}, false)`);
  for (let i = 0; i < 20; i++) await writeTinyFits(join(dir, 'library', `Light_${i}.fits`), i);
  const p = spawnDaemon('work', { ...testEnv(dir, db, { SIDEREAL_HOST_ID: 'h1', SIDEREAL_WORKERS: '1', LOG_LEVEL: 'info' }) });
  const t0 = Date.now();
  try {
    await waitFor(async () => (await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from image_results where agent = 'file' and status = 'done'`)) === 20, { timeoutMs: 30000 });
    console.log('done in', Date.now() - t0);
  } finally {
    console.log('exit', await p.stop());
    console.log(p.output().slice(-5000));
    await db.drop();
  }
});
