// Loads a module of this repository from a worker thread's entry file: the
// compiled JavaScript twin when the project is built (dist/), else the
// TypeScript source through tsx (npm start without a build, tests). The one
// home of that rule for every worker entry (.mjs files stay plain JavaScript
// because a worker thread starts before any loader is registered).
import { existsSync } from 'node:fs';

let registered = false;

/** `source` is the URL of a `.ts` file; its `.js` twin is preferred when it exists. */
export async function loadSource(source) {
  const compiled = new URL(source.href.replace(/\.ts$/, '.js'));
  if (existsSync(compiled)) return import(compiled.href);
  if (!registered) {
    const { register } = await import('tsx/esm/api');
    register();
    registered = true;
  }
  return import(source.href);
}
