// test-needs: tycho2
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnIndex } from './anIndex.ts';
import { installedIndexes } from './indexSet.ts';
import { requireTycho2Index } from '../../lib/stars/testing/testCatalog.ts';
import { rng } from '../../lib/stars/testing/renderStarField.ts';

requireTycho2Index(); // CI installs the Debian index packages; no silent skip
const indexes = installedIndexes();
const byId = (id: number): AnIndex => {
  const i = indexes.find((x) => x.id === id);
  assert.ok(i, `index ${id} installed`);
  return i;
};

test('the installed Debian Tycho-2 indexes are found, all-sky, sorted by quad size', () => {
  const ids = indexes.map((i) => i.id);
  for (const id of [4107, 4108, 4109, 4110, 4111, 4119]) assert.ok(ids.includes(id), `index ${id}`);
  for (let k = 1; k < indexes.length; k++) assert.ok(indexes[k].scaleLow >= indexes[k - 1].scaleLow);
  const i07 = byId(4107);
  assert.equal(i07.dimQuads, 4);
  assert.ok(Math.abs(i07.scaleLow / 60 - 22) < 0.01 && Math.abs(i07.scaleHigh / 60 - 30) < 0.01, `4107 quads ${i07.scaleLow / 60}′–${i07.scaleHigh / 60}′`);
  assert.equal(byId(4113).dimQuads, 3);
  assert.equal(i07.memoryBytes, 0, 'code trees load only when searched');
});

/** Every quad's code in real units, straight from the stored tree (test access to the private data). */
function storedCode(idx: AnIndex, q: number): number[] {
  const t = (idx as unknown as { tree: { ndim: number; codes: Uint16Array; low: Float64Array; scale: number } }).tree;
  return Array.from({ length: t.ndim }, (_, d) => t.low[d] + t.codes[q * t.ndim + d] / t.scale);
}

for (const id of [4110, 4115]) {
  test(`index ${id}: the code kd-tree search finds exactly what a linear scan finds`, () => {
    const idx = byId(id);
    const D = idx.codeDims;
    idx.searchCodes(new Array(D).fill(0.5), 0.01, () => {}); // loads the tree
    const all = Array.from({ length: idx.nQuads }, (_, q) => storedCode(idx, q));
    const rand = rng(id);
    let hits = 0;
    for (let k = 0; k < 40; k++) {
      // near an existing code (so there is something to find), or anywhere
      const base = k % 2 ? all[Math.floor(rand() * idx.nQuads)] : new Array(D).fill(0).map(() => rand());
      const q = base.map((v) => v + (rand() - 0.5) * (k % 2 ? 0.006 : 0.02));
      const tol = 0.005 + 0.01 * rand();
      const found = new Set<number>();
      idx.searchCodes(q, tol, (i) => found.add(i));
      const expect = new Set<number>();
      all.forEach((c, i) => { if (c.reduce((s, v, d) => s + (v - q[d]) ** 2, 0) <= tol * tol) expect.add(i); });
      assert.deepEqual([...found].sort((a, b) => a - b), [...expect].sort((a, b) => a - b), `query ${k}`);
      hits += found.size;
    }
    assert.ok(hits >= 20, `found ${hits} codes in 40 queries`);
  });
}

test('stored codes follow the star positions: A at (0,0), B at (1,1), x towards north, y towards east', () => {
  for (const id of [4110, 4113]) {
    const idx = byId(id);
    idx.searchCodes(new Array(idx.codeDims).fill(0.5), 0.01, () => {});
    const rand = rng(7);
    const ids = new Uint32Array(4), xyz = new Float64Array(3);
    for (let k = 0; k < 25; k++) {
      const q = Math.floor(rand() * idx.nQuads);
      idx.quadStars(q, ids);
      const p: number[][] = [];
      for (let s = 0; s < idx.dimQuads; s++) p.push([...idx.starXyz(ids[s], xyz)]);
      // tangent plane at the A–B midpoint
      const m = [0, 1, 2].map((d) => p[0][d] + p[1][d]);
      const mn = Math.hypot(...m);
      for (let d = 0; d < 3; d++) m[d] /= mn;
      const en = Math.hypot(m[0], m[1]);
      const east = [-m[1] / en, m[0] / en, 0];
      const north = [-m[2] * east[1], m[2] * east[0], m[0] * east[1] - m[1] * east[0]];
      const dot = (a: number[], b: number[]): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
      const xy = p.map((s) => [dot(s, north) / dot(s, m), dot(s, east) / dot(s, m)]);
      const [ax, ay] = xy[0], [bx, by] = xy[1];
      const dx = bx - ax, dy = by - ay, s2 = dx * dx + dy * dy;
      const cos = (dx + dy) / s2, sin = (dy - dx) / s2;
      const code: number[] = [];
      for (let s = 2; s < idx.dimQuads; s++) {
        const ex = xy[s][0] - ax, ey = xy[s][1] - ay;
        code.push(ex * cos + ey * sin, -ex * sin + ey * cos);
      }
      const stored = storedCode(idx, q);
      code.forEach((v, d) => assert.ok(Math.abs(v - stored[d]) < 2e-3, `${id} quad ${q}: code ${code} vs stored ${stored}`));
      // canonical order the matcher relies on: cx ≤ dx and mean x ≤ 1/2
      if (idx.dimQuads === 4) assert.ok(stored[0] <= stored[2] + 1e-4 && stored[0] + stored[2] <= 1 + 1e-3);
      else assert.ok(stored[0] <= 0.5 + 1e-3);
    }
  }
});

test('quad and star tables held in memory give what the file holds (read on demand when too big)', () => {
  for (const id of [4110, 4113]) {
    const inMemory = byId(id);
    const onDisk = AnIndex.open(inMemory.path, { tablesInMemoryBytes: 0 });
    const rand = rng(id + 1);
    const a = new Uint32Array(4), b = new Uint32Array(4), xa = new Float64Array(3), xb = new Float64Array(3);
    for (let k = 0; k < 200; k++) {
      const q = k === 0 ? 0 : k === 1 ? inMemory.nQuads - 1 : Math.floor(rand() * inMemory.nQuads);
      assert.deepEqual(inMemory.quadStars(q, a), onDisk.quadStars(q, b), `${id} quad ${q}`);
      for (let s = 0; s < inMemory.dimQuads; s++) assert.deepEqual(inMemory.starXyz(a[s], xa), onDisk.starXyz(a[s], xb), `${id} star ${a[s]}`);
    }
    assert.equal(onDisk.memoryBytes, 0, 'a file over the limit holds no tables');
    assert.ok(inMemory.memoryBytes >= 4 * inMemory.dimQuads * inMemory.nQuads + 12 * inMemory.nStars, 'the tables are held (and counted)');
    onDisk.close();
  }
});

test('damaged index files are skipped or reported, never thrown', async () => {
  const { mkdtempSync, readFileSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { indexSearch } = await import('./indexSolve.ts');
  const { testCatalog } = await import('../../lib/stars/testing/testCatalog.ts');
  const { newStats } = await import('../solver/hinted.ts');
  const { makeImageStars } = await import('../solver/types.ts');
  const src = readFileSync(byId(4110).path);
  const rand = rng(3);
  const list = Array.from({ length: 60 }, () => ({ x: rand() * 1000, y: rand() * 800, flux: rand() })).sort((a, b) => b.flux - a.flux);
  const stars = makeImageStars(list, 1000, 800, false, 2.5);
  const cases: [string, Uint8Array][] = [
    ['cut in the code table', src.subarray(0, Math.floor(src.length * 0.3))],
    ['cut in the star table', src.subarray(0, Math.floor(src.length * 0.97))],
    ['garbage after the header', Uint8Array.from(src, (b, i) => (i > 20000 ? (i * 7919) & 255 : b))],
  ];
  for (const [what, bytes] of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'sidereal-badindex-'));
    try {
      writeFileSync(join(dir, 'index-4110.fits'), bytes);
      const r = indexSearch(testCatalog(), stars, { scale: null, position: null, stats: newStats(), firstPass: true, budget: { deadline: Date.now() + 1500 }, dirs: [dir] });
      assert.ok(r === null || r.solution === null, what);
      if (r) assert.ok(r.reason.length > 0, what);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
