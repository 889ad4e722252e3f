import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { PixelImage } from '../formats/types.ts';
import { AgentError } from '../../sdk/index.ts';
import { renderPreviews } from './render.ts';
import { drawStars, starField, uniformMosaic } from './synthetic.ts';
import { applyStf, computeStf } from './stretch.ts';

async function decode(buf: Uint8Array) {
  const { data, info } = await sharp(buf).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** median of channel c of decoded 8-bit pixels, as 0..1 */
function channelMedian(d: { data: Uint8Array; channels: number }, c: number): number {
  const hist = new Uint32Array(256);
  for (let i = c; i < d.data.length; i += d.channels) hist[d.data[i]!]!++;
  const half = d.data.length / d.channels / 2;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc >= half) return v / 255;
  }
  return 1;
}

test('a linear 16-bit star field is stretched: background in 0.15–0.40, stars bright', async () => {
  const { image, stars } = starField({ width: 1200, height: 800, background: [0.02], noise: 0.002, seed: 5 });
  const out = await renderPreviews(image, { previewSize: 2048, thumbnailSize: 300 });
  const d = await decode(out.preview);
  assert.equal(d.width, 1200);
  assert.equal(d.height, 800);
  assert.equal((await sharp(out.preview).metadata()).channels, 1, 'grey data give a one-channel JPEG');
  const median = channelMedian(d, 0);
  assert.ok(median >= 0.15 && median <= 0.4, `preview median ${median}`);
  const bright = stars.filter((s) => s.amplitude > 0.2);
  assert.ok(bright.length > 5);
  for (const s of bright) {
    const v = d.data[(Math.round(s.y) * d.width + Math.round(s.x)) * d.channels]! / 255;
    assert.ok(v > median + 0.4, `star at ${s.x},${s.y} is ${v}, background ${median}`);
  }
  assert.equal(out.facts.stretched, true);
  assert.equal(out.facts.debayered, false);
  assert.ok(Math.abs(out.facts.median! - 0.02) < 0.001, `median fact ${out.facts.median}`);
  assert.ok(Math.abs(out.facts.mad! - 0.002) < 0.0003, `mad fact ${out.facts.mad}`);
  const t = await decode(out.thumbnail);
  assert.equal(Math.max(t.width, t.height), 300);
  const tMedian = channelMedian(t, 0);
  assert.ok(tMedian >= 0.15 && tMedian <= 0.4, `thumbnail median ${tMedian}`);
});

test('a big frame is binned to the preview size, not enlarged when small', async () => {
  const { image } = starField({ width: 3000, height: 1000, stars: 200 });
  const out = await renderPreviews(image, { previewSize: 1024, thumbnailSize: 256 });
  assert.equal(out.facts.previewWidth, 1024);
  assert.equal(out.facts.previewHeight, 341);
  const small = await renderPreviews(starField({ width: 300, height: 200, stars: 20 }).image, { previewSize: 1024 });
  assert.equal(small.facts.previewWidth, 300);
});

test('bottom-up data are flipped so the picture displays upright', async () => {
  const w = 200;
  const h = 100;
  const plane = new Float32Array(w * h).fill(0.02);
  drawStars(plane, w, h, [{ x: 50, y: 10, amplitude: 0.9, sigma: 2 }]); // near stored row 0
  const img: PixelImage = { width: w, height: h, channels: 1, planes: [plane], rowOrder: 'bottom-up', bayerPattern: null, linear: false, binned: 1 };
  const d = await decode((await renderPreviews(img, { format: 'webp' })).preview);
  const at = (x: number, y: number) => d.data[(y * w + x) * d.channels]!;
  assert.ok(at(50, h - 1 - 10) > 150, 'star at the bottom after the flip');
  assert.ok(at(50, 10) < 50, 'nothing where the stored row 0 was');
  const top = await decode((await renderPreviews({ ...img, rowOrder: 'top-down' })).preview);
  assert.ok(top.data[(10 * w + 50) * top.channels]! > 150);
});

test('unlinked stretch neutralizes a colour cast; linked keeps it', async () => {
  const { image } = starField({ width: 600, height: 400, background: [0.06, 0.03, 0.012], noise: 0.0015, seed: 9 });
  const unlinked = await decode((await renderPreviews(image, { stretch: 'unlinked' })).preview);
  const u = [0, 1, 2].map((c) => channelMedian(unlinked, c));
  assert.ok(Math.max(...u) - Math.min(...u) < 0.03, `unlinked medians ${u}`);
  for (const m of u) assert.ok(m > 0.18 && m < 0.32);
  const linked = await decode((await renderPreviews(image, { stretch: 'linked' })).preview);
  const l = [0, 1, 2].map((c) => channelMedian(linked, c));
  // one STF for all channels: the cast is kept (even exaggerated, as in PixInsight)
  assert.ok(l[0]! > l[1]! && l[1]! >= l[2]! && l[0]! - l[2]! > 0.3, `linked medians ${l}`);
  const auto = await renderPreviews(image, { stretch: 'auto' });
  assert.equal(auto.facts.stretchMode, 'unlinked');
});

test('a one-shot-colour mosaic is debayered into its colour', async () => {
  const colour = [0.3, 0.12, 0.05];
  const img = uniformMosaic(400, 300, 'GBRG', colour as [number, number, number], 0.003);
  // shown unstretched, the debayered channels must come out at the mosaic's colour
  const out = await renderPreviews(img, { debayer: 'superpixel', linear: false });
  assert.equal(out.facts.debayered, true);
  assert.equal(out.facts.previewWidth, 200);
  const d = await decode(out.preview);
  assert.equal((await sharp(out.preview).metadata()).channels, 3);
  colour.forEach((v, c) => {
    const m = channelMedian(d, c);
    assert.ok(Math.abs(m - v) < 0.02, `channel ${c}: ${m} instead of ${v}`);
  });
  // small mosaics get the bilinear debayer at full size in auto mode
  const bilinear = await renderPreviews(img, { linear: false });
  assert.equal(bilinear.facts.debayerMethod, 'bilinear');
  assert.equal(bilinear.facts.previewWidth, 400);
  const b = await decode(bilinear.preview);
  colour.forEach((v, c) => assert.ok(Math.abs(channelMedian(b, c) - v) < 0.02));
});

test('non-linear (processed) data keep their tonality', async () => {
  // a processed-looking frame: background 0.3 with structure, flagged non-linear by the reader
  const { image } = starField({ width: 500, height: 400, background: [0.3], noise: 0.04, seed: 2 });
  const flagged = await renderPreviews({ ...image, linear: false });
  assert.equal(flagged.facts.stretched, false);
  const m = channelMedian(await decode(flagged.preview), 0);
  assert.ok(Math.abs(m - 0.3) < 0.02, `median ${m}`);

  // the same data claimed linear (e.g. a stretched FITS): the statistics give it away
  const detected = await renderPreviews(image);
  assert.equal(detected.facts.stretched, false);
  assert.equal(detected.facts.linear, false);
  assert.ok(Math.abs(channelMedian(await decode(detected.preview), 0) - 0.3) < 0.02);

  // and a stretched star field rendered a second time is not stretched again
  const { image: lin } = starField({ width: 500, height: 400, seed: 4 });
  const [stf] = computeStf([{ median: 0.02, mad: 0.002, count: 1 }], 'linked');
  const once = lin.planes[0]!.map((v) => applyStf(stf!, v));
  const again = await renderPreviews({ ...lin, planes: [once] });
  assert.equal(again.facts.stretched, false);
  const m2 = channelMedian(await decode(again.preview), 0);
  assert.ok(m2 > 0.2 && m2 < 0.3, `median ${m2}`);
});

test('float data in ADU with NaN blanks and negative values render like 0..1 data', async () => {
  const { image } = starField({ width: 400, height: 300, quantize16: false, seed: 8 });
  const adu = image.planes[0]!.map((v) => v * 65535 - 300); // a calibrated frame dips below zero
  for (let i = 0; i < 500; i++) adu[i * 97] = NaN;
  const out = await renderPreviews({ ...image, planes: [adu] });
  const m = channelMedian(await decode(out.preview), 0);
  assert.ok(m >= 0.15 && m <= 0.4, `median ${m}`);
  assert.equal(out.facts.stretched, true);
});

test('data using a tiny part of the range get a hard stretch without posterization', async () => {
  // e.g. 32-bit integer data scaled by the type's range: background at 3e-4 of full scale
  const { image } = starField({ width: 400, height: 300, background: [0.0003], noise: 0.00003, quantize16: false, seed: 12 });
  const out = await renderPreviews(image);
  assert.ok((out.facts.stf as { m: number }[])[0]!.m < 0.01);
  const d = await decode(out.preview);
  const m = channelMedian(d, 0);
  assert.ok(m >= 0.15 && m <= 0.4, `median ${m}`);
  const levels = new Set<number>();
  for (let i = 0; i < d.data.length; i += d.channels) if (d.data[i]! < 128) levels.add(d.data[i]!);
  assert.ok(levels.size > 60, `only ${levels.size} grey levels in the background`);
});

test('an image without a finite pixel is an AgentError', async () => {
  const img: PixelImage = { width: 4, height: 4, channels: 1, planes: [new Float32Array(16).fill(NaN)], rowOrder: 'top-down', bayerPattern: null, linear: true, binned: 1 };
  await assert.rejects(renderPreviews(img), AgentError);
  await assert.rejects(renderPreviews({ ...img, planes: [new Float32Array(3)] }), AgentError);
});

test('a bright-sky colour mosaic is still linear: statistics are taken per Bayer colour', async () => {
  // strong colour differences make the mosaic as a whole look "broad" although each colour is narrow
  const img = uniformMosaic(600, 400, 'RGGB', [0.35, 0.2, 0.12], 0.003);
  const out = await renderPreviews(img, { stretch: 'unlinked', debayer: 'superpixel' });
  assert.equal(out.facts.linear, true);
  assert.equal(out.facts.stretched, true);
  // mean of the per-colour medians, and a MAD that is the noise, not the colour spread
  assert.ok(Math.abs(out.facts.median! - (0.35 + 0.2 + 0.12) / 3) < 0.002, `median ${out.facts.median}`);
  assert.ok(out.facts.mad! < 0.005, `mad ${out.facts.mad}`);
});

/** q-quantile of channel 0 of decoded 8-bit pixels, as 0..1 */
function quantile(d: { data: Uint8Array; channels: number }, q: number): number {
  const values = [];
  for (let i = 0; i < d.data.length; i += d.channels) values.push(d.data[i]!);
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))]! / 255;
}

test('the thumbnail is stretched from its own pixels: binning lowers the noise, the stretch follows', async () => {
  // a 2400 px frame shown as a 200 px thumbnail: 12× binning, ~12× less noise per shown pixel
  const { image } = starField({ width: 2400, height: 1600, background: [0.02], noise: 0.004, stars: 300, seed: 9 });
  const out = await renderPreviews(image, { previewSize: 1200, thumbnailSize: 200 });
  const p = await decode(out.preview);
  const t = await decode(out.thumbnail);
  const spread = (d: typeof p) => quantile(d, 0.75) - quantile(d, 0.25);
  // with the preview's clip point the thumbnail's background came out as one flat grey
  assert.ok(spread(t) > 0.5 * spread(p), `thumbnail background spread ${spread(t)} vs preview ${spread(p)}`);
  const tMedian = channelMedian(t, 0);
  assert.ok(tMedian >= 0.15 && tMedian <= 0.4, `thumbnail median ${tMedian}`);
});

test('washed-out non-linear data (a digitised plate) get their levels set; full-range data keep theirs', async () => {
  // a plate scan: everything between 0.55 and 0.85 of the range, darker "nebula" in one half
  const { image } = starField({ width: 600, height: 400, background: [0.6], noise: 0.01, stars: 40, seed: 3 });
  const plane = image.planes[0]!;
  for (let i = 0; i < plane.length; i++) plane[i] = 0.55 + 0.3 * Math.min(1, Math.max(0, (plane[i]! - 0.55) / 0.45)) - ((i % 600) < 300 ? 0.03 : 0);
  const out = await renderPreviews({ ...image, linear: false });
  assert.equal(out.facts.stretched, false, 'levels are not a stretch');
  const d = await decode(out.preview);
  assert.ok(quantile(d, 0.001) < 0.1, `black point ${quantile(d, 0.001)}`);
  assert.ok(quantile(d, 1) > 0.95, `white point ${quantile(d, 1)}`);
  const t = await decode(out.thumbnail);
  assert.ok(quantile(t, 0.01) < 0.2, `thumbnail black point ${quantile(t, 0.01)}`);
  // a processed image that already reaches black keeps its tonality exactly
  const { image: dark } = starField({ width: 300, height: 200, background: [0.05], noise: 0.01, seed: 4 });
  const kept = await renderPreviews({ ...dark, linear: false });
  assert.ok(Math.abs(channelMedian(await decode(kept.preview), 0) - 0.05) < 0.02);
});
