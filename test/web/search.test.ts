// Free-text search (`q`, the gallery's Search field) finds files by the name a
// user reads in a capture folder: underscores, dots, dashes and slashes are
// taken as written, never as wildcards or dropped characters.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { BrowserSession, ADMIN, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages, type SeedSpec } from './seedImages.ts';
import { likeLiteral, searchWords } from '../../daemon/db/images.ts';

let w: WebDaemon;
let specs: SeedSpec[];

before(async () => {
  w = await startWebDaemon({ roles: ['web'] });
  specs = await seedImages(w.db.pool, { count: 30, seed: 11, calibrationShare: 0, stackShare: 0 });
});
after(async () => {
  await w?.stop();
});

const ids = async (q: string) => {
  const r = await w.getJson(`/api/v1/images?limit=200&q=${encodeURIComponent(q)}`);
  return { ids: (r.items as { id: string }[]).map((i) => i.id), total: r.total as number };
};

test('a file name with underscores, dots and dashes finds its image', async () => {
  const one = specs[3]!;
  const name = basename(one.path); // Light_M27_300s_Ha_00003.fits
  assert.match(name, /_.*\./);
  const found = await ids(name);
  assert.deepEqual(found.ids, [one.id]);
  // a part of the name, and the folder with its dated sub-folder
  const part = name.slice(0, name.lastIndexOf('_'));
  assert.ok((await ids(part)).ids.includes(one.id), part);
  assert.ok((await ids(one.path)).ids.includes(one.id), one.path);
  const date = one.path.split('/')[1]!; // 2023-04-17
  assert.match(date, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok((await ids(date)).ids.includes(one.id), date);
});

test('LIKE wildcards in the text are literal', async () => {
  assert.equal((await ids('%')).total, 0);
  assert.equal((await ids('%_%')).total, 0);
  assert.equal((await ids('_')).total, specs.length, 'every seeded file name has an underscore');
  assert.equal(likeLiteral('a_b%c\\d'), 'a\\_b\\%c\\\\d');
  assert.equal(searchWords('M27/2024-10-01/Light_M27_00018.fits'), 'M27 2024 10 01 Light M27 00018 fits');
});

test('the gallery search field finds the file', async () => {
  const one = specs[5]!;
  const b = new BrowserSession(w.url);
  await b.login(ADMIN.username, ADMIN.password);
  const { res, text } = await b.get(`/?q=${encodeURIComponent(basename(one.path))}&view=frames`); // the frames view: one card per file
  assert.equal(res.status, 200);
  const linked = new Set([...text.matchAll(/href="\/images\/([0-9a-f-]{36})/g)].map((m) => m[1]));
  assert.deepEqual([...linked], [one.id], 'one card: the image');
});
