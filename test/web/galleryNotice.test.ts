// A one-time notice (the first-run ?notice=welcome) is shown once: the gallery
// does not carry it into the cards' links, the pager or the pushed URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, BrowserSession, startWebDaemon, type WebDaemon } from './helpers.ts';
import { seedImages } from './seedImages.ts';

let w: WebDaemon;
before(async () => {
  w = await startWebDaemon({ roles: ['web'] });
  await seedImages(w.db.pool, { count: 60, seed: 5, calibrationShare: 0, stackShare: 0 });
});
after(async () => {
  await w?.stop();
});

test('the welcome notice is shown, and not carried into image links, the pager or the pushed URL', async () => {
  const b = new BrowserSession(w.url);
  await b.login(ADMIN.username, ADMIN.password);
  const { res, text } = await b.get('/?notice=welcome&sort=created&view=frames'); // one card per file (the default groups them into sessions)
  assert.equal(res.status, 200);
  assert.match(text, /class="notice"[^>]*>Welcome: you are the administrator\. Drop image files or folders into the library folder/);
  const hrefs = [...text.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(hrefs.some((h) => h.startsWith('/images/')), 'cards');
  assert.ok(hrefs.some((h) => h.includes('cursor=')), 'a pager');
  assert.deepEqual(hrefs.filter((h) => h.includes('notice')), []);
  assert.ok(hrefs.filter((h) => h.startsWith('/images/')).every((h) => h.includes('sort%3Dcreated') || h.includes('sort=created')), 'the filters are kept');
  const part = await b.get('/?notice=welcome&sort=created&view=frames', { 'HX-Request': 'true' });
  assert.equal(part.res.headers.get('hx-push-url'), '/?sort=created&view=frames');
});
