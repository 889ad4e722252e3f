// Entry of the thread that loads a third-party agent once to read its
// manifest, so the agent's module code never runs on the main thread.
// From TypeScript sources it registers tsx first; from a build it loads JS.
import { existsSync } from 'node:fs';

const compiled = new URL('./inspectWorker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./inspectWorker.ts', import.meta.url).href);
}
