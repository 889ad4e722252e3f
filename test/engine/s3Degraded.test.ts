// The S3 server goes away during polling (stopped: connection refused; like
// 5xx, throttling or an auth failure, the listing fails): nothing is deleted,
// /status says the source is degraded with the reason; when the server is
// back the provider is ok again and deletions resume.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { sql } from 'slonik';
import { z } from 'zod';
import { waitFor } from '../helpers/daemon.ts';
import { tinyFits } from '../helpers/library.ts';
import { startWebDaemon, type WebDaemon } from '../web/helpers.ts';

let dir: string;
let server: any;
let port = 0;
let client: S3Client;
let t: WebDaemon;

/** stops the server at once: keep-alive connections too (else close() waits for them) */
async function stopS3(): Promise<void> {
  const closing = server.close();
  server.httpServer?.closeAllConnections?.();
  await closing;
}

async function runS3(): Promise<void> {
  server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'astro' }] });
  port = ((await server.run()) as { port: number }).port;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidereal-s3-degraded-'));
  await runS3();
  const endpoint = `http://127.0.0.1:${port}`;
  client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t = await startWebDaemon({
    builtinAgents: ['file'],
    env: {
      SIDEREAL_WATCH_DIRS: '',
      SIDEREAL_S3_BUCKET: 'astro',
      SIDEREAL_S3_ENDPOINT: endpoint,
      SIDEREAL_S3_ACCESS_KEY_ID: 'S3RVER',
      SIDEREAL_S3_SECRET_ACCESS_KEY: 'S3RVER',
      SIDEREAL_S3_POLL_SECONDS: '1',
    },
  });
});
after(async () => {
  await t?.stop();
  client?.destroy();
  await stopS3().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

const ids = async () => (await t.db.pool.any(sql.type(z.object({ storage_key: z.string(), id: z.string() }))`select storage_key, id from images_unprocessed where provider = 's3' order by storage_key`)).map((r) => `${r.storage_key}=${r.id}`);
const source = async () => (await t.getJson('/status')).storage.sources.find((s: { name: string }) => s.name === 's3');

test('an S3 listing that fails deletes nothing and reports degraded; back up, it is ok and deletions resume', async () => {
  for (let i = 0; i < 3; i++) await client.send(new PutObjectCommand({ Bucket: 'astro', Key: `n1/l${i}.fits`, Body: tinyFits(i + 1) }));
  await waitFor(async () => (await ids()).length === 3, { what: 'three objects catalogued', timeoutMs: 30_000 });
  const before = await ids();
  const s3 = t.daemon.providers.find((p) => p.name === 's3')!;

  await stopS3();
  // (a poll that listed before the close may still be finishing: the next one fails)
  const r = await waitFor(async () => {
    const report = await s3.reconcile();
    assert.equal(report.removed, 0);
    return report.degraded ? report : null;
  }, { what: 'a failing listing', timeoutMs: 20_000 });
  assert.match(r.degraded ?? '', /S3 listing of .* failed/);
  await new Promise((res) => setTimeout(res, 2500)); // more polls fail the same way
  assert.deepEqual(await ids(), before, 'nothing deleted while the listing fails');
  const st = await source();
  assert.equal(st.status, 'degraded');
  assert.match(st.reason, /S3 listing of .* failed/);

  await runS3(); // same port, same data
  await waitFor(async () => (await source()).status === 'ok', { what: 'the source to be ok again', timeoutMs: 20_000 });
  assert.deepEqual(await ids(), before, 'same ids: nothing re-added as new');

  await client.send(new DeleteObjectCommand({ Bucket: 'astro', Key: 'n1/l0.fits' }));
  await waitFor(async () => (await ids()).length === 2, { what: 'the deleted object to go', timeoutMs: 20_000 });
  assert.deepEqual(await ids(), before.filter((k) => !k.startsWith('n1/l0.fits=')));
});
