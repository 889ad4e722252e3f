/**
 * Similarity transforms (scale, rotation, translation, optional mirror) from
 * image offsets (u, v) to tangent-plane coordinates (ξ, η):
 *   normal:   ξ = a·u − b·v + c,  η = b·u + a·v + d
 *   mirrored: ξ = a·u + b·v + c,  η = b·u − a·v + d
 * Four parameters cannot degenerate the way a free affine fit of 4 points can.
 */
export interface Similarity {
  a: number;
  b: number;
  c: number;
  d: number;
  mirrored: boolean;
}

export function applySimilarity(t: Similarity, u: number, v: number): [number, number] {
  return t.mirrored
    ? [t.a * u + t.b * v + t.c, t.b * u - t.a * v + t.d]
    : [t.a * u - t.b * v + t.c, t.b * u + t.a * v + t.d];
}

/** Inverse map (ξ, η) → (u, v). */
export function invertSimilarity(t: Similarity, xi: number, eta: number): [number, number] {
  const x = xi - t.c, y = eta - t.d;
  const s2 = t.a * t.a + t.b * t.b;
  return t.mirrored
    ? [(t.a * x + t.b * y) / s2, (t.b * x - t.a * y) / s2]
    : [(t.a * x + t.b * y) / s2, (-t.b * x + t.a * y) / s2];
}

export function similarityScale(t: Similarity): number {
  return Math.hypot(t.a, t.b);
}

/**
 * Least-squares similarity of the given parity. Returns the transform and the
 * RMS residual in (ξ, η) units, or null for fewer than 2 distinct points.
 */
export function fitSimilarity(
  u: ArrayLike<number>, v: ArrayLike<number>, xi: ArrayLike<number>, eta: ArrayLike<number>, mirrored: boolean,
  n = u.length,
): { t: Similarity; rms: number } | null {
  if (n < 2) return null;
  let mu = 0, mv = 0, mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mu += u[i]; mv += v[i]; mx += xi[i]; my += eta[i]; }
  mu /= n; mv /= n; mx /= n; my /= n;
  // For the mirrored case substitute v → −v, which turns it into the normal case.
  const sgn = mirrored ? -1 : 1;
  let suu = 0, sa = 0, sb = 0;
  for (let i = 0; i < n; i++) {
    const du = u[i] - mu, dv = sgn * (v[i] - mv), dx = xi[i] - mx, dy = eta[i] - my;
    suu += du * du + dv * dv;
    sa += du * dx + dv * dy;
    sb += du * dy - dv * dx;
  }
  if (!(suu > 0)) return null;
  const a = sa / suu, b = sb / suu;
  const c = mx - (a * mu - b * sgn * mv);
  const d = my - (b * mu + a * sgn * mv);
  const t: Similarity = { a, b, c, d, mirrored };
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = applySimilarity(t, u[i], v[i]);
    ss += (x - xi[i]) ** 2 + (y - eta[i]) ** 2;
  }
  return { t, rms: Math.sqrt(ss / n) };
}
