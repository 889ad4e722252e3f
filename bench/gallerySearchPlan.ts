/**
 * Is the gallery's free-text search indexed? Seeds a library (100,000 images
 * by default) with the gallery benchmark's seeder and prints the plan and
 * time of free-text searches: a file name, part of one, a word, and text
 * that matches nothing.
 *
 * Usage: node --import tsx bench/gallerySearchPlan.ts [size=100000]
 */
import pg from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { createBenchDatabase } from './benchDatabase.ts';
// @ts-expect-error plain JS helper
import { startTestPostgres } from '../scripts/test-postgres.mjs';
import { createDatabasePool } from '../daemon/db/pool.ts';
import { seedObjects } from '../daemon/db/objects.ts';
import { explainImageSearch } from '../daemon/db/images.ts';
import { log, setLogLevel } from '../daemon/log.ts';
import { seedImagesBulk } from '../test/web/seedImages.ts';

setLogLevel('warn');
const size = Number(process.argv[2] ?? 100_000);
const server = await startTestPostgres();
const name = `bench_search_${Date.now()}`;
try {
  const url = await createBenchDatabase(server.url, name);
  const pool = await createDatabasePool(url);
  await seedObjects(pool, log);
  await seedImagesBulk(pool, { count: size, seed: 1 }, (done) => process.stderr.write(`\r  seeded ${done}/${size}`));
  process.stderr.write('\n');
  await pool.query(sql.unsafe`analyze images`);
  const path = await pool.oneFirst(sql.type(z.object({ path: z.string() }))`select path from images where not is_calibration order by id limit 1`);
  const file = path.slice(path.lastIndexOf('/') + 1);
  for (const q of [file, file.slice(0, file.lastIndexOf('_')), path.slice(path.indexOf('/') + 1, path.indexOf('/') + 11), 'nebula', 'no_such_file_0000.fits']) {
    const plan = await explainImageSearch(pool, { q, sort: 'captured', limit: 50, offset: 0 });
    process.stdout.write(`\n## q=${q}\n${plan}\n`);
  }
  await pool.end();
} finally {
  const drop = new pg.Client({ connectionString: server.url });
  await drop.connect();
  await drop.query(`drop database if exists ${name} with (force)`);
  await drop.end();
  await server.stop();
}
