/** Uniform grid over 2-D points for nearest-neighbour lookups within a radius. */
export class PointGrid {
  private readonly x0: number;
  private readonly y0: number;
  private readonly nx: number;
  private readonly ny: number;
  private readonly start: Int32Array;
  private readonly items: Int32Array;

  /** cell side: at least the one asked for, and large enough for ~4 cells per point (a fine grid over few points costs more to build than it saves) */
  readonly cell: number;

  constructor(readonly xs: ArrayLike<number>, readonly ys: ArrayLike<number>, cell: number, count = xs.length) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < count; i++) {
      minX = Math.min(minX, xs[i]); maxX = Math.max(maxX, xs[i]);
      minY = Math.min(minY, ys[i]); maxY = Math.max(maxY, ys[i]);
    }
    if (count === 0) { minX = minY = 0; maxX = maxY = 0; }
    this.cell = Math.max(cell, Math.sqrt(((maxX - minX) * (maxY - minY)) / (4 * Math.max(count, 1))));
    this.x0 = minX; this.y0 = minY;
    this.nx = Math.min(4096, Math.max(1, Math.floor((maxX - minX) / this.cell) + 1));
    this.ny = Math.min(4096, Math.max(1, Math.floor((maxY - minY) / this.cell) + 1));
    const cells = new Int32Array(count);
    const counts = new Int32Array(this.nx * this.ny + 1);
    for (let i = 0; i < count; i++) {
      cells[i] = this.cellIndex(xs[i], ys[i]);
      counts[cells[i] + 1]++;
    }
    for (let c = 0; c < this.nx * this.ny; c++) counts[c + 1] += counts[c];
    this.start = counts;
    const fill = counts.slice(0, this.nx * this.ny);
    this.items = new Int32Array(count);
    for (let i = 0; i < count; i++) this.items[fill[cells[i]]++] = i;
  }

  private cellIndex(x: number, y: number): number {
    const cx = Math.min(this.nx - 1, Math.max(0, Math.floor((x - this.x0) / this.cell)));
    const cy = Math.min(this.ny - 1, Math.max(0, Math.floor((y - this.y0) / this.cell)));
    return cy * this.nx + cx;
  }

  /** Index of the nearest point within `r` of (x, y), or -1. */
  nearest(x: number, y: number, r: number): number {
    const c0x = Math.floor((x - r - this.x0) / this.cell), c1x = Math.floor((x + r - this.x0) / this.cell);
    const c0y = Math.floor((y - r - this.y0) / this.cell), c1y = Math.floor((y + r - this.y0) / this.cell);
    let best = -1, bd = r * r;
    for (let cy = Math.max(0, c0y); cy <= Math.min(this.ny - 1, c1y); cy++) {
      for (let cx = Math.max(0, c0x); cx <= Math.min(this.nx - 1, c1x); cx++) {
        const c = cy * this.nx + cx;
        for (let k = this.start[c]; k < this.start[c + 1]; k++) {
          const i = this.items[k];
          const d = (this.xs[i] - x) ** 2 + (this.ys[i] - y) ** 2;
          if (d <= bd) { bd = d; best = i; }
        }
      }
    }
    return best;
  }
}
