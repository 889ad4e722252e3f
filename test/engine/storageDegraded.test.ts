// Storage that cannot be seen deletes nothing. A watch root renamed away (an
// unmounted NAS), replaced by an empty folder (an empty mount point), a
// sub-folder that fails with EIO: the provider reports `degraded` with its
// reason in /status, keeps every record, result and user edit, and removes
// files again only after a complete listing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { Dir } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { waitFor } from '../helpers/daemon.ts';
import { writeTinyFits } from '../helpers/library.ts';
import { startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { LocalStorage } from '../../daemon/storage/LocalStorage.ts';
import { LocalFolderProvider } from '../../daemon/catalog/providers/LocalFolderProvider.ts';
import { ensureProvider } from '../../daemon/db/files.ts';
import { log } from '../../daemon/log.ts';
import { confirmEmpty } from '../../daemon/commands/storage.ts';

let t: WebDaemon;
before(async () => {
  // the watcher is on; the periodic reconcile is the test's to call (and the 5 s minimum runs one too)
  t = await startWebDaemon({ builtinAgents: ['file'], env: { SIDEREAL_RECONCILE_SECONDS: '5' } });
});
after(async () => {
  await t?.stop();
});

const ids = async (provider: string) =>
  (await t.db.pool.any(sql.type(z.object({ storage_key: z.string(), id: z.string() }))`select storage_key, id from images_unprocessed where provider = ${provider} order by storage_key`)).map(
    (r) => `${r.storage_key}=${r.id}`,
  );
const count = (table: string) => t.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from ${sql.identifier([table])}`);
const provider = (name: string) => t.daemon.providers.find((p) => p.name === name)!;
const source = async (name: string) => (await t.getJson('/status')).storage.sources.find((s: { name: string }) => s.name === name);

test('a watch root renamed away, or replaced by an empty folder, deletes nothing; it comes back with the same ids', async () => {
  await mkdir(join(t.library, 'night1'), { recursive: true });
  for (let i = 0; i < 3; i++) await writeTinyFits(join(t.library, 'night1', `light_${i}.fits`), i + 1);
  await writeTinyFits(join(t.library, 'top.fits'), 9);
  await waitFor(async () => (await count('images')) === 4, { what: 'four images', timeoutMs: 30_000 });
  await waitFor(async () => (await t.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from image_results where status = 'done'`)) === 4, { what: 'results' });
  const before = await ids('library');
  assert.equal(before.length, 4);
  await provider('library').reconcile(); // a complete listing: the root's identity is known
  const imageId = (await t.db.pool.oneFirst(sql.type(z.object({ id: z.string() }))`select id from images order by id limit 1`));
  const edit = await t.api(`/api/v1/images/${imageId}`, { method: 'PATCH', json: { notes: 'guided well, keep' } });
  assert.equal(edit.status, 200);

  // the NAS goes away: the folder is renamed (watcher events fire, then reconciles run)
  const away = t.library + '.away';
  await rename(t.library, away);
  await new Promise((r) => setTimeout(r, 1500)); // watcher unlink events, if any, are flushed
  const report = await provider('library').reconcile();
  assert.equal(report.removed, 0);
  assert.match(report.degraded ?? '', /cannot be reached/);
  await new Promise((r) => setTimeout(r, 6000)); // longer than a periodic reconcile
  assert.deepEqual(await ids('library'), before, 'every record kept with its id');
  assert.equal(await count('image_results'), 4, 'results kept');
  const st = await source('library');
  assert.equal(st.status, 'degraded');
  assert.match(st.reason, /cannot be reached/);
  assert.equal((await t.getJson('/status')).storage.status, 'degraded');

  // an empty mount point in its place (a different, empty folder): still nothing deleted
  await mkdir(t.library);
  const empty = await provider('library').reconcile();
  assert.equal(empty.removed, 0);
  assert.match(empty.degraded ?? '', /lists no files while 4 of it are catalogued/);
  assert.deepEqual(await ids('library'), before);
  assert.match((await source('library')).reason, /not mounted/);

  // mounted again: same ids, nothing re-added, the note kept, and ok again
  await rm(t.library, { recursive: true });
  await rename(away, t.library);
  const back = await provider('library').reconcile();
  assert.equal(back.degraded, undefined);
  assert.equal(back.removed, 0);
  assert.equal(back.changed, 0, 'nothing re-added as new');
  assert.deepEqual(await ids('library'), before);
  assert.ok(JSON.stringify(await t.getJson(`/api/v1/images/${imageId}`)).includes('guided well, keep'), 'the user edit kept');
  assert.equal((await source('library')).status, 'ok');

  // deletions work again after the good listing (watcher restarted, or the reconcile)
  await rm(join(t.library, 'top.fits'));
  await waitFor(async () => (await ids('library')).length === 3 || ((await provider('library').reconcile()) && false), { what: 'the deleted file to go', timeoutMs: 15_000 });
  assert.deepEqual(await ids('library'), before.filter((k) => !k.startsWith('top.fits=')));
});

/** The real folder, with one sub-folder failing like a NAS with a bad disk (EIO): fault injection, not a mock. */
class FailingStorage extends LocalStorage {
  failing: string | null = null;
  protected override openFolder(path: string): Promise<Dir> {
    if (this.failing && path === join(this.root, this.failing)) {
      return Promise.reject(Object.assign(new Error(`EIO: i/o error, opendir '${path}'`), { code: 'EIO', errno: -5 }));
    }
    return super.openFolder(path);
  }
}

test('an unreadable sub-folder deletes nothing of it (nor anything else) until it can be read again', async () => {
  const root = join(t.dir, 'nas');
  await mkdir(join(root, 'a'), { recursive: true });
  await mkdir(join(root, 'b'), { recursive: true });
  await writeTinyFits(join(root, 'a', 'one.fits'), 11);
  await writeTinyFits(join(root, 'b', 'two.fits'), 12);
  await writeTinyFits(join(root, 'b', 'three.fits'), 13);
  const storage = new FailingStorage({ root });
  await ensureProvider(t.db.pool, { name: 'nas', kind: 'local', rootUri: storage.uri });
  const p = new LocalFolderProvider({ name: 'nas', root, storage, db: t.db.pool, log: log.child({ provider: 'nas' }), reconcileSeconds: 3600, stableMs: 0 });
  const first = await p.reconcile();
  assert.equal(first.listed, 3);
  const before = await ids('nas');

  storage.failing = 'b';
  await rm(join(root, 'a', 'one.fits')); // really deleted, but the listing is incomplete
  const r = await p.reconcile();
  assert.equal(r.removed, 0);
  assert.match(r.degraded ?? '', /incomplete listing: .*b: EIO/);
  assert.deepEqual(await ids('nas'), before, 'nothing removed while a folder cannot be read');
  const state = await t.db.pool.oneFirst(sql.type(z.object({ state: z.record(z.any()) }))`select state from providers where name = 'nas'`);
  assert.match(state.degraded, /EIO/);

  storage.failing = null;
  const ok = await p.reconcile();
  assert.equal(ok.degraded, undefined);
  assert.equal(ok.removed, 1, 'the real deletion is applied after a complete listing');
  assert.deepEqual(await ids('nas'), before.filter((k) => !k.startsWith('a/one.fits=')));

  // emptied on purpose, in a new folder of the same name: kept until an admin confirms it
  await rename(root, root + '.old'); // (both exist at once: the new folder cannot reuse the inode)
  await mkdir(root);
  await rm(root + '.old', { recursive: true });
  assert.match((await p.reconcile()).degraded ?? '', /lists no files while 2 of it are catalogued/);
  assert.equal((await ids('nas')).length, 2);
  assert.ok(await confirmEmpty(t.db.url, 'nas'));
  const confirmed = await p.reconcile();
  assert.equal(confirmed.degraded, undefined);
  assert.equal(confirmed.removed, 2);
  assert.deepEqual(await ids('nas'), []);
  await p.stop();
});
