/**
 * `npm run bench`: lists the benchmarks; `npm run bench -- <name> [args…]`
 * runs one (in its own process, as `node --import tsx bench/<name>.ts`).
 * Each bench prints its table; docs/performance.md holds the results.
 * Benchmarks that read the real-file corpus take it from SIDEREAL_TESTDATA.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = import.meta.dirname;
/** helpers of the benches, not benches */
const HELPERS = new Set(['run', 'benchDatabase', 'previewOne']);

function summary(file: string): string {
  const text = readFileSync(join(DIR, file), 'utf8');
  // the file's leading comment: a /** … */ block or // lines
  const doc = /^\s*\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? /^((?:\/\/.*\n)+)/.exec(text)?.[1] ?? '';
  const words = doc.split('\n').map((l) => l.replace(/^\s*(\*|\/\/)\s?/, '').trim()).filter(Boolean).join(' ');
  const sentence = words.split(/(?<=\.)\s/)[0]!;
  return sentence.length > 100 ? `${sentence.slice(0, 99)}…` : sentence;
}

const benches = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !HELPERS.has(f.slice(0, -3))).map((f) => f.slice(0, -3)).sort();
const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === 'list') {
  console.log('usage: npm run bench -- <name> [args…]\n');
  for (const b of benches) console.log(`  ${b.padEnd(12)} ${summary(`${b}.ts`)}`);
  process.exit(0);
}
if (!benches.includes(name)) {
  console.error(`no benchmark named "${name}" (${benches.join(', ')})`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', join(DIR, `${name}.ts`), ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
