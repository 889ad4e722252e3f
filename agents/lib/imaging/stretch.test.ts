import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStf, computeStf, looksNonLinear, mtf, resolveMode } from './stretch.ts';
import { medianInPlace, robustStats, select, subsample } from './stats.ts';
import { gaussian, prng } from './synthetic.ts';

test('mtf fixes 0, m and 1 and brightens for m < 0.5', () => {
  for (const m of [0.01, 0.2, 0.5, 0.8]) {
    assert.equal(mtf(m, 0), 0);
    assert.equal(mtf(m, 1), 1);
    assert.ok(Math.abs(mtf(m, m) - 0.5) < 1e-12);
  }
  assert.ok(mtf(0.1, 0.05) > 0.05);
  // the midtones balance that sends x to t is mtf(t, x)
  const x = 0.013;
  assert.ok(Math.abs(mtf(mtf(0.25, x), x) - 0.25) < 1e-12);
});

test('quickselect median and subsample statistics match a full sort', () => {
  const normal = gaussian(prng(3));
  const a = new Float32Array(100_001);
  for (let i = 0; i < a.length; i++) a[i] = 0.1 + 0.01 * normal();
  const sorted = Float32Array.from(a).sort();
  assert.equal(select(Float32Array.from(a), 777), sorted[777]);
  assert.equal(medianInPlace(Float32Array.from(a)), sorted[50_000]);
  const s = robustStats(a, 20_000);
  assert.ok(Math.abs(s.median - 0.1) < 0.0005, `median ${s.median}`);
  // normalized MAD estimates σ of Gaussian noise
  assert.ok(Math.abs(s.mad - 0.01) < 0.0008, `mad ${s.mad}`);
  assert.ok(s.count <= 20_001 && s.count >= 19_000);
});

test('subsample skips NaN and infinities', () => {
  const a = new Float32Array([NaN, 1, Infinity, 2, -Infinity, 3]);
  assert.deepEqual([...subsample(a)], [1, 2, 3]);
});

test('STF puts the median at the target background and clips shadows at median − 2.8·MAD', () => {
  const [stf] = computeStf([{ median: 0.02, mad: 0.002, count: 1 }], 'linked');
  assert.ok(stf);
  assert.ok(Math.abs(stf.c0 - (0.02 - 2.8 * 0.002)) < 1e-12);
  assert.ok(Math.abs(applyStf(stf, 0.02) - 0.25) < 1e-9);
  assert.equal(applyStf(stf, stf.c0 - 0.001), 0);
  assert.equal(applyStf(stf, 1), 1);
});

test('linked STF is shared; unlinked STF sends every channel median to 0.25', () => {
  const stats = [
    { median: 0.06, mad: 0.003, count: 1 },
    { median: 0.03, mad: 0.002, count: 1 },
    { median: 0.012, mad: 0.001, count: 1 },
  ];
  const linked = computeStf(stats, 'linked');
  assert.deepEqual(linked[0], linked[2]);
  assert.ok(applyStf(linked[0]!, 0.06) > applyStf(linked[2]!, 0.012) + 0.2, 'linked keeps the cast');
  const unlinked = computeStf(stats, 'unlinked');
  stats.forEach((s, c) => assert.ok(Math.abs(applyStf(unlinked[c]!, s.median) - 0.25) < 1e-9));
  assert.equal(resolveMode('auto', stats), 'unlinked');
  assert.equal(resolveMode('auto', [stats[1]!, { ...stats[1]! }, { ...stats[1]!, median: 0.031 }]), 'linked');
});

test('a zero MAD does not clip everything to black or white', () => {
  const [stf] = computeStf([{ median: 0.5, mad: 0, count: 1 }], 'unlinked');
  assert.equal(stf!.c0, 0);
  assert.ok(applyStf(stf!, 0.5) > 0.2 && applyStf(stf!, 0.5) < 0.3);
});

test('non-linear detection: stretched statistics yes; dark linear, bright sky and flats no', () => {
  assert.equal(looksNonLinear([{ median: 0.25, mad: 0.06, count: 1 }]), true);
  assert.equal(looksNonLinear([{ median: 0.02, mad: 0.002, count: 1 }]), false);
  assert.equal(looksNonLinear([{ median: 0.3, mad: 0.003, count: 1 }]), false);
  assert.equal(looksNonLinear([{ median: 0.5, mad: 0.02, count: 1 }]), false);
});
