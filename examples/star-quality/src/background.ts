/**
 * The sky background as a smooth surface: sigma-clipped medians on a coarse
 * mesh (stars and hot pixels clipped away), a 3×3 median filter over the
 * mesh (a bright galaxy filling one cell does not punch a hole), then
 * bilinear interpolation between mesh centres. Also the per-pixel noise.
 */
import { clippedStats, median } from './stats.ts';

export interface Background {
  /** mesh cell size in pixels */
  cell: number;
  cols: number;
  rows: number;
  /** background level at each cell centre */
  grid: Float32Array;
  /** median background level over the frame */
  level: number;
  /** per-pixel noise (sigma) of the background */
  noise: number;
}

/** Largest number of samples taken from one cell (a regular sub-grid of it). */
const SAMPLES_PER_CELL = 1024;

export function estimateBackground(data: Float32Array, width: number, height: number, cellSize = 64): Background {
  const cell = Math.max(8, Math.min(cellSize, Math.floor(Math.min(width, height) / 2) || 8));
  const cols = Math.max(1, Math.round(width / cell));
  const rows = Math.max(1, Math.round(height / cell));
  const levels = new Float32Array(cols * rows);
  const sigmas: number[] = [];
  const samples = new Float64Array(SAMPLES_PER_CELL * 4);
  const diffs = new Float64Array(Math.ceil(cell * 2) * 17);
  for (let cy = 0; cy < rows; cy++) {
    const y0 = Math.floor((cy * height) / rows);
    const y1 = Math.floor(((cy + 1) * height) / rows);
    for (let cx = 0; cx < cols; cx++) {
      const x0 = Math.floor((cx * width) / cols);
      const x1 = Math.floor(((cx + 1) * width) / cols);
      const area = (x1 - x0) * (y1 - y0);
      const step = Math.max(1, Math.floor(Math.sqrt(area / SAMPLES_PER_CELL)));
      let n = 0;
      for (let y = y0; y < y1 && n < samples.length; y += step) for (let x = x0; x < x1 && n < samples.length; x += step) samples[n++] = data[y * width + x]!;
      levels[cy * cols + cx] = clippedStats(samples, 3, 3, n).median;
      // noise needs neighbouring pixels, not the sparse samples: use full rows of the cell
      sigmas.push(cellNoise(data, width, x0, x1, y0, y1, diffs));
    }
  }
  const grid = medianFilter3(levels, cols, rows);
  const finite = sigmas.filter((v) => Number.isFinite(v));
  return { cell, cols, rows, grid, level: median(grid), noise: finite.length ? median(finite) : NaN };
}

/**
 * Noise from differences of horizontally adjacent pixels: the background's
 * slope cancels, and sigma(a - b) = sqrt(2) sigma. Clipped, so stars in the
 * cell do not count.
 */
function cellNoise(data: Float32Array, width: number, x0: number, x1: number, y0: number, y1: number, diffs: Float64Array): number {
  let n = 0;
  const rowStep = Math.max(1, Math.floor((y1 - y0) / 16));
  for (let y = y0; y < y1; y += rowStep) {
    const r = y * width;
    for (let x = x0; x + 1 < x1 && n < diffs.length; x += 2) diffs[n++] = data[r + x + 1]! - data[r + x]!;
  }
  if (n < 8) return NaN;
  return clippedStats(diffs, 3, 3, n).sigma / Math.SQRT2;
}

function medianFilter3(g: Float32Array, cols: number, rows: number): Float32Array {
  const out = new Float32Array(g.length);
  const win: number[] = [];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      win.length = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const yy = y + dy;
        const xx = x + dx;
        if (yy >= 0 && yy < rows && xx >= 0 && xx < cols) win.push(g[yy * cols + xx]!);
      }
      out[y * cols + x] = median(win);
    }
  }
  return out;
}

/** Fills `out` with the interpolated background of row `y`. */
export function backgroundRow(bg: Background, width: number, height: number, y: number, out: Float32Array): void {
  const { cols, rows, grid } = bg;
  // cell centres are at ((i + 0.5) * width / cols)
  const gy = Math.min(Math.max((y + 0.5) * (rows / height) - 0.5, 0), rows - 1);
  const y0 = Math.floor(gy);
  const y1 = Math.min(y0 + 1, rows - 1);
  const fy = gy - y0;
  for (let x = 0; x < width; x++) {
    const gx = Math.min(Math.max((x + 0.5) * (cols / width) - 0.5, 0), cols - 1);
    const x0 = Math.floor(gx);
    const x1 = Math.min(x0 + 1, cols - 1);
    const fx = gx - x0;
    const top = grid[y0 * cols + x0]! * (1 - fx) + grid[y0 * cols + x1]! * fx;
    const bottom = grid[y1 * cols + x0]! * (1 - fx) + grid[y1 * cols + x1]! * fx;
    out[x] = top * (1 - fy) + bottom * fy;
  }
}
