// The image-state transitions on real PostgreSQL (no daemon): the rules of
// daemon/catalog/README.md — a lease is respected, the generation fences a
// round, attempts restart except for a neighbour, one state derivation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'slonik';
import { z } from 'zod';
import { claim, finish, markDue, pendingCount, queueCounts, recordFileChanges, release, renew, stateOf } from '../../daemon/catalog/imageState.ts';
import { ensureProvider } from '../../daemon/db/files.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  await ensureProvider(db.pool, { name: 'p', kind: 'local', rootUri: 'file:///lib/' });
});
after(async () => {
  await db?.drop();
});

const Row = z.object({ generation: z.number(), attempts: z.number(), lease_owner: z.string().nullable(), next_update_at: z.string().nullable(), due_reason: z.string().nullable() });
const row = (id: string) => db.pool.one(sql.type(Row)`select generation, attempts, lease_owner, next_update_at, due_reason from images_unprocessed where id = ${id}`);
const file = (key: string, fp: string) => ({ key, size: 1, modifiedAt: null, fingerprint: fp });
/** the gallery's cheap count of images being processed agrees with the full counts of the queue */
async function pendingAgrees(): Promise<void> {
  const q = await queueCounts(db.pool);
  assert.equal(await pendingCount(db.pool), q.due + q.in_progress);
}
/** pushes every other image out of the way so that a claim takes the one under test */
const only = (id: string) => db.pool.query(sql.unsafe`update images_unprocessed set next_update_at = null where id <> ${id} and lease_owner is null`);

test('a new file is due; a claim leases it; marking it due meanwhile keeps the lease and runs it again after the round', async () => {
  const [f] = await recordFileChanges(db.pool, 'p', 'file:///lib/', [file('a.fits', 'v1')]);
  const id = f!.id;
  await only(id);
  assert.equal((await stateOf(db.pool, id))!.state, 'due');
  await pendingAgrees();
  const c = await claim(db.pool, 'host-a', 60);
  assert.equal(c?.id, id);
  assert.equal((await stateOf(db.pool, id))!.state, 'leased');
  await pendingAgrees();
  const leasedUntil = (await row(id)).next_update_at;

  // a user edit during the round: generation moves, the lease stays
  assert.equal(await markDue(db.pool, [id], 'edit'), 1);
  const r = await row(id);
  assert.equal(r.generation, c!.generation + 1);
  assert.equal(r.lease_owner, 'host-a');
  assert.equal(r.next_update_at, leasedUntil, 'the running lease is kept');
  assert.equal(r.due_reason, 'edit');
  assert.equal(await claim(db.pool, 'host-b', 60), null, 'no second host may take a leased image');
  await renew(db.pool, 'host-a', [id], 60);
  assert.equal((await row(id)).lease_owner, 'host-a');

  // the round ends with the old generation: due again at once, reason kept
  await finish(db.pool, { id, host: 'host-a', generation: c!.generation, nextUpdateAt: null, attempts: 0, error: null });
  assert.equal((await stateOf(db.pool, id))!.state, 'due');
  assert.equal((await row(id)).due_reason, 'edit');
  const again = await claim(db.pool, 'host-b', 60);
  assert.equal(again?.generation, c!.generation + 1);
  await finish(db.pool, { id, host: 'host-b', generation: again!.generation, nextUpdateAt: null, attempts: 0, error: null });
  const s = (await stateOf(db.pool, id))!;
  assert.equal(s.state, 'done');
  assert.equal(s.due_reason, null);
  await pendingAgrees();
});

test('attempts restart for a new input, not for a neighbour; failed and waiting are told apart', async () => {
  const [f] = await recordFileChanges(db.pool, 'p', 'file:///lib/', [file('b.fits', 'v1')]);
  const id = f!.id;
  await only(id);
  const c = await claim(db.pool, 'h', 60);
  const retry = new Date(Date.now() + 3_600_000);
  await finish(db.pool, { id, host: 'h', generation: c!.generation, nextUpdateAt: retry, attempts: 3, error: 'platesolve: no stars' });
  assert.equal((await stateOf(db.pool, id))!.state, 'failed');
  await markDue(db.pool, [id], 'neighbour');
  assert.equal((await row(id)).attempts, 3, 'a neighbour does not give the image a new chance');
  assert.equal((await stateOf(db.pool, id))!.state, 'due');
  await markDue(db.pool, [id], 'rerun');
  assert.equal((await row(id)).attempts, 0);

  const c2 = await claim(db.pool, 'h', 60);
  await finish(db.pool, { id, host: 'h', generation: c2!.generation, nextUpdateAt: retry, attempts: 0, error: null });
  assert.equal((await stateOf(db.pool, id))!.state, 'waiting', 'a provisional result waits for its refresh');
  await pendingAgrees();

  // an unchanged listing changes nothing; a changed fingerprint is a "file" due mark with attempts restarted
  assert.deepEqual(await recordFileChanges(db.pool, 'p', 'file:///lib/', [file('b.fits', 'v1')]), []);
  const before = await row(id);
  await recordFileChanges(db.pool, 'p', 'file:///lib/', [file('b.fits', 'v2')]);
  const after = await row(id);
  assert.equal(after.generation, before.generation + 1);
  assert.equal(after.due_reason, 'file');
  assert.equal((await stateOf(db.pool, id))!.state, 'due');
});

test('a file changed during a round keeps the lease; shutdown releases; the counts partition the images', async () => {
  const [f] = await recordFileChanges(db.pool, 'p', 'file:///lib/', [file('c.fits', 'v1')]);
  const id = f!.id;
  await only(id);
  const c = await claim(db.pool, 'h', 60);
  await recordFileChanges(db.pool, 'p', 'file:///lib/', [file('c.fits', 'v2')]);
  assert.equal((await row(id)).lease_owner, 'h');
  assert.equal((await stateOf(db.pool, id))!.state, 'leased');
  await release(db.pool, 'h', [id]);
  assert.equal((await stateOf(db.pool, id))!.state, 'due');
  assert.ok(c);
  const q = await queueCounts(db.pool);
  assert.equal(q.due + q.in_progress + q.failed + q.waiting + q.done, q.total);
  await pendingAgrees();
});

test('unknown reasons are refused by the one SQL function', async () => {
  await assert.rejects(db.pool.query(sql.unsafe`select image_mark_due(array[]::uuid[], 'whim')`), /unknown reason/);
});
