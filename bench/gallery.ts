/**
 * Gallery benchmark: a database filled with realistic images (10,000 and
 * 100,000 by default), then the gallery page and three-criteria searches
 * through the real HTTP server (web role only). Reports median and p95 of the
 * server time (Server-Timing) and of the round trip on loopback.
 *
 * Usage: node --import tsx bench/gallery.ts [sizes=10000,100000] [runs=40]
 * Writes the table to docs/performance-gallery.md.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { createBenchDatabase } from './benchDatabase.ts';
import { pct, startBenchWeb, timeRequests } from './benchWeb.ts';
// @ts-expect-error plain JS helper
import { startTestPostgres } from '../scripts/test-postgres.mjs';
import { createDatabasePool } from '../daemon/db/pool.ts';
import { seedObjects } from '../daemon/db/objects.ts';
import { log, setLogLevel } from '../daemon/log.ts';
import { seedImagesBulk } from '../test/web/seedImages.ts';

setLogLevel('warn');
const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const RUNS = Number(process.argv[3] ?? 40);
const server = await startTestPostgres();

interface Row {
  size: number;
  name: string;
  url: string;
  results: number | null;
  serverMedian: number;
  serverP95: number;
  rttMedian: number;
  rttP95: number;
}

async function run(size: number): Promise<Row[]> {
  const name = `bench_gallery_${size}_${Date.now()}`;
  const url = await createBenchDatabase(server.url, name);
  const pool = await createDatabasePool(url);
  await seedObjects(pool, log);
  const t0 = Date.now();
  await seedImagesBulk(pool, { count: size, seed: 1 }, (done) => process.stderr.write(`\r  seeded ${done}/${size}`));
  process.stderr.write(`\n  ${size} images seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  // criteria that exist in the seeded library
  const cam = await pool.one(sql.type(z.object({ id: z.string(), name: z.string() }))`select id, name from equipment where type = 'camera' and name = 'ZWO ASI2600MM Pro'`);
  const tel = await pool.one(sql.type(z.object({ id: z.string() }))`select id from equipment where type = 'telescope' and name = 'Esprit 100'`);
  await pool.end();

  const web = await startBenchWeb(url);

  const cases: [string, string][] = [
    ['gallery page (HTML, 50 newest)', '/'],
    ['gallery page 20 (HTML, offset 950)', `/?cursor=${Buffer.from('o:950').toString('base64url')}`],
    ['3 criteria: target + hemisphere + camera (HTML)', `/?target=M31&hemisphere=north&camera=${cam.id}`],
    ['3 criteria: target + hemisphere + camera (API)', `/api/v1/images?target=M31&hemisphere=north&camera=${cam.id}`],
    ['3 criteria: constellation + filter + integration ≥ 1 h (API)', '/api/v1/images?constellation=Cyg&filter=Ha&integrationMin=3600'],
    ['3 criteria: telescope + dates + free text (API)', `/api/v1/images?telescope=${tel.id}&capturedFrom=2023-01-01&capturedTo=2023-12-31&q=nebula`],
    ['target page (M42)', '/targets/M42'],
    ['sky map (5,000 footprints)', '/sky'],
  ];
  const rows: Row[] = [];
  for (const [label, path] of cases) {
    const m = await timeRequests(web, path, RUNS);
    const results = path.startsWith('/api/') ? (JSON.parse(m.body) as { total: number }).total : path === '/' || path.startsWith('/?') ? Number(/of (\d+) image/.exec(m.body)?.[1] ?? 0) : null;
    const row = { size, name: label, url: path, results, serverMedian: pct(m.server, 50), serverP95: pct(m.server, 95), rttMedian: pct(m.rtt, 50), rttP95: pct(m.rtt, 95) };
    rows.push(row);
    process.stderr.write(`  ${label}: server ${row.serverMedian.toFixed(1)} / ${row.serverP95.toFixed(1)} ms, round trip ${row.rttMedian.toFixed(1)} / ${row.rttP95.toFixed(1)} ms (${results} results)\n`);
  }
  await web.close(server.url, name);
  return rows;
}

const all: Row[] = [];
for (const size of sizes) {
  process.stderr.write(`library of ${size} images\n`);
  all.push(...(await run(size)));
}
await server.stop();

const f = (n: number) => n.toFixed(1);
const md = `# Gallery performance

Measured by \`node --import tsx bench/gallery.ts ${sizes.join(',')} ${RUNS}\` on ${new Date().toISOString().slice(0, 10)}
(${process.platform}, Node ${process.version}, 2 cores; embedded PostgreSQL 15 with fsync off, same machine).

The database is filled with realistic images (\`test/web/seedImages.ts\`: lights,
stacks and calibration frames of 50 real targets, 5 cameras, 5 telescopes,
3 mounts, LRGB/narrowband and one-shot-colour filters, 75 % plate-solved, with
objects, integration, equipment links), then the real HTTP server (web role)
answers ${RUNS} requests of each kind after 5 warm-up requests, one at a time.
*Server* is the handler's time (the \`Server-Timing\` header: authentication,
query, rendering); *round trip* adds HTTP on loopback and reading the body.
Times in milliseconds, median / p95.

| images | request | results | server median | server p95 | round trip median | round trip p95 |
|---:|---|---:|---:|---:|---:|---:|
${all.map((r) => `| ${r.size.toLocaleString('en')} | ${r.name} | ${r.results ?? '—'} | ${f(r.serverMedian)} | ${f(r.serverP95)} | ${f(r.rttMedian)} | ${f(r.rttP95)} |`).join('\n')}

The owner's ceilings are 2 s for the gallery page and 3 s for a three-criteria
search.
`;
// (the hand-written "Reading" section of the page is kept when the table is measured again)
const file = resolve(import.meta.dirname, '../docs/performance-gallery.md');
const old = await readFile(file, 'utf8').catch(() => '');
const reading = old.includes('\n## Reading') ? old.slice(old.indexOf('\n## Reading')) : '';
await writeFile(file, md + reading);
process.stdout.write(md);
