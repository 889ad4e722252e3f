import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createDatabasePool } from './db/pool.ts';
import { metricsText, type MetricsSource } from './metrics.ts';
import { createTestDatabase, type TestDatabase } from '../test/helpers/db.ts';
import { startTestDaemon, waitFor, type TestDaemon } from '../test/helpers/daemon.ts';
import { writeTinyFits } from '../test/helpers/library.ts';
import { populate } from '../test/ops/populate.ts';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the Prometheus text format 0.0.4: every sample belongs to
 * a family declared once with HELP and TYPE just before its samples.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  let current: string | null = null;
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    if (m) {
      assert.ok(!types.has(m[1]!), `${m[1]} declared once`);
      current = m[1]!;
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|histogram|summary|untyped)$/.exec(line);
    if (m) {
      assert.equal(m[1], current, 'TYPE follows its HELP');
      types.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    assert.ok(m, `sample line: ${line}`);
    assert.equal(m[1], current, `${m[1]} sample under its own family`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
      let l;
      let end = 0; // a failed exec resets lastIndex: remember where the last match ended
      while ((l = re.exec(m[2]))) {
        labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        end = re.lastIndex;
      }
      assert.equal(end, m[2].length, `labels of ${line}`);
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

test('metrics of a populated catalog (web-only process)', async () => {
  const db: TestDatabase = await createTestDatabase();
  cleanups.push(() => db.drop());
  await populate(db.url, 40);
  const source: MetricsSource = { db: db.pool, engine: null, roles: ['web'], hostId: 'nas "1"' };
  const { samples, types } = parseExposition(await metricsText(source));
  // populate(): 40 files, every 10th a dark; every 7th failed its plate solve
  assert.equal(value(samples, 'sidereal_files'), 40);
  assert.equal(value(samples, 'sidereal_images', { frame_type: 'light' }), 36);
  assert.equal(value(samples, 'sidereal_images', { frame_type: 'dark' }), 4);
  assert.equal(value(samples, 'sidereal_agent_results', { agent: 'file', status: 'done' }), 40);
  assert.equal(value(samples, 'sidereal_agent_results', { agent: 'platesolve', status: 'failed' }), 6);
  assert.equal(value(samples, 'sidereal_agent_results', { agent: 'platesolve', status: 'done' }), 34);
  assert.equal(value(samples, 'sidereal_queue_images', { state: 'failed' }), 6);
  assert.equal(value(samples, 'sidereal_queue_images', { state: 'done' }), 34);
  assert.equal(value(samples, 'sidereal_queue_images', { state: 'due' }), 0);
  assert.equal(value(samples, 'sidereal_database_up'), 1);
  assert.equal(value(samples, 'sidereal_processing_slots'), 0);
  assert.equal(value(samples, 'sidereal_processing_in_flight'), 0);
  const info = samples.find((s) => s.name === 'sidereal_info')!;
  assert.equal(info.labels.host, 'nas "1"', 'label values are escaped and read back');
  assert.match(info.labels.version!, /^\d+\.\d+\.\d+/);
  assert.ok(value(samples, 'process_resident_memory_bytes')! > 10 * 1024 * 1024);
  assert.equal(types.get('sidereal_processed_images_total'), 'counter');
});

test('process metrics are served when the database is down', async () => {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const pool = await createDatabasePool(db.url);
  await pool.end();
  const { samples } = parseExposition(
    await metricsText({ db: pool, engine: null, roles: ['web', 'work'], hostId: 'h' }),
  );
  assert.equal(value(samples, 'sidereal_database_up'), 0);
  assert.equal(value(samples, 'sidereal_files'), undefined);
  assert.ok(value(samples, 'sidereal_uptime_seconds')! >= 0);
});

test('metrics of a working daemon follow its processing', async () => {
  const d: TestDaemon = await startTestDaemon({ roles: ['work'], builtinAgents: ['file'] });
  cleanups.push(() => d.stop());
  for (let i = 0; i < 3; i++) await writeTinyFits(join(d.library, `m31_${i}.fits`), i);
  const samples = await waitFor(
    async () => {
      const { samples } = parseExposition(await metricsText({ db: d.daemon.db.pool, hostId: d.daemon.config.hostId, roles: d.daemon.roles, engine: d.daemon.engine }));
      return value(samples, 'sidereal_images', { frame_type: 'light' }) === 3 && value(samples, 'sidereal_processed_images_total')! >= 3 ? samples : null;
    },
    { what: '3 processed lights in the metrics', timeoutMs: 15_000 },
  );
  assert.equal(value(samples, 'sidereal_files'), 3);
  assert.equal(value(samples, 'sidereal_agent_results', { agent: 'file', status: 'done' }), 3);
  assert.equal(value(samples, 'sidereal_processing_slots'), 2);
  assert.equal(samples.find((s) => s.name === 'sidereal_info')!.labels.roles, 'work');
});
