// Agent settings hold across hosts: a change saved through one host's
// AgentService reaches another host's registry before its next claim.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentRegistry } from '../../daemon/agent-host/AgentRegistry.ts';
import { AgentSettingsSync } from '../../daemon/catalog/processing/agentSettingsSync.ts';
import { AgentService } from '../../daemon/services/AgentService.ts';
import { agentSettingsVersion } from '../../daemon/db/results.ts';
import { log } from '../../daemon/log.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.drop();
});

async function host(): Promise<AgentRegistry> {
  const registry = new AgentRegistry(log.child({ component: 'test' }));
  await registry.load({ builtins: ['file', 'integration'], thirdParty: [] });
  registry.applyOverrides([], {});
  return registry;
}

test("an admin's change on host A reaches host B at its next round; the version moves in the same transaction", async () => {
  const a = await host();
  const b = await host();
  const syncB = new AgentSettingsSync({ db: db.pool, registry: b });
  await syncB.refresh();
  const v0 = await agentSettingsVersion(db.pool);
  const admin = { id: '00000000-0000-4000-8000-000000000001', username: 'admin', role: 'admin' as const };
  const service = new AgentService({ db: db.pool, registry: a });
  await service.update(admin as never, 'integration', { enabled: false });
  assert.ok((await agentSettingsVersion(db.pool)) > v0, 'the version moved with the change');
  assert.equal(a.get('integration')!.enabled, false, 'the serving host has it');
  assert.equal(b.get('integration')!.enabled, true, 'host B has not looked yet');
  await syncB.refresh();
  assert.equal(b.get('integration')!.enabled, false, 'host B has it after its refresh');
  // nothing changed: no reload (the registry object keeps its state)
  b.get('integration')!.enabled = true;
  await syncB.refresh();
  assert.equal(b.get('integration')!.enabled, true);
});
