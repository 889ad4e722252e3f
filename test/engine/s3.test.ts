// The S3 source end to end against a real S3-compatible server on loopback:
// an object appears with its sha256 and size, an overwrite is re-processed,
// a delete removes the record and its derived files (kept in S3 as well).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { sql } from 'slonik';
import { z } from 'zod';
import { waitFor } from '../helpers/daemon.ts';
import { startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { startTestS3, type TestS3 } from '../helpers/s3.ts';
import { fitsFixture } from '../helpers/fixtures.ts';

let s3: TestS3;
let t: WebDaemon;
const getJson = (path: string) => t.getJson(path);

before(async () => {
  s3 = await startTestS3(['astro', 'derived']);
  t = await startWebDaemon({
    builtinAgents: ['file', 'preview'],
    env: { ...s3.env('astro', 'subs/'), SIDEREAL_WATCH_DIRS: '', SIDEREAL_CACHE_S3_BUCKET: 'derived', SIDEREAL_CACHE_S3_PREFIX: 'cache/' },
  });
});
after(async () => {
  await t?.stop();
  await s3?.close();
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const find = async (path: string) => (await getJson(`/api/v1/images?frameType=all`)).items.find((i: { path: string }) => i.path === path) ?? null;
const derivedKeys = async () => ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'derived' }))).Contents ?? []).map((o) => o.Key!);

test('S3 objects are ingested, re-processed on change and removed on delete', async () => {
  const a = fitsFixture({ seed: 1 });
  await s3.client.send(new PutObjectCommand({ Bucket: 'astro', Key: 'subs/night1/gc.fits', Body: a }));
  await s3.client.send(new PutObjectCommand({ Bucket: 'astro', Key: 'other/ignored.fits', Body: a })); // outside the prefix

  const img = await waitFor(async () => {
    const i = await find('night1/gc.fits');
    return i?.thumbnailUrl && i.agents.every((x: { status: string }) => x.status === 'done') ? i : null;
  }, { what: 'the S3 object to be processed', timeoutMs: 60_000 });
  assert.equal(img.source, 's3');
  assert.equal(img.sha256, sha(a));
  assert.equal(img.sizeBytes, a.length);
  assert.equal(img.format, 'fits');
  const thumb = await t.api(img.thumbnailUrl);
  assert.equal(thumb.status, 200);
  assert.ok((await thumb.arrayBuffer()).byteLength > 500);
  assert.ok((await derivedKeys()).every((k) => k.startsWith('cache/')));
  assert.equal((await derivedKeys()).length, 2);
  assert.equal((await getJson(`/api/v1/images?frameType=all`)).total, 1, 'objects outside the prefix are not ingested');

  const b = fitsFixture({ seed: 2, width: 300, height: 200 });
  await s3.client.send(new PutObjectCommand({ Bucket: 'astro', Key: 'subs/night1/gc.fits', Body: b }));
  const changed = await waitFor(async () => {
    const i = await find('night1/gc.fits');
    return i?.sha256 === sha(b) ? i : null;
  }, { what: 'the overwritten object to be re-processed', timeoutMs: 60_000 });
  assert.equal(changed.id, img.id);
  assert.equal(changed.sizeBytes, b.length);

  await s3.client.send(new DeleteObjectCommand({ Bucket: 'astro', Key: 'subs/night1/gc.fits' }));
  await waitFor(async () => (await find('night1/gc.fits')) === null, { what: 'the deleted object to disappear' });
  const left = await t.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select (select count(*) from images_unprocessed) + (select count(*) from image_results) + (select count(*) from derived_files) as n`);
  assert.equal(left, 0);
  await t.daemon.engine!['cleanDerived']();
  assert.deepEqual(await derivedKeys(), []);
});
