import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { LocalStorage } from './LocalStorage.ts';
import { S3Storage } from './S3Storage.ts';
import { normalizeKey } from './keys.ts';
import { startTestS3 } from '../../test/helpers/s3.ts';

test('keys are normalized and confined to the root', () => {
  assert.equal(normalizeKey('a//b/./c.fits'), 'a/b/c.fits');
  assert.equal(normalizeKey('\\win\\path.fits'), 'win/path.fits');
  for (const bad of ['../x', 'a/../../x', 'a/..', '', '/', 'a\0b']) assert.throws(() => normalizeKey(bad), /key/, bad);
});

test('local storage refuses symlinks that lead outside the root, and lists only what is inside', async () => {
  const base = await mkdtemp(join(tmpdir(), 'sidereal-storage-'));
  const root = join(base, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(base, 'secret.txt'), 'secret');
  await writeFile(join(root, 'sub/a.fits'), 'abc');
  await writeFile(join(root, '.hidden.fits'), 'x');
  await writeFile(join(root, 'partial.fits.part'), 'x');
  await symlink(join(base, 'secret.txt'), join(root, 'escape.fits'));
  await symlink(join(root, 'sub/a.fits'), join(root, 'inside-link.fits'));
  const s = new LocalStorage({ root });
  const keys = [];
  for await (const e of s.list()) keys.push(e.key);
  assert.deepEqual(keys.sort(), ['inside-link.fits', 'sub/a.fits']);
  await assert.rejects(() => s.read('escape.fits'), /outside/);
  await assert.rejects(() => s.read('../secret.txt'), /escapes/);
  assert.equal(await s.stat('escape.fits').catch((e) => e.message), '"escape.fits" leads outside the storage root');
  assert.equal(await text(await s.read('sub/a.fits', { start: 1, end: 1 })), 'b');
  const w = await s.write('new/dir/file.bin', new Uint8Array([1, 2, 3]));
  assert.equal(w.size, 3);
  assert.deepEqual([...(await readFile(join(root, 'new/dir/file.bin')))], [1, 2, 3]);
  await s.delete('new/dir/file.bin');
  assert.equal(await s.stat('new/dir/file.bin'), null);
  await rm(base, { recursive: true, force: true });
});

test('S3 storage: write (streamed), stat, ranged read, list under a prefix, delete', async () => {
  const s3 = await startTestS3(['b']);
  try {
    const s = new S3Storage({ bucket: 'b', prefix: 'p', endpoint: s3.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    await s.check();
    const body = Buffer.alloc(9 * 1024 * 1024, 7); // more than one multipart part
    body[5] = 42;
    const e = await s.write('x/y.bin', body);
    assert.equal(e.size, body.length);
    assert.ok(e.fingerprint.length > 0);
    const part = Buffer.from(await (await s.read('x/y.bin', { start: 4, end: 6 })).toArray().then((c) => Buffer.concat(c)));
    assert.deepEqual([...part], [7, 42, 7]);
    const listed = [];
    for await (const x of s.list()) listed.push(x.key);
    assert.deepEqual(listed, ['x/y.bin']);
    assert.equal(s.uri.endsWith('/b/p/'), true);
    await s.delete('x/y.bin');
    assert.equal(await s.stat('x/y.bin'), null);
    assert.equal(s.localPath(), null);
  } finally {
    await s3.close();
  }
});
