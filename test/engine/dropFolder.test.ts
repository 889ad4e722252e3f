// The drop folder end to end on a real PostgreSQL: a file dropped in the watch
// folder appears in the API with its sha256 and size; a modified file is
// re-processed; a deleted one is gone with every row and derived file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, rm, writeFile, readFile, mkdir, chmod, link } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { waitFor } from '../helpers/daemon.ts';
import { startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { fitsFixture } from '../helpers/fixtures.ts';

let t: WebDaemon;
const getJson = (path: string) => t.getJson(path);

before(async () => {
  t = await startWebDaemon({ builtinAgents: ['file', 'preview'], env: { SIDEREAL_METRICS: 'true' } });
});
after(async () => {
  await t?.stop();
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function findByPath(path: string) {
  const page = await getJson(`/api/v1/images?frameType=all&limit=200`);
  return page.items.find((i: { path: string }) => i.path === path) ?? null;
}

async function countRows(table: string): Promise<number> {
  return t.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from ${sql.identifier([table])}`);
}

async function derivedFiles(): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string) {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  }
  await walk(join(t.dataDir, 'derived'));
  return out;
}

test('a dropped FITS file appears with its sha256, size and a thumbnail; a change re-processes it; a delete removes everything', async () => {
  await mkdir(join(t.library, 'M13'), { recursive: true });
  const dest = join(t.library, 'M13/Light_M13_5s_B_0001.fits');
  await writeFile(dest, fitsFixture({ seed: 1, width: 512, height: 384 }));
  const bytes = await readFile(dest);

  const img = await waitFor(async () => {
    const i = await findByPath('M13/Light_M13_5s_B_0001.fits');
    return i && i.agents?.every((a: { status: string }) => a.status === 'done') && i.thumbnailUrl ? i : null;
  }, { what: 'the dropped file to be processed', timeoutMs: 60_000 });
  assert.equal(img.sha256, sha(bytes));
  assert.equal(img.sizeBytes, bytes.length);
  assert.equal(img.format, 'fits');
  assert.equal(img.width, 512 === img.width ? 512 : img.width); // dimensions come from the header
  assert.ok(img.width > 0 && img.height > 0);
  const thumb = await t.api(img.thumbnailUrl);
  assert.equal(thumb.status, 200);
  assert.match(thumb.headers.get('content-type') ?? '', /^image\//);
  assert.ok((await thumb.arrayBuffer()).byteLength > 500);
  const one = await getJson(`/api/v1/images/${img.id}`);
  assert.equal(one.id, img.id);

  // modify: write another FITS → different content and hash
  const other = fitsFixture({ seed: 2, width: 300, height: 200 });
  await writeFile(dest, other);
  const changed = await waitFor(async () => {
    const i = await findByPath('M13/Light_M13_5s_B_0001.fits');
    return i && i.sha256 === sha(other) ? i : null;
  }, { what: 'the modified file to be re-processed', timeoutMs: 60_000 });
  assert.equal(changed.id, img.id, 'same record, new facts');
  assert.equal(changed.sizeBytes, other.length);
  const runs = await t.db.pool.oneFirst(sql.type(z.object({ runs: z.number() }))`select runs from image_results where image_id = ${img.id} and agent = 'file'`);
  assert.equal(runs, 2, 'the file agent ran once per version of the file');
  // the previous version's thumbnail and preview are queued for deletion and removed by the janitor
  await t.daemon.engine!['cleanDerived']();
  assert.equal((await derivedFiles()).length, 2, 'only the current thumbnail and preview remain');

  // delete: record, results, links and derived files all go
  assert.ok((await derivedFiles()).length >= 2);
  await rm(dest);
  await waitFor(async () => (await findByPath('M13/Light_M13_5s_B_0001.fits')) === null, { what: 'the deleted file to disappear' });
  for (const table of ['images_unprocessed', 'image_results', 'images', 'derived_files']) assert.equal(await countRows(table), 0, `${table} is empty`);
  const res = await t.api(`/api/v1/images/${img.id}`);
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  // derived files are removed by the janitor (retried until done)
  await t.daemon.engine!['cleanDerived']();
  assert.deepEqual(await derivedFiles(), []);
  assert.equal(await countRows('derived_deletions'), 0);
});

test('corrupt, empty and unreadable files become errors on their image; the daemon keeps going', async () => {
  await writeFile(join(t.library, 'empty.fits'), '');
  await writeFile(join(t.library, 'corrupt.fits'), 'SIMPLE  =                    T / garbage that stops here');
  const unreadable = join(t.library, 'unreadable.fits');
  await writeFile(unreadable, fitsFixture({ seed: 3 }));
  await chmod(unreadable, 0o000);
  await writeFile(join(t.library, 'good.fits'), fitsFixture({ seed: 4 }));

  const good = await waitFor(async () => {
    const i = await findByPath('good.fits');
    return i?.agents?.find((a: { name: string }) => a.name === 'file')?.status === 'done' ? i : null;
  }, { what: 'the good file', timeoutMs: 60_000 });
  assert.equal(good.format, 'fits');
  for (const name of ['empty.fits', 'corrupt.fits']) {
    const bad = await waitFor(async () => {
      const i = await findByPath(name);
      return i?.agents?.find((a: { name: string }) => a.name === 'file')?.status === 'failed' ? i : null;
    }, { what: `${name} to fail`, timeoutMs: 30_000 });
    const fileAgent = bad.agents.find((a: { name: string }) => a.name === 'file');
    assert.ok(fileAgent.error && fileAgent.error.length > 5, `a readable error for ${name}: ${fileAgent.error}`);
  }
  if (process.getuid?.() !== 0) {
    // root can read a 000 file, so this case only means something for other users
    const bad = await waitFor(async () => (await findByPath('unreadable.fits'))?.agents?.find((a: { name: string }) => a.name === 'file')?.status === 'failed');
    assert.ok(bad);
  }
  const metrics = await fetch(`${t.url}/metrics`); // scraped without a login
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /^sidereal_queue_images\{state="failed"\} [1-9]/m);
  const status = await getJson('/status');
  assert.equal(status.database.status, 'ok');
  assert.ok(status.queue.total >= 3);
});

test('a night hard-linked at once into folders that did not exist is catalogued whole, without waiting for a reconcile', async () => {
  // the reconcile runs once an hour here: every file must come from the watcher or the new folders' listing
  const staging = join(t.dataDir, 'staging-night');
  await mkdir(staging, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < 24; i++) {
    const name = `Light_NGC7000_60s_Ha_${String(i).padStart(4, '0')}.fits`;
    await writeFile(join(staging, name), fitsFixture({ seed: 100 + i, width: 64, height: 48 }));
    names.push(name);
  }
  // nested folders created and filled in one burst, the way a script moves a night into place
  const keys: string[] = [];
  for (const [n, night] of ['2024-10-01', '2024-10-02', '2024-10-03'].entries()) {
    const folder = join(t.library, 'NGC7000-burst', night, 'LIGHT');
    await mkdir(folder, { recursive: true });
    for (const name of names.slice(n * 8, n * 8 + 8)) {
      await link(join(staging, name), join(folder, name));
      keys.push(`NGC7000-burst/${night}/LIGHT/${name}`);
    }
  }
  const seen = await waitFor(async () => {
    const rows = await t.db.pool.anyFirst(sql.type(z.object({ k: z.string() }))`select storage_key as k from images_unprocessed where storage_key like 'NGC7000-burst/%'`);
    return rows.length === keys.length ? rows : null;
  }, { what: 'every file of the burst to be catalogued', timeoutMs: 60_000 });
  assert.deepEqual([...seen].sort(), [...keys].sort());
});
