/**
 * What a stacked and cropped picture has besides sky: registration borders,
 * strips along the edges with no data or noisy ones where few frames
 * overlapped. They are masked before the background mesh, so that their
 * edges are neither taken for stars nor pull the sky level, and stars
 * touching them are not measured. (The dark corners of a crop of a rotated
 * stack are not masked: by value alone they cannot be told from a sky clipped
 * to black; their diagonal edge is rejected as an elongated object.)
 */

export interface BorderMask {
  /** the data with masked pixels set to the sky level */
  data: Float32Array;
  /** 1 = masked or within `MARGIN` pixels of a masked pixel */
  near: Uint8Array;
  /** masked pixels */
  count: number;
}

/** a star this close to a masked pixel is not measured (its profile is cut) */
const MARGIN = 3;
/** strips are looked for up to this fraction of the width or height from each edge */
const MAX_STRIP = 0.2;

function median(a: Float32Array | number[]): number {
  const s = Float32Array.from(a).sort();
  return s.length ? s[s.length >> 1] : 0;
}

/**
 * Level and noise of a line of pixels: the median, and the median absolute difference of
 * neighbours (insensitive to gradients and to the few stars a line crosses).
 */
function lineStats(data: Float32Array, start: number, step: number, n: number): { level: number; diff: number } {
  const stride = Math.max(1, Math.floor(n / 400));
  const v: number[] = [], d: number[] = [];
  for (let k = 0; k + stride < n; k += stride) {
    const a = data[start + k * step], b = data[start + (k + 1) * step];
    v.push(a); d.push(Math.abs(a - b));
  }
  return { level: median(v), diff: median(d) };
}

/**
 * Finds registration borders. Returns null when there are none
 * (the common case: the detector then works on the data as it is).
 */
export function maskBorders(data: Float32Array, w: number, h: number, quantum: number): BorderMask | null {
  if (w < 64 || h < 64) return null;
  // reference: the lines of the middle half of the picture
  const midCols: { level: number; diff: number }[] = [], midRows: { level: number; diff: number }[] = [];
  for (let x = Math.floor(w / 4); x < (3 * w) / 4; x += Math.max(1, Math.floor(w / 40))) midCols.push(lineStats(data, x, w, h));
  for (let y = Math.floor(h / 4); y < (3 * h) / 4; y += Math.max(1, Math.floor(h / 40))) midRows.push(lineStats(data, y * w, 1, w));
  const ref = [...midCols, ...midRows];
  const level = median(ref.map((r) => r.level));
  const diff = Math.max(median(ref.map((r) => r.diff)), quantum);
  if (!(level > 0)) return null;
  // A line is a border when its level is far below the sky's (no data: a vignetted edge keeps
  // more than a third of it) or its pixel-to-pixel noise is several times the sky's.
  const isBorder = (s: { level: number; diff: number }): boolean => s.level < 0.3 * level || s.diff > 4 * diff;
  const strip = (line: (k: number) => { level: number; diff: number }, n: number): number => {
    let k = 0;
    while (k < n * MAX_STRIP && isBorder(line(k))) k++;
    return k;
  };
  const left = strip((k) => lineStats(data, k, w, h), w);
  const right = strip((k) => lineStats(data, w - 1 - k, w, h), w);
  const top = strip((k) => lineStats(data, k * w, 1, w), h);
  const bottom = strip((k) => lineStats(data, (h - 1 - k) * w, 1, w), h);
  const mask = new Uint8Array(w * h);
  let count = 0;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const edgeRow = y < top || y >= h - bottom;
    for (let x = 0; x < w; x++) {
      if (edgeRow || x < left || x >= w - right) { mask[o + x] = 1; count++; }
    }
  }
  if (count === 0) return null;
  const out = Float32Array.from(data);
  for (let i = 0; i < out.length; i++) if (mask[i]) out[i] = level;
  // dilate by MARGIN (separable max)
  const tmp = new Uint8Array(w * h), near = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      if (!mask[o + x]) continue;
      for (let i = Math.max(0, x - MARGIN); i <= Math.min(w - 1, x + MARGIN); i++) tmp[o + i] = 1;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!tmp[y * w + x]) continue;
      for (let j = Math.max(0, y - MARGIN); j <= Math.min(h - 1, y + MARGIN); j++) near[j * w + x] = 1;
    }
  }
  return { data: out, near, count };
}
