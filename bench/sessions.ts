/**
 * Sessions benchmark: a database filled with a realistic library (10,000,
 * 100,000 or 1,000,000 images, bench/seedLibrary.ts: real assembled
 * prototypes copied in SQL into sessions of 20–200 subs of one target, camera
 * and telescope in one night, plus one session of 500; calibration frames and
 * stacks), then:
 * - the session list (API: first page, filtered by target, camera, filter and
 *   dates, a page deep in a keyset walk), one session (API and the HTML page),
 *   and the three-criteria image searches, through the real HTTP server (web
 *   role): median and p95 of the server time (Server-Timing), and the CPU
 *   time per request (bench/benchCpu.ts);
 * - the gallery's "Sessions & stacks" view (HTML): first page, a deep cursor
 *   page and a three-criteria search (galleryCases);
 * - the database time of putting one sub into the session of 500 (the
 *   session part of a stitch: the night/train lock, the candidates, the link
 *   and the aggregates, kept incrementally), in a transaction rolled back each time.
 *
 * Usage: node --import tsx bench/sessions.ts [sizes=10000,100000] [runs=40] [--database <url of a seeded library>]
 * Prints a Markdown table (copied into docs/performance.md).
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createBenchDatabase } from './benchDatabase.ts';
import { pct, startBenchWeb, timeRequests } from './benchWeb.ts';
import { withCpu } from './benchCpu.ts';
// @ts-expect-error plain JS helper
import { startTestPostgres } from '../scripts/test-postgres.mjs';
import { createDatabasePool } from '../daemon/db/pool.ts';
import { seedObjects } from '../daemon/db/objects.ts';
import { log, setLogLevel } from '../daemon/log.ts';
import { seedLibrary } from './seedLibrary.ts';
import { linkImageSession, searchSessions, sessionCandidates } from '../daemon/db/imagingSessions.ts';
import { encodeSessionCursor } from '../daemon/services/SessionService.ts';
import { sessionKey, trainKey } from '../daemon/catalog/stitching/sessions.ts';
import { encodeGroupCursor } from '../daemon/services/GalleryService.ts';

setLogLevel('warn');
const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const RUNS = Number(process.argv[3] ?? 40);
// `--database <url>`: measure a library seeded before (by seedLibrary, e.g. 1,000,000 images seeded while the
// machine was needed for other work), on its own server; it is migrated if needed and kept (measure it again)
const seeded = process.argv.includes('--database') ? process.argv[process.argv.indexOf('--database') + 1]! : null;
const server: { url: string; stop(): Promise<void> } = seeded
  ? { url: Object.assign(new URL(seeded), { pathname: '/postgres' }).toString(), stop: async () => {} }
  : await startTestPostgres();

/** The session of 500 and a sub of another session with the same camera, in a library seeded before. */
async function findSeeded(pool: DatabasePool): Promise<{ sessions: number; big: string; spare: string }> {
  const big = await pool.one(sql.type(z.object({ id: z.string(), camera_id: z.string().nullable(), n: z.number() }))`
    select id, camera_id, (select count(*) from imaging_sessions)::int as n from imaging_sessions order by frames desc, id limit 1`);
  const spare = await pool.oneFirst(sql.type(z.object({ id: z.string() }))`
    select m.image_id as id from imaging_session_images m join imaging_sessions s on s.id = m.session_id
     where s.id <> ${big.id} and s.camera_id is not distinct from ${big.camera_id}::uuid order by s.night, m.image_id limit 1`);
  return { sessions: big.n, big: big.id, spare };
}


/** The session part of stitching one new sub into the 500-sub session: DB time, rolled back. */
async function measureJoin(pool: DatabasePool, big: string, spare: string): Promise<number[]> {
  const s = await pool.one(sql.type(z.object({ night: z.string(), target_id: z.string(), camera_id: z.string().nullable(), telescope_id: z.string().nullable(), fl: z.number().nullable() }))`
    select to_char(night, 'YYYY-MM-DD') as night, target_id, camera_id, telescope_id, focal_length_mm as fl from imaging_sessions where id = ${big}`);
  const key = sessionKey({
    capturedAt: `${s.night}T23:00:00Z`, longitude: null, cameraId: s.camera_id, telescopeId: s.telescope_id, focalLengthMm: s.fl, binning: '1x1',
    targetId: s.target_id, objectName: null, ra: null, dec: null, fieldWidthDeg: null, fieldHeightDeg: null,
  })!;
  const out: number[] = [];
  // One connection: each run is a nested transaction (a savepoint) rolled back by throwing. (A top-level
  // transaction that throws makes slonik destroy its connection, and each run would also time a new
  // connection, as the measure did before.)
  await pool.transaction(async (outer) => {
      for (let i = 0; i < RUNS + 5; i++) {
        const t0 = performance.now();
        await outer
          .transaction(async (tx) => {
            const c = await sessionCandidates(tx, key, trainKey(key));
            if (!c.some((x) => x.id === big)) throw new Error('the large session is not a candidate');
            await linkImageSession(tx, spare, big);
            throw new RollBack();
          })
          .catch((err) => {
            if (!(err instanceof RollBack)) throw err;
          });
        if (i >= 5) out.push(performance.now() - t0);
      }
      // every run was rolled back: the outer transaction commits nothing (and keeps its connection, whose CPU is read after)
    });
  return out;
}
class RollBack extends Error {}

/**
 * The gallery's default view, "Sessions & stacks" (HTML, the web UI's own
 * route): the first page, a deep page (a keyset cursor 90 % of the way down,
 * as "Next" would give it) and a three-criteria search (target + hemisphere +
 * camera, as bench/gallery.ts does for the frames view).
 */
async function galleryCases(pool: DatabasePool): Promise<[string, string][]> {
  const total = await pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from imaging_sessions`);
  // the key of the session view's default order (newest first capture), as the cursor carries it
  const deep = await pool.one(sql.type(z.object({ id: z.string(), at: z.string() }))`
    select id, (coalesce(started_at, '-infinity'::timestamptz))::text as at from imaging_sessions
     order by coalesce(started_at, '-infinity'::timestamptz) desc, id desc offset ${Math.floor(total * 0.9)} limit 1`);
  const camera = await pool.oneFirst(sql.type(z.object({ camera_id: z.string() }))`
    select camera_id from imaging_sessions where target_id = 'M31' and camera_id is not null group by camera_id order by count(*) desc limit 1`);
  const cursor = encodeGroupCursor({ dir: 'after', at: deep.at, id: deep.id });
  return [
    ['gallery, Sessions & stacks (HTML, first page)', '/'],
    ['gallery, Sessions & stacks (HTML, deep cursor page, 90 %)', `/?cursor=${cursor}`],
    ['gallery, Sessions & stacks, 3 criteria: target + hemisphere + camera (HTML)', `/?target=M31&hemisphere=north&camera=${camera}`],
    // an unselective filter on subs: the matching sessions come from one pass over the matching images
    ['gallery, Sessions & stacks, filter=Ha (HTML)', '/?filter=Ha'],
  ];
}

interface Row {
  size: number;
  name: string;
  median: number;
  p95: number;
  /** CPU ms per request or operation (this process + the database's backends), mean */
  cpu: number;
}

async function run(size: number): Promise<Row[]> {
  const name = seeded ? new URL(seeded).pathname.slice(1) : `bench_sessions_${size}_${Date.now()}`;
  const url = seeded ?? (await createBenchDatabase(server.url, name));
  const pool = await createDatabasePool(url);
  let arranged: { sessions: number; big: string; spare: string };
  if (seeded) arranged = await findSeeded(pool);
  else {
    await seedObjects(pool, log);
    const t0 = Date.now();
    const lib = await seedLibrary(pool, { count: size, seed: 1 }, (what) => process.stderr.write(`\r  ${what}          `));
    process.stderr.write(`\n  ${size} images, ${lib.sessions} sessions seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s ${JSON.stringify(lib.timings)}\n`);
    arranged = lib;
  }
  const rows: Row[] = [];
  const join = await withCpu(server.url, name, () => measureJoin(pool, arranged.big, arranged.spare));
  const join500 = join.result;
  rows.push({ size, name: 'DB: one new sub joins the session of 500 (lock, candidates, link, aggregates)', median: pct(join500, 50), p95: pct(join500, 95), cpu: join.dbMs / (RUNS + 5) });
  const typical = await pool.oneFirst(sql.type(z.object({ id: z.string() }))`select id from imaging_sessions order by abs(frames - 110), id limit 1`);
  // a page 90 % down the list, as a keyset walk reaches it
  const deepRow = (await searchSessions(pool, { limit: 1, offset: Math.floor(arranged.sessions * 0.9) })).rows[0]!;
  const deep = encodeSessionCursor(deepRow);
  // criteria that exist in the seeded library
  const cam = await pool.oneFirst(sql.type(z.object({ id: z.string() }))`select id from equipment where type = 'camera' and name = 'ZWO ASI2600MM Pro'`);
  const tel = await pool.oneFirst(sql.type(z.object({ id: z.string() }))`select id from equipment where type = 'telescope' and name = 'Esprit 100'`);
  const night = await pool.oneFirst(sql.type(z.object({ n: z.string() }))`select to_char(night - 30, 'YYYY-MM-DD') as n from imaging_sessions order by night desc limit 1 offset ${Math.floor(arranged.sessions / 2)}`);
  const gallery = await galleryCases(pool);
  await pool.end();

  const web = await startBenchWeb(url);
  const cases: [string, string][] = [
    ['GET /api/v1/sessions (50 newest, full sessions)', '/api/v1/sessions'],
    ['GET /api/v1/sessions?target=M31', '/api/v1/sessions?target=M31'],
    ['GET /api/v1/sessions?camera={id}', `/api/v1/sessions?camera=${cam}`],
    ['GET /api/v1/sessions?filter=Ha', '/api/v1/sessions?filter=Ha'],
    ['GET /api/v1/sessions?capturedFrom=…&capturedTo=… (a month)', `/api/v1/sessions?capturedFrom=${night}&capturedTo=${new Date(Date.parse(night) + 30 * 86_400_000).toISOString().slice(0, 10)}`],
    ['GET /api/v1/sessions?cursor=… (a page 90 % deep)', `/api/v1/sessions?cursor=${deep}`],
    ['GET /api/v1/sessions/{id} (~110 subs)', `/api/v1/sessions/${typical}`],
    ['GET /api/v1/sessions/{id} (500 subs)', `/api/v1/sessions/${arranged.big}`],
    ['session page (HTML, ~110 subs)', `/sessions/${typical}`],
    ['3 criteria: target + hemisphere + camera (API)', `/api/v1/images?target=M31&hemisphere=north&camera=${cam}`],
    ['3 criteria: constellation + filter + integration ≥ 1 h (API)', '/api/v1/images?constellation=Cyg&filter=Ha&integrationMin=3600'],
    ['3 criteria: telescope + dates + free text (API)', `/api/v1/images?telescope=${tel}&capturedFrom=2023-01-01&capturedTo=2023-12-31&q=nebula`],
    ...gallery,
  ];
  for (const [label, path] of cases) {
    const t = await withCpu(server.url, name, () => timeRequests(web, path, RUNS));
    const m = t.result.server;
    rows.push({ size, name: `server: ${label}`, median: pct(m, 50), p95: pct(m, 95), cpu: (t.nodeMs + t.dbMs) / (RUNS + 5) });
  }
  for (const r of rows) process.stderr.write(`  ${r.name}: ${r.median.toFixed(1)} / ${r.p95.toFixed(1)} ms, CPU ${r.cpu.toFixed(1)} ms\n`);
  await web.close(server.url, seeded ? null : name);
  return rows;
}

const all: Row[] = [];
try {
  for (const size of sizes) {
    process.stderr.write(`library of ${size} images\n`);
    all.push(...(await run(size)));
  }
} finally {
  await server.stop(); // also when a run fails: no PostgreSQL left behind
}
process.stdout.write(`Measured by \`node --import tsx bench/sessions.ts ${sizes.join(',')} ${RUNS}\` on ${new Date().toISOString().slice(0, 10)} (${process.platform}, Node ${process.version}).

| images | measure | median ms | p95 ms | CPU ms (mean) |
|---:|---|---:|---:|---:|
${all.map((r) => `| ${r.size.toLocaleString('en')} | ${r.name} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.cpu.toFixed(1)} |`).join('\n')}
`);
