// The layers hold: reads every import of the shipped code (daemon/, agents/) —
// static and type imports, re-exports, dynamic import(), and string literals
// that name a relative .ts/.mjs/.js file (a module loaded through a variable) —
// and fails on a forbidden edge. The picture is in docs/architecture.md.
// Test files (*.test.ts) may reach any layer to set up their state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface Edge {
  from: string;
  to: string;
  kind: 'import' | 'dynamic' | 'string';
  line: number;
}

interface Rule {
  name: string;
  from: (f: string) => boolean;
  to: (t: string, from: string) => boolean;
}

const under = (dir: string) => (p: string) => p === dir || p.startsWith(dir + '/');

/** The agent folder a path is in (`agents/<name>/…`), or null for the SDK, the library and everything else. */
function agentOf(p: string): string | null {
  const m = /^agents\/([^/]+)\//.exec(p);
  return m && m[1] !== 'sdk' && m[1] !== 'lib' ? m[1]! : null;
}

/** The forbidden edges (paths relative to the repository, '/'-separated). */
export const RULES: Rule[] = [
  { name: 'web → db (the web calls services)', from: under('daemon/web'), to: under('daemon/db') },
  { name: '→ Daemon.ts (the composition root is imported by cli.ts only)', from: (f) => f !== 'daemon/cli.ts', to: (t) => t === 'daemon/Daemon.ts' },
  { name: 'db → services', from: under('daemon/db'), to: under('daemon/services') },
  { name: 'db → catalog', from: under('daemon/db'), to: under('daemon/catalog') },
  { name: 'catalog → web', from: under('daemon/catalog'), to: under('daemon/web') },
  { name: 'services → web', from: under('daemon/services'), to: under('daemon/web') },
  { name: 'agents → daemon', from: under('agents'), to: under('daemon') },
  { name: 'SDK → outside the SDK', from: under('agents/sdk'), to: (t) => !under('agents/sdk')(t) },
  { name: 'library → an agent (agents/lib imports itself and the SDK only)', from: under('agents/lib'), to: (t) => under('agents')(t) && !under('agents/lib')(t) && !under('agents/sdk')(t) },
  { name: 'daemon → an agent (the daemon imports agents/lib and the SDK, never an agent)', from: under('daemon'), to: (t) => under('agents')(t) && !under('agents/lib')(t) && !under('agents/sdk')(t) },
  { name: 'agent → another agent (agents share code through agents/lib)', from: (f) => agentOf(f) !== null, to: (t, f) => agentOf(t) !== null && agentOf(t) !== agentOf(f) },
];

/**
 * Known edges waiting for a move that is not done yet, each with its reason.
 * Keep this list short; an entry that no longer matches fails the test.
 */
export const KNOWN: { from: string; to: string; why: string }[] = [
];

/** String literals and the code just before each, with comments left out. */
function literals(src: string): { value: string; before: string; line: number }[] {
  return scan(src).literals;
}

/** The code without comments (string literals become ""), and its string literals. */
function scan(src: string): { literals: { value: string; before: string; line: number }[]; code: string } {
  const out: { value: string; before: string; line: number }[] = [];
  let code = '';
  let line = 1;
  for (let i = 0; i < src.length; ) {
    const c = src[i]!;
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && n === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      line += (src.slice(i, stop).match(/\n/g) ?? []).length;
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let value = '';
      let plain = true;
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          value += src[j + 1];
          j += 2;
          continue;
        }
        if (c === '`' && src[j] === '$' && src[j + 1] === '{') plain = false;
        value += src[j];
        j++;
      }
      if (plain) out.push({ value, before: code.slice(-40), line });
      line += (src.slice(i, j).match(/\n/g) ?? []).length;
      code += '""';
      i = j + 1;
    } else {
      if (c === '\n') line++;
      code += c;
      i++;
    }
  }
  return { literals: out, code };
}

/** The edges of one file (specifiers that name a file of this repository). */
export function edgesOf(file: string, src: string): Edge[] {
  const edges: Edge[] = [];
  for (const l of literals(src)) {
    const relativePath = l.value.startsWith('./') || l.value.startsWith('../');
    if (!relativePath) continue;
    let kind: Edge['kind'];
    if (/\bimport\s*\(\s*$|\brequire\s*\(\s*$/.test(l.before)) kind = 'dynamic';
    else if (/\bfrom\s*$|\bimport\s*$/.test(l.before)) kind = 'import';
    else if (/\.(ts|mts|mjs|js)$/.test(l.value)) kind = 'string';
    else continue;
    const to = relative(ROOT, resolve(ROOT, dirname(file), l.value)).split('\\').join('/');
    edges.push({ from: file, to, kind, line: l.line });
  }
  return edges;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(ROOT, dir))) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = `${dir}/${name}`;
    if (statSync(join(ROOT, p)).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts') && !/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** Every forbidden edge, as readable lines. */
export function violations(files: { path: string; src: string }[]): string[] {
  const found: string[] = [];
  for (const f of files) {
    for (const e of edgesOf(f.path, f.src)) {
      for (const r of RULES) {
        if (!r.from(e.from) || !r.to(e.to, e.from)) continue;
        if (KNOWN.some((k) => k.from === e.from && k.to === e.to)) continue;
        found.push(`${e.from}:${e.line} → ${e.to} (${e.kind}): ${r.name}`);
      }
    }
  }
  return found;
}

/**
 * Agents read no environment variables: settings are their only channel (the
 * host passes its configuration as settings, daemon/builtinAgentSettings.ts).
 * Files allowed to read the environment, each with its reason.
 */
export const ENV_ALLOWED: { path: string; why: string }[] = [
  { path: 'agents/lib/formats/test-data.ts', why: 'locates the test corpus (SIDEREAL_TESTDATA) for tests and benches; no agent imports it' },
];

/** Where a file reads the environment (`process.env`, `process['env']`, `{ env } = process`), as readable lines. */
export function envReads(files: { path: string; src: string }[]): string[] {
  const found: string[] = [];
  for (const f of files) {
    if (!under('agents')(f.path) || ENV_ALLOWED.some((a) => a.path === f.path)) continue;
    const lines = scan(f.src).code.split('\n');
    lines.forEach((l, i) => {
      if (/\bprocess\s*(\?\.|\.)\s*env\b|\bprocess\s*\[\s*""\s*\]|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b|\bimport\.meta\.env\b/.test(l)) found.push(`${f.path}:${i + 1}: ${l.trim()}`);
    });
  }
  return found;
}

const shipped = () => [...sourceFiles('daemon'), ...sourceFiles('agents')].map((path) => ({ path, src: readFileSync(join(ROOT, path), 'utf8') }));

test('no forbidden import between the layers', () => {
  const v = violations(shipped());
  assert.deepEqual(v, [], `forbidden imports:\n  ${v.join('\n  ')}`);
});

test('every known exception still exists (remove it when the edge is gone)', () => {
  const all = shipped().flatMap((f) => edgesOf(f.path, f.src));
  for (const k of KNOWN) assert.ok(all.some((e) => e.from === k.from && e.to === k.to), `${k.from} → ${k.to} is gone: remove it from KNOWN`);
});

test('the reader sees static, type, dynamic and string imports, and not comments', () => {
  const src = [
    "import type { Services } from '../Daemon.ts';",
    "export { x } from '../db/images.ts';",
    "const m = await import('../db/pool.ts');",
    "const PREVIEW = '../../agents/preview/index.ts';",
    "// import { y } from '../db/users.ts';",
    "/* import('../db/sessions.ts') */",
    "const label = 'web/ui/x';",
  ].join('\n');
  const edges = edgesOf('daemon/web/app.ts', src).map((e) => `${e.kind} ${e.to}`);
  assert.deepEqual(edges, ['import daemon/Daemon.ts', 'import daemon/db/images.ts', 'dynamic daemon/db/pool.ts', 'string agents/preview/index.ts']);
  const v = violations([{ path: 'daemon/web/app.ts', src }]);
  assert.equal(v.length, 4);
  assert.match(v.join('\n'), /agents\/preview\/index\.ts \(string\): daemon → an agent/);
  assert.match(v.join('\n'), /→ daemon\/Daemon\.ts/);
});

test('the library and the agents: agents share code through agents/lib, the library reaches no agent', () => {
  const lines = (path: string, src: string) => violations([{ path, src }]);
  assert.deepEqual(lines('agents/lib/formats/x.ts', "import { a } from '../../integration/evidence.ts';"), [
    'agents/lib/formats/x.ts:1 → agents/integration/evidence.ts (import): library → an agent (agents/lib imports itself and the SDK only)',
  ]);
  assert.deepEqual(lines('agents/lib/formats/x.ts', "import { a } from '../../sdk/index.ts';\nimport { b } from '../wcs/index.ts';"), []);
  assert.deepEqual(lines('agents/objects/x.ts', "import { a } from '../platesolve/plan.ts';"), [
    'agents/objects/x.ts:1 → agents/platesolve/plan.ts (import): agent → another agent (agents share code through agents/lib)',
  ]);
  assert.deepEqual(lines('agents/objects/x.ts', "import { a } from '../lib/sky/index.ts';\nimport { b } from './y.ts';"), []);
  assert.deepEqual(lines('daemon/services/x.ts', "import { a } from '../../agents/lib/imaging/zoom.ts';"), []);
});

test('agents read no environment variable (settings are their only channel)', () => {
  const v = envReads(shipped());
  assert.deepEqual(v, [], `environment reads under agents/:\n  ${v.join('\n  ')}`);
  for (const a of ENV_ALLOWED) assert.ok(shipped().some((f) => f.path === a.path), `${a.path} is gone: remove it from ENV_ALLOWED`);
});

test('the environment check sees process.env in its forms, and not in comments or strings', () => {
  const reads = (src: string) => envReads([{ path: 'agents/x/index.ts', src }]).length;
  assert.equal(reads("const url = process.env.SIDEREAL_WIKIPEDIA_URL ?? '';"), 1);
  assert.equal(reads("const e = process['env'];"), 1);
  assert.equal(reads('const { env } = process;'), 1);
  assert.equal(reads('const x = process?.env?.X;'), 1);
  assert.equal(reads("// process.env.X is not read\nconst s = 'process.env.X';"), 0);
  assert.equal(envReads([{ path: 'daemon/config.ts', src: 'const e = process.env;' }]).length, 0, 'the daemon reads its configuration');
});
