// Build step: tsc compiles the .ts files; the plain .mjs entries (worker threads, their loader) are copied beside them.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function copy(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) copy(p);
    else if (name.endsWith('.mjs')) cpSync(p, join('dist', p));
  }
}
for (const dir of ['daemon', 'agents']) copy(dir);
