// A session card's cover on a real PostgreSQL (sessionCards): of the subs
// around the middle of the session, a plate-solved one with a thumbnail
// nearest to the middle; else the nearest with a thumbnail; when none of the
// middle subs has a thumbnail yet, the first sub that has one; none without
// thumbnails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'slonik';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { ensureProvider, upsertFiles } from './files.ts';
import { linkImageSession } from './imagingSessions.ts';
import { sessionCards } from './galleryGroups.ts';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
  await ensureProvider(db.pool, { name: 'lib', kind: 'local', rootUri: 'file:///lib/' });
});
after(async () => {
  await db?.drop();
});

/**
 * A session of 21 subs ten minutes apart (its middle is sub 10) with
 * thumbnails and plate solutions on the subs named; the ids of its subs.
 */
async function session(name: string, o: { thumbnails: number[]; solved: number[] }): Promise<{ id: string; subs: string[] }> {
  const keys = Array.from({ length: 21 }, (_, i) => `${name}/L_${String(i).padStart(4, '0')}.fits`);
  const rows = await upsertFiles(db.pool, 'lib', 'file:///lib/', keys.map((key, i) => ({ key, size: 1000 + i, modifiedAt: null, fingerprint: `${name}${i}` })));
  const id = await db.pool.oneFirst(sql.type(z.object({ id: z.string() }))`insert into imaging_sessions (night) values ('2024-10-01') returning id`);
  await db.pool.transaction(async (tx) => {
    for (const [i, r] of rows.entries()) {
      await tx.query(sql.unsafe`
        insert into images (id, source, path, size_bytes, frame_type, is_calibration, captured_at, solved, record, stitch_hash)
        values (${r.id}, 'lib', ${keys[i]!}, ${1000 + i}, 'light', false, '2024-10-01T20:00:00Z'::timestamptz + make_interval(mins => ${10 * i}),
                ${o.solved.includes(i)}, ${JSON.stringify({ id: r.id })}::jsonb, 'h')`);
      await linkImageSession(tx, r.id, id);
      if (o.thumbnails.includes(i)) {
        await tx.query(sql.unsafe`insert into derived_files (image_id, name, storage_key, content_type, size_bytes) values (${r.id}, 'thumbnail', ${`t/${r.id}`}, 'image/webp', 10)`);
      }
    }
  });
  return { id, subs: rows.map((r) => r.id) };
}

const all = Array.from({ length: 21 }, (_, i) => i);
const coverOf = async (id: string) => (await sessionCards(db.pool, [id]))[0]!.cover_id;

test('the cover: solved and nearest to the middle, else the nearest, else the first sub with a thumbnail, else none', async () => {
  const solved = await session('solved', { thumbnails: all, solved: [4, 13, 19] });
  assert.equal(await coverOf(solved.id), solved.subs[13], 'the solved sub nearest to the middle, not the middle itself');
  const unsolved = await session('unsolved', { thumbnails: [3, 9, 12], solved: [] });
  assert.equal(await coverOf(unsolved.id), unsolved.subs[9], 'the nearest to the middle with a thumbnail');
  const early = await session('early', { thumbnails: [0, 1, 20], solved: [20] });
  assert.equal(await coverOf(early.id), early.subs[0], 'no middle sub has one yet: the first that has one');
  const none = await session('none', { thumbnails: [], solved: all });
  assert.equal(await coverOf(none.id), null);
});
