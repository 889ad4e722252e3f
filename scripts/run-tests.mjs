#!/usr/bin/env node
// Runs the whole test suite: every *.test.ts under the source folders, through
// node's test runner with tsx. Node 20 does not expand globs itself, and
// `node --test` with no files would run nothing and still exit 0.
// One PostgreSQL serves the run (see test-postgres.mjs); each test file clones
// a migrated template database from it.
// Usage: npm test [-- filter-substring…]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { startTestPostgres } from './test-postgres.mjs';

const roots = ['daemon', 'agents', 'test', 'examples'];
const files = [];
function walk(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(relative(process.cwd(), p));
  }
}
roots.forEach(walk);
const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
if (selected.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
selected.sort();

const pg = await startTestPostgres();
const env = { ...process.env, NODE_ENV: 'test', TEST_DATABASE_URL: pg.url };
const prep = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/prepareTemplate.ts'], { stdio: 'inherit', env });
if (prep.status !== 0) {
  await pg.stop();
  console.error('could not prepare the test database');
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...selected];
if (process.env.TEST_REPORTER) args.splice(2, 0, `--test-reporter=${process.env.TEST_REPORTER}`);
const child = spawn(process.execPath, args, { stdio: 'inherit', env });
const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
await pg.stop();
process.exit(code);
