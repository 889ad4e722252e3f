/**
 * Sessions benchmark: a database filled with realistic images (10,000 and
 * 100,000 by default, test/web/seedImages.ts), whose light frames are then
 * arranged into realistic sessions (20–200 subs of one target, camera and
 * telescope in one night, plus one session of 500), then:
 * - the session list (API, 50 newest; and filtered by target), one session
 *   (API and the HTML page) through the real HTTP server (web role): median
 *   and p95 of the server time (Server-Timing);
 * - the gallery's "Sessions & stacks" view (HTML): first page, a deep cursor
 *   page and a three-criteria search (galleryCases);
 * - the database time of putting one new sub into the session of 500 (the
 *   session part of a stitch: the night/train lock, the candidates, the link
 *   and the recomputed aggregates), in a transaction rolled back each time.
 *
 * Usage: node --import tsx bench/sessions.ts [sizes=10000,100000] [runs=40]
 * Prints a Markdown table (copied into docs/performance.md).
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createBenchDatabase } from './benchDatabase.ts';
import { pct, startBenchWeb, timeRequests } from './benchWeb.ts';
// @ts-expect-error plain JS helper
import { startTestPostgres } from '../scripts/test-postgres.mjs';
import { createDatabasePool } from '../daemon/db/pool.ts';
import { seedObjects } from '../daemon/db/objects.ts';
import { log, setLogLevel } from '../daemon/log.ts';
import { seedImagesBulk } from '../test/web/seedImages.ts';
import { linkImageSession, sessionCandidates } from '../daemon/db/imagingSessions.ts';
import { sessionKey, trainKey } from '../daemon/catalog/stitching/sessions.ts';
import { encodeGroupCursor } from '../daemon/services/GalleryService.ts';

setLogLevel('warn');
const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const RUNS = Number(process.argv[3] ?? 40);
const server = await startTestPostgres();


/** Deterministic sizes 20–200. */
function* chunkSizes(): Generator<number> {
  let x = 12345;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield 20 + (x % 181);
  }
}

const Light = z.object({ id: z.string(), target_id: z.string().nullable(), camera_id: z.string().nullable(), telescope_id: z.string().nullable() });

/**
 * Arranges the seeded lights into sessions: runs of 20–200 lights of one
 * target get one night and the camera and telescope of the run's first (their
 * capture times one after the other from 20:00 UTC); the first run of a
 * target with 500 lights or more is 500 long.
 * Returns the id of the 500-sub session and of a light outside it.
 */
async function arrangeSessions(pool: DatabasePool): Promise<{ sessions: number; big: string; spare: string }> {
  const lights = await pool.any(sql.type(Light)`
    select id, target_id, camera_id, telescope_id from images where frame_type = 'light' and not is_calibration and target_id is not null
     order by target_id, camera_id, telescope_id, id`);
  const sizesOf = chunkSizes();
  const sessions: { id: string; night: string; first: z.infer<typeof Light>; ids: string[] }[] = [];
  let day = 0;
  if (lights.length < 1000) throw new Error('too few lights for the session of 500');
  // the large session: the first 500 lights, all made the first one's target, camera and telescope
  sessions.push({ id: crypto.randomUUID(), night: '2019-12-31', first: lights[0]!, ids: lights.slice(0, 500).map((l) => l.id) });
  let i = 500;
  while (i < lights.length) {
    const first = lights[i]!;
    let j = i;
    while (j < lights.length && lights[j]!.target_id === first.target_id) j++;
    // the group [i, j): cut into runs
    let k = i;
    while (k < j) {
      const want = sizesOf.next().value;
      const end = Math.min(j, k + want);
      const night = new Date(Date.UTC(2020, 0, 1) + day++ * 86_400_000).toISOString().slice(0, 10);
      sessions.push({ id: crypto.randomUUID(), night, first: lights[k]!, ids: lights.slice(k, end).map((l) => l.id) });
      k = end;
    }
    i = j;
  }
  await pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      insert into imaging_sessions (id, night, target_id, camera_id, telescope_id, binning)
      select * from ${sql.unnest(sessions.map((s) => [s.id, s.night, s.first.target_id, s.first.camera_id, s.first.telescope_id, '1x1']), ['uuid', 'date', 'text', 'uuid', 'uuid', 'text'])}`);
    const links = sessions.flatMap((s) => s.ids.map((id, n) => [id, s.id, new Date(Date.parse(s.night + 'T20:00:00Z') + n * 60_000).toISOString()]));
    for (let b = 0; b < links.length; b += 20_000) {
      const part = links.slice(b, b + 20_000);
      await tx.query(sql.unsafe`
        with t as (select * from ${sql.unnest(part, ['uuid', 'uuid', 'timestamptz'])} as t(image_id, session_id, at)),
             u as (update images i set captured_at = t.at, target_id = s.target_id, camera_id = s.camera_id, telescope_id = s.telescope_id, record = jsonb_set(i.record, '{session}', jsonb_build_object('id', t.session_id)) from t join imaging_sessions s on s.id = t.session_id where i.id = t.image_id)
        insert into imaging_session_images (image_id, session_id) select image_id, session_id from t`);
    }
    await tx.query(sql.unsafe`select imaging_session_refresh(id) from imaging_sessions`);
  });
  const big = sessions[0]!;
  const spare = sessions.find((s) => s !== big && s.first.camera_id === big.first.camera_id)!.ids[0]!;
  return { sessions: sessions.length, big: big.id, spare };
}

/** The session part of stitching one new sub into the 500-sub session: DB time, rolled back. */
async function measureJoin(pool: DatabasePool, big: string, spare: string): Promise<number[]> {
  const s = await pool.one(sql.type(z.object({ night: z.string(), target_id: z.string(), camera_id: z.string().nullable(), telescope_id: z.string().nullable() }))`
    select to_char(night, 'YYYY-MM-DD') as night, target_id, camera_id, telescope_id from imaging_sessions where id = ${big}`);
  const key = sessionKey({
    capturedAt: `${s.night}T23:00:00Z`, longitude: null, cameraId: s.camera_id, telescopeId: s.telescope_id, focalLengthMm: null, binning: '1x1',
    targetId: s.target_id, objectName: null, ra: null, dec: null, fieldWidthDeg: null, fieldHeightDeg: null,
  })!;
  const out: number[] = [];
  for (let i = 0; i < RUNS + 5; i++) {
    const t0 = performance.now();
    await pool
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
}

async function run(size: number): Promise<Row[]> {
  const name = `bench_sessions_${size}_${Date.now()}`;
  const url = await createBenchDatabase(server.url, name);
  const pool = await createDatabasePool(url);
  await seedObjects(pool, log);
  const t0 = Date.now();
  await seedImagesBulk(pool, { count: size, seed: 1 }, (done) => process.stderr.write(`\r  seeded ${done}/${size}`));
  const arranged = await arrangeSessions(pool);
  process.stderr.write(`\n  ${size} images, ${arranged.sessions} sessions seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const rows: Row[] = [];
  const join500 = await measureJoin(pool, arranged.big, arranged.spare);
  rows.push({ size, name: 'DB: one new sub joins the session of 500 (lock, candidates, link, aggregates)', median: pct(join500, 50), p95: pct(join500, 95) });
  const typical = await pool.oneFirst(sql.type(z.object({ id: z.string() }))`select id from imaging_sessions order by abs(frames - 110), id limit 1`);
  const gallery = await galleryCases(pool);
  await pool.end();

  const web = await startBenchWeb(url);
  const cases: [string, string][] = [
    ['GET /api/v1/sessions (50 newest, full sessions)', '/api/v1/sessions'],
    ['GET /api/v1/sessions?target=M31', '/api/v1/sessions?target=M31'],
    ['GET /api/v1/sessions/{id} (~110 subs)', `/api/v1/sessions/${typical}`],
    ['GET /api/v1/sessions/{id} (500 subs)', `/api/v1/sessions/${arranged.big}`],
    ['session page (HTML, ~110 subs)', `/sessions/${typical}`],
    ...gallery,
  ];
  for (const [label, path] of cases) {
    const m = (await timeRequests(web, path, RUNS)).server;
    rows.push({ size, name: `server: ${label}`, median: pct(m, 50), p95: pct(m, 95) });
  }
  for (const r of rows) process.stderr.write(`  ${r.name}: ${r.median.toFixed(1)} / ${r.p95.toFixed(1)} ms\n`);
  await web.close(server.url, name);
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

| images | measure | median ms | p95 ms |
|---:|---|---:|---:|
${all.map((r) => `| ${r.size.toLocaleString('en')} | ${r.name} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} |`).join('\n')}
`);
