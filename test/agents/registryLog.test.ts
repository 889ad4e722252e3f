// A third-party agent that fails to load is logged with the error object
// (type, message and stack), while the reason shown to users stays its message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { AgentRegistry } from '../../daemon/agent-host/AgentRegistry.ts';

test('a failed third-party agent is logged with its stack; users see the message', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const registry = new AgentRegistry(pino({ level: 'error' }, sink));
  const missing = join(tmpdir(), 'sidereal-no-such-agent-folder');
  await registry.load({ builtins: [], thirdParty: [missing] });
  assert.equal(registry.failures.length, 1);
  assert.match(registry.failures[0]!.error, /does not exist/);
  assert.doesNotMatch(registry.failures[0]!.error, /\n\s+at /, 'the user-facing reason is the message, not a stack');
  const line = lines.find((l) => l.msg === 'third-party agent failed to load; continuing without it');
  assert.ok(line, JSON.stringify(lines));
  const err = line.err as { message?: string; stack?: string; type?: string };
  assert.equal(err.message, registry.failures[0]!.error);
  assert.match(err.stack ?? '', /\n\s+at /, 'the stack is logged');
  assert.ok(err.type);
});
