/**
 * Ingestion benchmark: a few thousand small FITS files through the drop
 * folder, with one and with two processing processes on one database.
 * Reports files per second (ingested and stitched) and the time until all
 * are stitched. Usage: node --import tsx bench/ingest.ts [files=3000]
 * Agents: file, preview, objects, integration (platesolve and description
 * are switched off: the files are tiny synthetic frames without stars).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { createBenchDatabase } from './benchDatabase.ts';
// @ts-expect-error plain JS helper
import { startTestPostgres } from '../scripts/test-postgres.mjs';
import { createDatabasePool } from '../daemon/db/pool.ts';
import { testEnv } from '../test/helpers/daemon.ts';
import { spawnDaemon } from '../test/helpers/process.ts';
import { writeTinyFits } from '../test/helpers/library.ts';

const N = Number(process.argv[2] ?? 3000);
const server = await startTestPostgres();

async function run(processes: number) {
  const name = `bench_${processes}_${Date.now()}`;
  const url = await createBenchDatabase(server.url, name);
  const pool = await createDatabasePool(url);
  for (const a of ['platesolve', 'description']) await pool.query(sql.unsafe`insert into agent_settings (agent, enabled) values (${a}, false)`);
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-bench-'));
  for (let i = 0; i < N; i++) await writeTinyFits(join(dir, 'library', `night${i % 20}/Light_${i}.fits`), i, { size: 64 });
  const db = { url, pool, drop: async () => {} };
  const N_ROW = z.object({ n: z.number() });
  const t0 = performance.now();
  const procs = Array.from({ length: processes }, (_, i) =>
    spawnDaemon('work', testEnv(dir, db, { SIDEREAL_HOST_ID: `bench${i}`, SIDEREAL_WORKERS: String(Math.max(1, Math.floor(2 / processes))), SIDEREAL_POLL_SECONDS: '0.2', LOG_LEVEL: 'error' })),
  );
  let ingestedAt = 0;
  let last = -1;
  for (;;) {
    const ingested = await pool.oneFirst(sql.type(N_ROW)`select count(*)::int as n from images_unprocessed`);
    const stitched = await pool.oneFirst(sql.type(N_ROW)`select count(*)::int as n from images`);
    if (!ingestedAt && ingested === N) ingestedAt = performance.now();
    if (stitched !== last && stitched % 500 < 50) process.stderr.write(`  ${processes} process(es): ${stitched}/${N} stitched\n`);
    last = stitched;
    if (stitched === N) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const total = (performance.now() - t0) / 1000;
  const ingestS = (ingestedAt - t0) / 1000;
  await Promise.all(procs.map((p) => p.stop()));
  await pool.end();
  await rm(dir, { recursive: true, force: true });
  return { processes, files: N, ingestSeconds: ingestS, ingestPerSecond: N / ingestS, allStitchedSeconds: total, stitchedPerSecond: N / total };
}

const results = [await run(1), await run(2)];
await server.stop();
console.log('| processes | files | all recorded (s) | recorded files/s | all stitched (s) | stitched files/s |');
console.log('|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.processes} | ${r.files} | ${r.ingestSeconds.toFixed(1)} | ${r.ingestPerSecond.toFixed(0)} | ${r.allStitchedSeconds.toFixed(1)} | ${r.stitchedPerSecond.toFixed(1)} |`);
