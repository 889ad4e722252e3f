// The night benchmark itself, run small: the rendered subs are enriched and
// solved through a real daemon's drop folder, disabling platesolve really
// removes it, and the figures it reports are measured (not zero).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, runNight, table } from '../../bench/night.ts';

test('bench/night.ts: a small night, with and without plate solving', { timeout: 300_000 }, async () => {
  const o = parseArgs(['--subs', '2', '--darks', '1', '--flats', '1', '--size', '1600x1100', '--dithers', '2']);
  assert.deepEqual(o.passes, ['nosolve', 'all']);
  const [nosolve, all] = await runNight(o);
  for (const r of [nosolve!, all!]) {
    assert.equal(r.files, 4);
    assert.deepEqual(r.failed, [], `${r.pass}: no agent failed`);
    assert.ok(r.cpuSeconds > 0 && r.wallSeconds > 0);
    assert.equal(r.cpuPerSub, r.cpuSeconds / 2);
  }
  assert.equal(all!.solved, 2, 'both rendered subs solve');
  assert.equal(nosolve!.solved, 0, 'platesolve disabled');
  assert.match(table([nosolve!, all!], o), /CPU with plate solving \/ without: \d+\.\d\d×/);
  assert.throws(() => parseArgs(['--subs', 'many']), /--subs: not a count/);
});
