/**
 * The objects overlay of the image page, laid out for reading: which outlines
 * to draw, which of them get a label, and where each label goes so that no
 * two labels collide.
 *
 * Everything is in the image's own pixel space (x right, y down, as displayed):
 * the SVG's viewBox is the full image, so the overlay scales with the preview
 * whatever its size. Pure: no I/O, unit-tested in overlay.test.ts.
 */

type Rec = Record<string, any>;

export interface OverlayShape {
  id: string;
  label: string;
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
  primary: boolean;
  /** outline much larger than the frame (Barnard's Loop in a wide field): drawn faint */
  huge: boolean;
  /** where the label goes; null when it would collide with a more important one */
  labelX: number | null;
  labelY: number | null;
  anchor: 'start' | 'end' | 'middle';
}

export interface OverlayModel {
  width: number;
  height: number;
  stroke: number;
  font: number;
  /** in drawing order: the primary target last, so it is on top */
  shapes: OverlayShape[];
}

/** Outlines drawn at most: a wide Milky Way field holds hundreds of catalogued objects. */
export const MAX_OUTLINES = 60;
/** Labels placed at most, in order of importance. */
export const MAX_LABELS = 24;

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Importance for display: the primary target first, then apparent size on the
 * image (a large nebula before a faint galaxy), brighter before fainter.
 */
function importance(o: Rec, rx: number, ry: number): number {
  const area = Math.sqrt(rx * ry);
  const mag = typeof o.magnitude === 'number' ? o.magnitude : 14;
  return (o.primary ? 1e9 : 0) + area * 10 - mag * 5;
}

/** The overlay model of an image record (null when the record has no size). */
export function overlayModel(image: Rec): OverlayModel | null {
  const w = Number(image.width);
  const h = Number(image.height);
  if (!(w > 0 && h > 0)) return null;
  const long = Math.max(w, h);
  const min = long / 250;
  const font = long / 55;
  const stroke = long / 600;

  const candidates = [];
  for (const o of (image.objects ?? []) as Rec[]) {
    if (typeof o.x !== 'number' || typeof o.y !== 'number') continue;
    if (o.x < -w * 0.1 || o.x > w * 1.1 || o.y < -h * 0.1 || o.y > h * 1.1) continue;
    const rx = Math.max(typeof o.rx === 'number' ? o.rx : 0, min);
    const ry = Math.max(typeof o.ry === 'number' ? o.ry : rx, min);
    candidates.push({ o, rx, ry, score: importance(o, rx, ry) });
  }
  candidates.sort((a, b) => b.score - a.score);
  // a crowded field keeps its most important outlines; the point-like, faint rest only clutters
  const kept = candidates.slice(0, MAX_OUTLINES);

  const placed: Box[] = [];
  const shapes: OverlayShape[] = [];
  for (const { o, rx, ry } of kept) {
    const label = o.name ? `${o.id} · ${o.name}` : String(o.id);
    const huge = Math.max(rx, ry) > long * 0.6;
    const shape: OverlayShape = {
      id: String(o.id),
      label,
      cx: o.x,
      cy: o.y,
      rx,
      ry,
      angle: typeof o.angleDeg === 'number' ? o.angleDeg : 0,
      primary: !!o.primary,
      huge,
      labelX: null,
      labelY: null,
      anchor: 'start',
    };
    if (placed.length < MAX_LABELS) placeLabel(shape, w, h, font, placed);
    shapes.push(shape);
  }
  // drawing order: big faint outlines first, the primary target on top
  shapes.sort((a, b) => Number(a.primary) - Number(b.primary) || Number(b.huge) - Number(a.huge));
  return { width: w, height: h, stroke, font, shapes };
}

/**
 * Tries label positions around the outline (above right, above left, below
 * right, below left, centred above, centred below; for an outline larger than
 * the frame, its centre clamped into the frame) and takes the first that stays
 * inside the image and collides with no label placed before it.
 */
function placeLabel(s: OverlayShape, w: number, h: number, font: number, placed: Box[]): void {
  const { textW, textH, pad } = labelMetrics(s.label, font);
  const dx = s.rx * 0.72;
  const dy = s.ry * 0.72;
  type Spot = { x: number; y: number; anchor: OverlayShape['anchor'] };
  const spots: Spot[] = s.huge
    ? [{ x: clamp(s.cx, textW / 2 + pad, w - textW / 2 - pad), y: clamp(s.cy, textH + pad, h - pad), anchor: 'middle' }]
    : [
        { x: s.cx + dx, y: s.cy - dy, anchor: 'start' },
        { x: s.cx - dx, y: s.cy - dy, anchor: 'end' },
        { x: s.cx + dx, y: s.cy + dy + textH, anchor: 'start' },
        { x: s.cx - dx, y: s.cy + dy + textH, anchor: 'end' },
        { x: s.cx, y: s.cy - s.ry - pad, anchor: 'middle' },
        { x: s.cx, y: s.cy + s.ry + textH, anchor: 'middle' },
      ];
  for (const spot of spots) {
    const box = labelBox(s.label, spot.anchor, spot.x, spot.y, font);
    if (box.x0 < 0 || box.y0 < 0 || box.x1 > w || box.y1 > h) continue;
    if (placed.some((b) => overlaps(b, box))) continue;
    placed.push(box);
    s.labelX = spot.x;
    s.labelY = spot.y;
    s.anchor = spot.anchor;
    return;
  }
}

/** Estimated size of a label in pixels (no font metrics on the server: 0.56 em per character). */
function labelMetrics(label: string, font: number) {
  return { textW: label.length * font * 0.56, textH: font * 1.15, pad: font * 0.3 };
}

/** The box a label occupies (with a little padding) when drawn at x, y (baseline) with this anchor. */
export function labelBox(label: string, anchor: OverlayShape['anchor'], x: number, y: number, font: number): Box {
  const { textW, textH, pad } = labelMetrics(label, font);
  const x0 = anchor === 'start' ? x : anchor === 'end' ? x - textW : x - textW / 2;
  return { x0: x0 - pad, y0: y - textH, x1: x0 + textW + pad, y1: y + pad };
}

function clamp(v: number, lo: number, hi: number): number {
  return hi < lo ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, v));
}
