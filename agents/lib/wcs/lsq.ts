/**
 * Small dense linear least squares for the WCS and SIP fits: normal equations
 * solved by Gaussian elimination with partial pivoting (systems of ≤ ~30
 * unknowns, so the O(n³) solve is negligible next to building the sums).
 */

/** Solves A·x = b in place (A is n×n, row-major arrays). Returns null when singular. */
export function solveLinear(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (!(Math.abs(m[p][c]) > 1e-300)) return null;
    if (p !== c) [m[p], m[c]] = [m[c], m[p]];
    const piv = m[c][c];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / piv;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x.every(Number.isFinite) ? x : null;
}

/**
 * Accumulates normal equations for y ≈ Σ c_k · f_k(row) over rows; call
 * `add(basis, y)` per observation, then `solve()`. Supports several right-hand
 * sides sharing one design matrix (e.g. ξ and η).
 */
export class NormalEquations {
  readonly ata: number[][];
  readonly aty: number[][];
  constructor(readonly nParams: number, readonly nRhs = 1) {
    this.ata = Array.from({ length: nParams }, () => new Array<number>(nParams).fill(0));
    this.aty = Array.from({ length: nRhs }, () => new Array<number>(nParams).fill(0));
  }
  add(basis: ArrayLike<number>, ys: ArrayLike<number>, weight = 1): void {
    const n = this.nParams;
    for (let i = 0; i < n; i++) {
      const bi = basis[i] * weight;
      if (bi === 0) continue;
      const row = this.ata[i];
      for (let j = i; j < n; j++) row[j] += bi * basis[j];
      for (let r = 0; r < this.nRhs; r++) this.aty[r][i] += bi * ys[r];
    }
  }
  /** Solutions per right-hand side, or null when the system is singular. */
  solve(): number[][] | null {
    const n = this.nParams;
    const a = this.ata.map((row) => row.slice());
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i][j] = a[j][i];
    // Column scaling keeps polynomial terms of very different magnitude well conditioned.
    const s = a.map((row, i) => (row[i] > 0 ? 1 / Math.sqrt(row[i]) : 1));
    const as = a.map((row, i) => row.map((v, j) => v * s[i] * s[j]));
    const out: number[][] = [];
    for (let r = 0; r < this.nRhs; r++) {
      const x = solveLinear(as, this.aty[r].map((v, i) => v * s[i]));
      if (!x) return null;
      out.push(x.map((v, i) => v * s[i]));
    }
    return out;
  }
}
