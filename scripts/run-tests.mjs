#!/usr/bin/env node
// Runs the whole test suite: every *.test.ts under the source folders, through
// node's test runner with tsx. Node 20 does not expand globs itself, and
// `node --test` with no files would run nothing and still exit 0.
// One PostgreSQL serves the run (see test-postgres.mjs); each test file clones
// a migrated template database from it.
// Test files that need a system package declare it (`// test-needs: …`, see
// test-requirements.mjs): a missing optional one skips those files, a missing
// required one (Chromium) fails the run, each with the install command. Tests
// that read the real-file corpus run when SIDEREAL_TESTDATA names it, and are
// otherwise skipped and counted in one line at the end.
// SIDEREAL_TEST_REQUIRE_ALL=1 (CI) turns every such skip into a failure.
// Usage: npm test [-- filter-substring…]
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';
import { tsImport } from 'tsx/esm/api';
import { startTestPostgres } from './test-postgres.mjs';
import { REQUIREMENTS, checkRequirements, needsOf } from './test-requirements.mjs';

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
const requireAll = process.env.SIDEREAL_TEST_REQUIRE_ALL === '1';

// system packages the selected files need
const needs = new Map(selected.map((f) => [f, needsOf(f)]));
const met = await checkRequirements([...needs.values()].flat());
const missing = Object.keys(met).filter((n) => !met[n]);
const notRun = new Map(missing.map((n) => [n, selected.filter((f) => needs.get(f).includes(n))]));
const runnable = selected.filter((f) => needs.get(f).every((n) => met[n]));
let failed = false;
const summary = [];
for (const [n, list] of notRun) {
  const r = REQUIREMENTS[n];
  const line = `${list.length} test file${list.length === 1 ? '' : 's'} need${list.length === 1 ? 's' : ''} ${r.what}, which is missing: ${r.install} (${list.join(', ')})`;
  summary.push(line);
  if (r.required || requireAll) failed = true;
}
if (summary.length) console.error(summary.map((l) => `not run: ${l}`).join('\n'));
if (runnable.length === 0) {
  console.error('no test file can run here');
  process.exit(1);
}

const pg = await startTestPostgres();
// tsx reads the repository's tsconfig (its `paths` map @sidereal/agent-sdk to
// the SDK's sources) whatever the working directory of a spawned process
const env = { ...process.env, NODE_ENV: 'test', TEST_DATABASE_URL: pg.url, TSX_TSCONFIG_PATH: join(import.meta.dirname, '..', 'tsconfig.json') };
const prep = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/prepareTemplate.ts'], { stdio: 'inherit', env });
if (prep.status !== 0) {
  await pg.stop();
  console.error('could not prepare the test database');
  process.exit(1);
}
// the usual reporter on stdout, and a second one that counts skips by reason
const skipsDir = mkdtempSync(join(tmpdir(), 'sidereal-test-skips-'));
const skipsFile = join(skipsDir, 'skips.json');
const reporter = process.env.TEST_REPORTER ?? (process.stdout.isTTY ? 'spec' : 'tap');
const args = [
  '--import', 'tsx', '--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
  `--test-reporter=${reporter}`, '--test-reporter-destination=stdout',
  `--test-reporter=${pathToFileURL(join(import.meta.dirname, 'test-skips-reporter.mjs')).href}`, `--test-reporter-destination=${skipsFile}`,
  ...runnable,
];
const child = spawn(process.execPath, args, { stdio: 'inherit', env });
const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
await pg.stop();

let skips = {};
try { skips = JSON.parse(readFileSync(skipsFile, 'utf8')); } catch { /* the run died before the reporter finished */ }
rmSync(skipsDir, { recursive: true, force: true });
const { CORPUS_SKIP } = await tsImport('../agents/lib/formats/test-data.ts', import.meta.url);
const corpusSkipped = Object.entries(skips).filter(([reason]) => reason.startsWith(CORPUS_SKIP)).reduce((n, [, c]) => n + c, 0);
if (corpusSkipped > 0) {
  summary.push(`${corpusSkipped} test${corpusSkipped === 1 ? '' : 's'} need the real-file corpus and were not run: set SIDEREAL_TESTDATA to its folder (e.g. SIDEREAL_TESTDATA=../shared/testdata npm test)`);
  if (requireAll) failed = true;
}
for (const line of summary) console.log(`# not run: ${line}`);
if (failed && code === 0) console.error(requireAll ? 'SIDEREAL_TEST_REQUIRE_ALL=1: every test must run' : 'a required test package is missing (see above)');
process.exit(code !== 0 ? code : failed ? 1 : 0);
