/**
 * `sidereal agent new <name>`: scaffolds an agent package in ./<name> — a
 * package.json that depends on the agent SDK, index.js (a working agent, with
 * type checking through JSDoc), a test, a README — and installs the SDK into
 * it from this Sidereal (the SDK is packed with `npm pack` into vendor/, so the
 * package installs offline and anywhere). Plain JavaScript, so that
 * `npm test` and `sidereal agent run ./<name> <file>` work at once, with
 * nothing but Node; rename to .ts and add tsx to write TypeScript (docs/agents.md).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SDK_VERSION } from '../../agents/sdk/index.ts';
import { errorMessage } from '../errors.ts';

const SDK_DIR = resolve(import.meta.dirname, '../../agents/sdk');
const NAME = /^[a-z][a-z0-9-]{0,62}$/;

export const NEW_USAGE = `usage: sidereal agent new <name> [--dir <parent folder>]

Creates <name>/ with package.json, index.js, index.test.js and README.md, and
installs the agent SDK into it (offline). Then:
  cd <name> && npm test
  sidereal agent run ./<name> <image file>`;

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function files(name: string, sdkTarball: string): Record<string, string> {
  const pkg = {
    name: `sidereal-agent-${name}`,
    version: '0.1.0',
    description: `A Sidereal metadata agent: ${name}.`,
    type: 'module',
    exports: './index.js',
    sidereal: { agent: './index.js', sdk: SDK_VERSION },
    files: ['index.js', 'README.md'],
    scripts: { test: 'node --test' },
    dependencies: { '@sidereal/agent-sdk': `file:vendor/${sdkTarball}` },
    engines: { node: '>=20.19' },
    keywords: ['sidereal-agent'],
  };
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'index.js': `// @ts-check
// A Sidereal metadata agent. Sidereal calls run() once per image and stage and
// stores the facts it returns under the agent's name. Reference: docs/agents.md
// of Sidereal.
import { AgentSkip, defineAgent } from '@sidereal/agent-sdk';

export default defineAgent({
  name: '${name}',
  version: '0.1.0',
  stages: ['aggregate'],
  uses: ['file'],
  appliesTo: { frameTypes: ['light'] },
  settings: {
    threshold: { type: 'number', default: 0.5, minimum: 0, maximum: 1, description: 'fraction of the full scale counted as bright' },
  },
  factsSchema: {
    type: 'object',
    required: ['brightFraction'],
    properties: {
      brightFraction: { type: 'number', title: 'Bright pixels', unit: '%', minimum: 0, maximum: 100 },
      pixels: { type: 'integer', title: 'Pixels read' },
    },
  },
  searchable: [{ path: 'brightFraction', type: 'number', label: 'Bright pixels (%)' }],
  async run(ctx) {
    const threshold = Number(ctx.settings.threshold);
    const image = await ctx.readPixels({ maxPixels: 4_000_000 });
    const plane = image.planes[0];
    if (!plane || plane.length === 0) throw new AgentSkip('no pixels');
    let bright = 0;
    for (const v of plane) if (v >= threshold) bright++;
    ctx.log.info(\`\${bright} of \${plane.length} pixels at or above \${threshold}\`);
    return { facts: { brightFraction: (100 * bright) / plane.length, pixels: plane.length } };
  },
});
`,
    'index.test.js': `// Runs the agent on an image made here (no image files needed): node --test
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext } from '@sidereal/agent-sdk/runtime';
import agent from './index.js';

test('counts the bright pixels of an image', async () => {
  const dir = mkdtempSync(join(tmpdir(), '${name}-'));
  try {
    const path = join(dir, 'frame.bin');
    writeFileSync(path, new Uint8Array(16));
    // a 10×10 image, 25 of its pixels bright
    const plane = new Float32Array(100).map((_, i) => (i % 4 === 0 ? 0.9 : 0.1));
    const image = { width: 10, height: 10, channels: 1, planes: [plane], rowOrder: 'top-down', bayerPattern: null, linear: true, binned: 1 };
    const ctx = await createTestContext({
      localPath: path,
      facts: { file: { format: 'fits', frameType: 'light' } },
      settings: { threshold: 0.5 },
      stage: 'aggregate',
      readPixels: async () => image,
    });
    const out = await agent.run(ctx);
    assert.equal(out.facts.brightFraction, 25);
    assert.equal(out.facts.pixels, 100);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
`,
    'README.md': `# sidereal-agent-${name}

A [Sidereal](https://github.com/) metadata agent: the percentage of bright
pixels of each light frame (a starting point: change \`run\` in \`index.js\`).

\`\`\`sh
npm test                                   # its test (Node only)
sidereal agent run . path/to/frame.fits    # run it on a file, as Sidereal would
\`\`\`

Install it in Sidereal by listing this folder (or the package, once
installed with npm) in \`SIDEREAL_AGENTS\`, and restart Sidereal. The agent SDK
comes from \`vendor/\` (packed from the Sidereal this was made with); when
\`@sidereal/agent-sdk\` is on a registry, depend on \`^${SDK_VERSION}.0.0\` instead.
`,
    '.gitignore': 'node_modules/\n',
  };
}

/** Writes the scaffold into `parent/name` and installs the SDK; returns the folder. */
export function createAgentPackage(name: string, parent = process.cwd()): string {
  if (!NAME.test(name)) throw new Error(`"${name}" is not a valid agent name: lower-case letters, digits and dashes, starting with a letter`);
  const dir = resolve(parent, name);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} already exists and is not empty`);
  const vendor = join(dir, 'vendor');
  mkdirSync(vendor, { recursive: true });
  let tarball: string;
  try {
    // npm pack builds the SDK's JavaScript and declarations (its prepack script)
    const out = npm(['pack', '--json', '--pack-destination', vendor, SDK_DIR], SDK_DIR);
    tarball = (JSON.parse(out) as { filename: string }[])[0]!.filename.replace(/^@sidereal\//, 'sidereal-').replace(/\//g, '-');
    if (!existsSync(join(vendor, tarball))) tarball = readdirSync(vendor).find((f) => f.endsWith('.tgz'))!;
  } catch (err) {
    throw new Error(`could not pack the agent SDK from ${SDK_DIR} (run from a Sidereal checkout after npm ci): ${errorMessage(err)}`);
  }
  for (const [file, text] of Object.entries(files(name, tarball))) writeFileSync(join(dir, file), text);
  try {
    npm(['install', '--offline'], dir);
  } catch (err) {
    throw new Error(`the package was written to ${dir}, but npm install failed there: ${errorMessage(err)}`);
  }
  JSON.parse(readFileSync(join(dir, 'node_modules/@sidereal/agent-sdk/package.json'), 'utf8'));
  return dir;
}

/** Entry from `sidereal agent new …` (daemon/tools/agentRun.ts dispatches here). */
export function runAgentNew(args: string[]): number {
  const dirAt = args.indexOf('--dir');
  const parent = dirAt >= 0 ? args[dirAt + 1] : undefined;
  const rest = dirAt >= 0 ? args.filter((_, i) => i !== dirAt && i !== dirAt + 1) : args;
  if (rest.length !== 1 || rest[0]!.startsWith('-') || (dirAt >= 0 && !parent)) {
    process.stderr.write(`${NEW_USAGE}\n`);
    return rest[0] === '--help' ? 0 : 2;
  }
  try {
    const dir = createAgentPackage(rest[0]!, parent);
    process.stdout.write(`created ${dir}\n  cd ${dir} && npm test\n  sidereal agent run ${dir} <image file>\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${errorMessage(err)}\n`);
    return 1;
  }
}
