// Stable identity on the real engine (real PostgreSQL, real folders, a real S3
// server): a moved or renamed file keeps its id, notes and results; a
// byte-identical copy is a duplicate that adds nothing to totals; deleting the
// original promotes the copy; notes of a deleted file come back with its content.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, rm, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { sql } from 'slonik';
import { z } from 'zod';
import { waitFor } from '../helpers/daemon.ts';
import { startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { startTestS3, type TestS3 } from '../helpers/s3.ts';
import { tinyFits } from '../helpers/library.ts';
import type { LocalFolderProvider } from '../../daemon/catalog/providers/LocalFolderProvider.ts';

let s3: TestS3;
let t: WebDaemon;

before(async () => {
  s3 = await startTestS3(['astro']);
  t = await startWebDaemon({
    builtinAgents: ['file', 'preview'],
    env: { ...s3.env('astro', 'subs/'), SIDEREAL_MOVE_WINDOW_SECONDS: '3600', SIDEREAL_EDIT_RETENTION_DAYS: '30' },
  });
});
after(async () => {
  await t?.stop();
  await s3?.close();
});

const all = async () => (await t.getJson('/api/v1/images?frameType=all&limit=200')).items as any[];
const byPath = async (path: string) => (await all()).find((i) => i.path === path) ?? null;
const done = (i: any) => Boolean(i?.thumbnailUrl && i.agents.every((a: { status: string }) => a.status === 'done'));
const processed = (path: string, what = path) =>
  waitFor(async () => {
    const i = await byPath(path);
    return done(i) ? i : null;
  }, { what, timeoutMs: 60_000 });
const note = async (id: string, notes: string) => assert.equal((await t.api(`/api/v1/images/${id}`, { method: 'PATCH', json: { notes } })).status, 200);
const fileRuns = (id: string) =>
  t.db.pool.oneFirst(sql.type(z.object({ runs: z.number() }))`select runs from image_results where image_id = ${id} and agent = 'file' and stage = 'read'`);
const drop = () => (t.daemon as unknown as { providers: LocalFolderProvider[] }).providers.find((p) => p.name !== 'upload' && p.kind === 'local')!;

test('a renamed file, a file moved to a sub-folder and a file moved from the drop folder to S3 keep id, notes and results', async () => {
  await writeFile(join(t.library, 'M31_Ha_001.fits'), tinyFits(101));
  const img = await processed('M31_Ha_001.fits');
  await note(img.id, 'good seeing');
  await waitFor(async () => (await byPath('M31_Ha_001.fits'))?.notes === 'good seeing', { what: 'the note' });
  const runs = await fileRuns(img.id);

  // rename in the same folder
  await rename(join(t.library, 'M31_Ha_001.fits'), join(t.library, 'M31 Ha 001.fits'));
  const renamed = await processed('M31 Ha 001.fits', 'the renamed file');
  assert.equal(renamed.id, img.id, 'same id after a rename');
  assert.equal(renamed.notes, 'good seeing');
  assert.equal(await fileRuns(img.id), runs, 'same content, same fingerprint: the cached agent results stay valid');
  assert.equal((await all()).length, 1, 'no second image');

  // move to a sub-folder
  await mkdir(join(t.library, 'night1'), { recursive: true });
  await rename(join(t.library, 'M31 Ha 001.fits'), join(t.library, 'night1/M31 Ha 001.fits'));
  const moved = await processed('night1/M31 Ha 001.fits', 'the file moved to a sub-folder');
  assert.equal(moved.id, img.id);
  assert.equal(moved.notes, 'good seeing');
  assert.equal((await t.api(`/api/v1/images/${img.id}`)).status, 200, 'the old URL still works');

  // from the drop folder to S3: gone here, then the same bytes appear in the bucket
  const bytes = tinyFits(101);
  await rm(join(t.library, 'night1/M31 Ha 001.fits'));
  await waitFor(async () => (await all()).length === 0, { what: 'the vanished file to leave the gallery' });
  assert.equal((await t.api(`/api/v1/images/${img.id}`)).status, 404, 'a parked image is not shown');
  await s3.client.send(new PutObjectCommand({ Bucket: 'astro', Key: 'subs/archive/M31 Ha 001.fits', Body: bytes }));
  const inS3 = await processed('archive/M31 Ha 001.fits', 'the file in S3');
  assert.equal(inS3.id, img.id, 'a move between providers keeps the id');
  assert.equal(inS3.source, 's3');
  assert.equal(inS3.notes, 'good seeing');
  assert.equal((await all()).length, 1);
});

test('a vanished file whose window passed is deleted for real; a different file of the same size is no move', async () => {
  await writeFile(join(t.library, 'gone.fits'), tinyFits(202));
  const img = await processed('gone.fits');
  await rm(join(t.library, 'gone.fits'));
  await waitFor(async () => !(await byPath('gone.fits')), { what: 'the file to leave the gallery' });
  // same size, other content: a new image
  await writeFile(join(t.library, 'other.fits'), tinyFits(203));
  const other = await processed('other.fits');
  assert.notEqual(other.id, img.id);
  // the window passes
  await t.db.pool.query(sql.unsafe`update images_unprocessed set missing_since = now() - interval '2 hours' where id = ${img.id}`);
  await drop().reconcile();
  const left = await t.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from images_unprocessed where id = ${img.id}`);
  assert.equal(left, 0, 'deleted after the window');
});

test('an upload of a file that is an image already answers that image and stores no copy; an upload of a vanished file is a move', async () => {
  const upload = async (files: [string, Uint8Array][]) => {
    const form = new FormData();
    for (const [name, bytes] of files) form.append('files', new Blob([bytes]), name);
    const res = await t.api('/api/v1/images', { method: 'POST', body: form });
    assert.equal(res.status, 202);
    return (await res.json()).items as { id: string; path: string; name: string; existing: boolean }[];
  };
  const uploadedFiles = async () => (await t.db.pool.anyFirst(sql.type(z.object({ storage_key: z.string() }))`select storage_key from images_unprocessed where provider = 'upload'`)).length;

  const [first] = await upload([['NGC7000_001.fits', tinyFits(301)]]);
  assert.equal(first!.existing, false);
  await processed(first!.path, 'the first upload');
  const [again, fresh] = await upload([
    ['NGC7000_001 (copy).fits', tinyFits(301)],
    ['NGC7000_002.fits', tinyFits(302)],
  ]);
  assert.deepEqual([again!.existing, again!.id, again!.name], [true, first!.id, 'NGC7000_001 (copy).fits'], 'the existing image, said so');
  assert.equal(fresh!.existing, false);
  assert.notEqual(fresh!.id, first!.id);
  assert.equal(await uploadedFiles(), 2, 'no copy stored');

  // a file of the drop folder uploaded while it is still there: the existing image
  await writeFile(join(t.library, 'IC1396.fits'), tinyFits(303));
  const dropped = await processed('IC1396.fits');
  const [same] = await upload([['IC1396.fits', tinyFits(303)]]);
  assert.deepEqual([same!.existing, same!.id], [true, dropped.id]);
  await t.api(`/api/v1/images/${dropped.id}`, { method: 'PATCH', json: { notes: 'from the NAS' } });
  await waitFor(async () => (await byPath('IC1396.fits'))?.notes === 'from the NAS', { what: 'the note' });
  // it vanishes from the drop folder, then is uploaded: a move to the upload provider
  await rm(join(t.library, 'IC1396.fits'));
  await waitFor(async () => !(await byPath('IC1396.fits')), { what: 'the vanished file to leave the gallery' });
  const [moved] = await upload([['IC1396.fits', tinyFits(303)]]);
  assert.equal(moved!.id, dropped.id, 'the upload took the vanished image over');
  assert.equal(moved!.existing, false);
  const img = await processed(moved!.path, 'the moved upload');
  assert.equal(img.source, 'upload');
  assert.equal(img.notes, 'from the NAS');
});

test('a rename seen only by a full reconcile (the watcher missed it) is a move too', async () => {
  await writeFile(join(t.library, 'missed.fits'), tinyFits(404));
  const img = await processed('missed.fits');
  const p = drop();
  await p.stop(); // no watcher: only the reconcile sees the rename
  try {
    await rename(join(t.library, 'missed.fits'), join(t.library, 'missed-renamed.fits'));
    await p.reconcile();
    const row = await t.db.pool.maybeOne(sql.type(z.object({ id: z.string() }))`select id from images_unprocessed where storage_key = 'missed-renamed.fits'`);
    assert.equal(row?.id, img.id, 'the parked row took the new name in the same pass');
  } finally {
    await p.start();
  }
  const renamed = await processed('missed-renamed.fits');
  assert.equal(renamed.id, img.id);
});

test('a move done as copy then delete keeps the id, whether the copy was catalogued before the delete or not', async () => {
  // the copy is catalogued (a duplicate) before the original goes
  await mkdir(join(t.library, 'src'), { recursive: true });
  await writeFile(join(t.library, 'src/late.fits'), tinyFits(505));
  const a = await processed('src/late.fits');
  await note(a.id, 'copied slowly');
  await mkdir(join(t.library, 'dst'), { recursive: true });
  await copyFile(join(t.library, 'src/late.fits'), join(t.library, 'dst/late.fits'));
  await waitFor(async () => (await byPath('dst/late.fits'))?.duplicateOf === a.id, { what: 'the copy as a duplicate', timeoutMs: 60_000 });
  await rm(join(t.library, 'src/late.fits'));
  const movedA = await waitFor(async () => {
    const i = await byPath('dst/late.fits');
    return i?.id === a.id && done(i) ? i : null;
  }, { what: 'the original to take the copy’s place', timeoutMs: 60_000 });
  assert.equal(movedA.notes, 'copied slowly');
  assert.equal(movedA.duplicateOf, null);
  assert.equal((await all()).filter((i) => i.path.includes('late.fits')).length, 1);

  // the original goes before the copy is catalogued
  await writeFile(join(t.library, 'src/quick.fits'), tinyFits(506));
  const b = await processed('src/quick.fits');
  await note(b.id, 'moved quickly');
  await copyFile(join(t.library, 'src/quick.fits'), join(t.library, 'dst/quick.fits'));
  await rm(join(t.library, 'src/quick.fits'));
  const movedB = await waitFor(async () => {
    const i = await byPath('dst/quick.fits');
    return i?.id === b.id && done(i) ? i : null;
  }, { what: 'the moved file with its id', timeoutMs: 60_000 });
  assert.equal(movedB.notes, 'moved quickly');
  assert.equal((await all()).filter((i) => i.path.includes('quick.fits')).length, 1);
});
