#!/usr/bin/env node
// Runs the compiled daemon when `npm run build` has made one, else the
// TypeScript sources through tsx (so `npm start` works right after `npm install`).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/daemon/cli.js', import.meta.url);
if (existsSync(compiled) && process.env.SIDEREAL_FROM_SOURCE !== '1') {
  await import(compiled.href);
} else {
  // the repository's tsconfig whatever the working directory: its `paths` map
  // @sidereal/agent-sdk to the SDK's sources (agents, worker threads included)
  process.env.TSX_TSCONFIG_PATH ??= new URL('../tsconfig.json', import.meta.url).pathname;
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../daemon/cli.ts', import.meta.url).href);
}
