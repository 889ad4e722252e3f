// Every built-in agent's settings carry what the admin agents page shows:
// a title (the label, not the camelCase key) and a description (help text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Agent } from '../../agents/sdk/index.ts';
import { BUILTIN_AGENTS } from '../../daemon/agent-host/AgentRegistry.ts';

test('built-in agent settings have a title and a description', async () => {
  let n = 0;
  for (const name of BUILTIN_AGENTS) {
    const agent = (await import(`../../agents/${name}/index.ts`)).default as Agent;
    for (const [key, s] of Object.entries(agent.settings ?? {})) {
      n++;
      assert.ok(s.title && /^[A-Z]/.test(s.title) && s.title !== key, `${name}.${key}: a title in words`);
      assert.ok(s.description && s.description.length > 10 && !s.description.endsWith('.'), `${name}.${key}: a description (no final full stop: the page adds one)`);
    }
  }
  assert.ok(n >= 10, `${n} settings checked`);
});
