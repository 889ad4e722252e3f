// Duplicates on the real engine: a byte-identical copy gets `duplicateOf`, is
// listed by `?duplicates=true`, adds nothing to integration totals; deleting
// the original promotes the copy. Notes of a deleted file come back when the
// same content is added again within the retention.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { waitFor } from '../helpers/daemon.ts';
import { startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { tinyFits } from '../helpers/library.ts';

let t: WebDaemon;

before(async () => {
  // deletions are eager here (window 0) so that "deleted" means deleted at once
  t = await startWebDaemon({ builtinAgents: ['file', 'preview', 'objects', 'integration'], env: { SIDEREAL_MOVE_WINDOW_SECONDS: '0', SIDEREAL_EDIT_RETENTION_DAYS: '30' } });
});
after(async () => {
  await t?.stop();
});

const all = async (q = '') => (await t.getJson(`/api/v1/images?frameType=all&limit=200${q}`)) as { items: any[]; total: number };
const byPath = async (path: string) => (await all()).items.find((i) => i.path === path) ?? null;
const done = (img: any) => img?.thumbnailUrl && img.agents.every((a: { status: string }) => a.status === 'done');
const processed = (path: string, what = path) => waitFor(async () => ((i) => (done(i) ? i : null))(await byPath(path)), { what, timeoutMs: 60_000 });
const targetSeconds = async () =>
  t.db.pool.oneFirst(sql.type(z.object({ s: z.number() }))`select coalesce(sum(integration_s), 0)::float8 as s from images`);

test('a byte-identical copy is a duplicate, not counted twice; deleting the original promotes the copy', async () => {
  await mkdir(join(t.library, 'a'), { recursive: true });
  await writeFile(join(t.library, 'a/M31_001.fits'), tinyFits(7, { exposure: 300 }));
  const original = await processed('a/M31_001.fits');
  assert.equal(original.duplicateOf, null);
  const targets = await t.getJson('/api/v1/targets');
  const before = targets.items.map((x: any) => [x.id, x.totalSeconds]);
  assert.deepEqual(before, [['M31', 300]], 'the OBJECT header names the target');
  const total = await targetSeconds();
  assert.ok(total >= 300, `the light counts (${total} s)`);

  await mkdir(join(t.library, 'backup'), { recursive: true });
  await copyFile(join(t.library, 'a/M31_001.fits'), join(t.library, 'backup/M31_001.fits'));
  const copy = await waitFor(async () => ((i) => (done(i) && i.duplicateOf ? i : null))(await byPath('backup/M31_001.fits')), { what: 'the copy flagged', timeoutMs: 60_000 });
  assert.equal(copy.duplicateOf, original.id);
  assert.notEqual(copy.id, original.id);
  assert.equal(await targetSeconds(), total, 'integration totals do not change');
  assert.deepEqual((await t.getJson('/api/v1/targets')).items.map((x: any) => [x.id, x.totalSeconds]), before, 'target totals do not change');

  const dups = await all('&duplicates=true');
  assert.deepEqual(dups.items.map((i) => i.id), [copy.id], 'only duplicates');
  assert.equal((await all()).total, 2, 'the default listing shows both');
  assert.equal((await all('&duplicates=false')).total, 1);
  const page = await t.api(`/images/${copy.id}`, { headers: { accept: 'text/html' } });
  assert.match(await page.text(), /badge duplicate/);

  // the original goes: the copy becomes the original
  await rm(join(t.library, 'a/M31_001.fits'));
  const promoted = await waitFor(
    async () => {
      const list = await all();
      const i = list.items.find((x) => x.path === 'backup/M31_001.fits');
      return list.total === 1 && i && i.duplicateOf === null ? i : null;
    },
    { what: 'the copy promoted', timeoutMs: 60_000 },
  );
  assert.equal(promoted.id, copy.id);
  assert.equal(await targetSeconds(), total, 'the promoted copy counts now');
  assert.equal((await all('&duplicates=true')).total, 0);
});

test('the notes of a deleted file come back when the same content is added again within the retention', async () => {
  const bytes = tinyFits(77);
  await writeFile(join(t.library, 'keep.fits'), bytes);
  const img = await processed('keep.fits');
  assert.equal((await t.api(`/api/v1/images/${img.id}`, { method: 'PATCH', json: { notes: 'flat was dusty' } })).status, 200);
  await waitFor(async () => (await byPath('keep.fits'))?.notes === 'flat was dusty', { what: 'the note' });
  await rm(join(t.library, 'keep.fits'));
  await waitFor(async () => !(await byPath('keep.fits')), { what: 'the deletion' });
  const kept = await t.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from retained_edits`);
  assert.equal(kept, 1, 'the edits are kept by content');

  await writeFile(join(t.library, 'keep again.fits'), bytes);
  const back = await waitFor(async () => ((i) => (done(i) && i.notes ? i : null))(await byPath('keep again.fits')), { what: 'the note back', timeoutMs: 60_000 });
  assert.notEqual(back.id, img.id, 'a new image (after the window)');
  assert.equal(back.notes, 'flat was dusty');
  assert.equal(await t.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from retained_edits`), 0, 'the entry is used up');

  // expired entries are forgotten by the periodic purge
  await t.db.pool.query(sql.unsafe`insert into retained_edits (sha256, size_bytes, edits, deleted_at) values ('x', 1, '{"notes":"old"}', now() - interval '31 days')`);
  const drop = (t.daemon as unknown as { providers: { name: string; kind: string; reconcile(): Promise<unknown> }[] }).providers.find((p) => p.kind === 'local')!;
  await drop.reconcile();
  assert.equal(await t.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from retained_edits`), 0);
});
