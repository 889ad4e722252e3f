/**
 * Sky background and noise: a mesh of tiles, each with a sigma-clipped
 * (3σ, 3 passes) mode/median and a MAD noise, median-filtered over 3×3 tiles
 * (suppresses tiles dominated by bright stars or nebulae) and interpolated
 * bilinearly between tile centres.
 */

export interface BackgroundMesh {
  tile: number;
  nx: number;
  ny: number;
  /** per-tile background and noise (σ) */
  level: Float32Array;
  noise: Float32Array;
  /** median of the tile noises */
  globalNoise: number;
}

function clippedStats(a: Float32Array): { level: number; sigma: number } {
  a.sort();
  let lo = 0, hi = a.length;
  let med = 0, sigma = 0;
  for (let iter = 0; iter < 3; iter++) {
    const n = hi - lo;
    if (n < 5) break;
    med = a[lo + (n >> 1)];
    sigma = 1.4826 * sortedMad(a, lo, hi, lo + (n >> 1));
    if (sigma === 0) break;
    const nlo = lowerBound(a, med - 3 * sigma, lo, hi);
    const nhi = lowerBound(a, med + 3 * sigma, lo, hi);
    if (nlo === lo && nhi === hi) break;
    lo = nlo; hi = nhi;
  }
  const n = hi - lo;
  if (n === 0) return { level: med, sigma };
  med = a[lo + (n >> 1)];
  let mean = 0;
  for (let i = lo; i < hi; i++) mean += a[i];
  mean /= n;
  // SExtractor's mode estimate when the distribution is only mildly skewed.
  const level = sigma > 0 && Math.abs(mean - med) < 0.3 * sigma ? 2.5 * med - 1.5 * mean : med;
  return { level, sigma };
}

/**
 * Median absolute deviation of the sorted range [lo, hi) around a[m], in
 * linear time: deviations grow outwards from the median on both sides, so
 * merging the two sides finds the middle one without sorting.
 */
function sortedMad(a: Float32Array, lo: number, hi: number, m: number): number {
  const med = a[m];
  const k = (hi - lo) >> 1;
  let l = m - 1, r = m + 1, d = 0;
  for (let taken = 1; taken <= k; taken++) {
    const dl = l >= lo ? med - a[l] : Infinity;
    const dr = r < hi ? a[r] - med : Infinity;
    if (dl <= dr) { d = dl; l--; } else { d = dr; r++; }
  }
  return d;
}

function lowerBound(a: Float32Array, v: number, lo: number, hi: number): number {
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function median3x3(src: Float32Array, nx: number, ny: number): Float32Array {
  const out = new Float32Array(src.length);
  const buf: number[] = [];
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      buf.length = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < nx && yy < ny) buf.push(src[yy * nx + xx]);
      }
      buf.sort((p, q) => p - q);
      out[y * nx + x] = buf[buf.length >> 1];
    }
  }
  return out;
}

export function estimateBackground(
  data: Float32Array, width: number, height: number, options: { tile?: number; noiseFloor?: number } = {},
): BackgroundMesh {
  const tile = options.tile ?? (Math.min(width, height) < 1000 ? 32 : 64);
  const nx = Math.max(1, Math.round(width / tile)), ny = Math.max(1, Math.round(height / tile));
  const level = new Float32Array(nx * ny), noise = new Float32Array(nx * ny);
  const samples = new Float32Array(700);
  for (let ty = 0; ty < ny; ty++) {
    const y0 = Math.floor((ty * height) / ny), y1 = Math.floor(((ty + 1) * height) / ny);
    for (let tx = 0; tx < nx; tx++) {
      const x0 = Math.floor((tx * width) / nx), x1 = Math.floor(((tx + 1) * width) / nx);
      const area = (x1 - x0) * (y1 - y0);
      const stride = Math.max(1, Math.ceil(Math.sqrt(area / 600)));
      let n = 0;
      for (let y = y0; y < y1 && n < samples.length; y += stride) {
        const row = y * width;
        for (let x = x0 + ((y / stride) & 1 ? stride >> 1 : 0); x < x1 && n < samples.length; x += stride) samples[n++] = data[row + x];
      }
      const s = clippedStats(samples.subarray(0, n));
      level[ty * nx + tx] = s.level;
      noise[ty * nx + tx] = s.sigma;
    }
  }
  const lf = median3x3(level, nx, ny);
  const nf = median3x3(noise, nx, ny);
  const floor = options.noiseFloor ?? 0;
  for (let i = 0; i < nf.length; i++) if (!(nf[i] >= floor)) nf[i] = floor;
  const sorted = Float32Array.from(nf).sort();
  return { tile, nx, ny, level: lf, noise: nf, globalNoise: sorted[sorted.length >> 1] };
}

/** Bilinear interpolation of a mesh quantity at every pixel (tile centres as nodes). */
export function interpolateMesh(mesh: BackgroundMesh, values: Float32Array, width: number, height: number): Float32Array {
  const { nx, ny } = mesh;
  const out = new Float32Array(width * height);
  const ix0 = new Int32Array(width), ix1 = new Int32Array(width), fx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const t = ((x + 0.5) * nx) / width - 0.5;
    const t0 = Math.max(0, Math.min(nx - 1, Math.floor(t)));
    ix0[x] = t0;
    ix1[x] = Math.min(nx - 1, t0 + 1);
    fx[x] = Math.max(0, Math.min(1, t - t0));
  }
  const row = new Float32Array(nx);
  for (let y = 0; y < height; y++) {
    const t = ((y + 0.5) * ny) / height - 0.5;
    const t0 = Math.max(0, Math.min(ny - 1, Math.floor(t)));
    const t1 = Math.min(ny - 1, t0 + 1);
    const fy = Math.max(0, Math.min(1, t - t0));
    const r0 = t0 * nx, r1 = t1 * nx, o = y * width;
    // bilinear = linear in y at the tile columns, then linear in x along the row
    for (let i = 0; i < nx; i++) row[i] = values[r0 + i] + (values[r1 + i] - values[r0 + i]) * fy;
    for (let x = 0; x < width; x++) {
      const a = row[ix0[x]];
      out[o + x] = a + (row[ix1[x]] - a) * fx[x];
    }
  }
  return out;
}
