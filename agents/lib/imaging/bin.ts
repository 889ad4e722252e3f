/**
 * Area-average binning: the downsampling done before anything else, so that the
 * stretch and the conversion only ever touch a preview-sized copy.
 */

/** Output size of binning a width×height plane by `factor` (partial edge blocks dropped). */
export function binnedSize(width: number, height: number, factor: number): { width: number; height: number } {
  return { width: Math.max(1, Math.floor(width / factor)), height: Math.max(1, Math.floor(height / factor)) };
}

/**
 * Averages factor×factor blocks of a row-major plane into a new plane. Non-finite
 * samples (FITS blanks) are left out of the average; a block with none gives NaN.
 * Works row by row with one row of accumulators: no full-size temporary.
 */
export function binPlane(plane: Float32Array, width: number, height: number, factor: number): Float32Array {
  const f = Math.max(1, Math.floor(factor));
  if (f === 1) return plane;
  const { width: ow, height: oh } = binnedSize(width, height, f);
  const out = new Float32Array(ow * oh);
  const sums = new Float64Array(ow);
  const counts = new Float64Array(ow);
  for (let oy = 0; oy < oh; oy++) {
    sums.fill(0);
    counts.fill(0);
    for (let dy = 0; dy < f; dy++) addRow(plane, (oy * f + dy) * width, ow, f, sums, counts);
    const row = oy * ow;
    for (let ox = 0; ox < ow; ox++) out[row + ox] = counts[ox]! > 0 ? sums[ox]! / counts[ox]! : NaN;
  }
  return out;
}

/**
 * Adds one source row (from index i) to the sums of its ow blocks of f samples. A small
 * function called per row, so that V8 compiles it early (see CHUNK in stats.ts).
 */
function addRow(plane: Float32Array, i: number, ow: number, f: number, sums: Float64Array, counts: Float64Array): void {
  for (let ox = 0; ox < ow; ox++) {
    let s = 0;
    let n = 0;
    for (let k = 0; k < f; k++, i++) {
      const v = plane[i]!;
      // v - v is NaN for NaN and ±Infinity: one comparison skips both
      if (v - v === 0) {
        s += v;
        n++;
      }
    }
    sums[ox]! += s;
    counts[ox]! += n;
  }
}
