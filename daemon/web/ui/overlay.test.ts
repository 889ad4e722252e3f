import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelBox, MAX_LABELS, MAX_OUTLINES, overlaps, overlayModel } from './overlay.ts';

/** A seeded crowd of catalogued objects: a wide Milky Way field. */
function crowd(n: number, w: number, h: number) {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, (_, i) => ({
    id: `NGC ${1000 + i}`,
    name: i % 3 === 0 ? `Object ${i}` : null,
    x: rand() * w,
    y: rand() * h,
    rx: 2 + rand() * 40,
    ry: 2 + rand() * 30,
    magnitude: 6 + rand() * 9,
    primary: false,
  }));
}

test('a crowded wide field: outlines and labels are capped, no two labels collide, the primary is labelled and on top', () => {
  const w = 3000;
  const h = 2000;
  const objects = [...crowd(300, w, h), { id: 'M42', name: 'Orion Nebula', x: 1500, y: 1000, rx: 20, ry: 20, magnitude: 4, primary: true }];
  const m = overlayModel({ width: w, height: h, objects })!;
  assert.ok(m.shapes.length <= MAX_OUTLINES, `${m.shapes.length} outlines`);
  const labelled = m.shapes.filter((s) => s.labelX !== null);
  assert.ok(labelled.length > 5 && labelled.length <= MAX_LABELS, `${labelled.length} labels`);
  const boxes = labelled.map((s) => labelBox(s.label, s.anchor, s.labelX!, s.labelY!, m.font));
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i]!;
    assert.ok(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= w && b.y1 <= h, `label ${labelled[i]!.label} leaves the image`);
    for (let j = 0; j < i; j++) assert.ok(!overlaps(b, boxes[j]!), `${labelled[i]!.label} collides with ${labelled[j]!.label}`);
  }
  const primary = m.shapes.at(-1)!;
  assert.equal(primary.id, 'M42', 'the primary target is drawn last (on top)');
  assert.notEqual(primary.labelX, null, 'the primary target always gets its label');
  // the kept outlines are the important ones: large or bright before small and faint
  const keptIds = new Set(m.shapes.map((s) => s.id));
  const biggest = [...objects].sort((a, b) => Math.sqrt(b.rx * b.ry) - Math.sqrt(a.rx * a.ry))[0]!;
  assert.ok(keptIds.has(biggest.id), 'the largest object keeps its outline');
});

test('an outline far larger than the frame is marked huge and labelled inside the frame', () => {
  const m = overlayModel({
    width: 1000,
    height: 800,
    objects: [
      { id: 'Sh2-276', name: "Barnard's Loop", x: 300, y: 400, rx: 1400, ry: 1200, magnitude: 5, primary: false },
      { id: 'M42', name: 'Orion Nebula', x: 500, y: 420, rx: 30, ry: 30, magnitude: 4, primary: true },
    ],
  })!;
  const loop = m.shapes.find((s) => s.id === 'Sh2-276')!;
  assert.equal(loop.huge, true);
  assert.equal(m.shapes.find((s) => s.id === 'M42')!.huge, false);
  assert.notEqual(loop.labelX, null);
  const b = labelBox(loop.label, loop.anchor, loop.labelX!, loop.labelY!, m.font);
  assert.ok(b.x0 >= 0 && b.x1 <= 1000 && b.y0 >= 0 && b.y1 <= 800);
  assert.equal(m.shapes[0]!.id, 'Sh2-276', 'huge outlines are drawn first, under the others');
});

test('objects far outside the frame and records without a size give no overlay shapes', () => {
  assert.equal(overlayModel({ width: null, height: 10, objects: [] }), null);
  const m = overlayModel({ width: 100, height: 100, objects: [{ id: 'M1', x: 500, y: 50, rx: 5, ry: 5 }] })!;
  assert.equal(m.shapes.length, 0);
});
