/**
 * SIP distortion polynomials (Shupe et al. 2005): forward A/B on pixel
 * offsets from CRPIX, inverse AP/BP on the distorted ("intermediate pixel")
 * offsets. Coefficients are stored as `c[p][q]` for the term uᵖ·v^q.
 */
import { NormalEquations } from './lsq.ts';

export interface Sip {
  aOrder: number;
  bOrder: number;
  /** forward: u' = u + Σ a[p][q] uᵖ v^q */
  a: number[][];
  b: number[][];
  apOrder: number;
  bpOrder: number;
  /** inverse: u = u' + Σ ap[p][q] u'ᵖ v'^q */
  ap: number[][];
  bp: number[][];
}

/** An (order+1)×(order+1) zero coefficient matrix. */
export function zeroCoefficients(order: number): number[][] {
  return Array.from({ length: order + 1 }, () => new Array<number>(order + 1).fill(0));
}

/** Evaluates Σ c[p][q] uᵖ v^q over p+q ≤ order. */
export function evalPoly(c: number[][], order: number, u: number, v: number): number {
  let sum = 0;
  let up = 1;
  for (let p = 0; p <= order; p++) {
    let vq = 1;
    const row = c[p];
    for (let q = 0; q <= order - p; q++) {
      const k = row?.[q];
      if (k) sum += k * up * vq;
      vq *= v;
    }
    up *= u;
  }
  return sum;
}

/** Forward distortion: pixel offsets (u, v) → distorted offsets (u', v'). */
export function sipForward(sip: Sip, u: number, v: number): [number, number] {
  return [u + evalPoly(sip.a, sip.aOrder, u, v), v + evalPoly(sip.b, sip.bOrder, u, v)];
}

/** Inverse distortion: distorted offsets (u', v') → pixel offsets (u, v), using AP/BP. */
export function sipInverse(sip: Sip, up: number, vp: number): [number, number] {
  return [up + evalPoly(sip.ap, sip.apOrder, up, vp), vp + evalPoly(sip.bp, sip.bpOrder, up, vp)];
}

/** Monomial exponents (p, q) with minOrder ≤ p+q ≤ order. */
export function sipTerms(order: number, minOrder: number): [number, number][] {
  const t: [number, number][] = [];
  for (let p = 0; p <= order; p++) for (let q = 0; q <= order - p; q++) if (p + q >= minOrder) t.push([p, q]);
  return t;
}

/**
 * Fits polynomial corrections dz ≈ Σ c_pq xᵖ y^q (minOrder ≤ p+q ≤ order) by least
 * squares. Inputs are scaled internally for conditioning; coefficients are
 * returned for the unscaled variables. Returns null when under-determined.
 */
export function fitPolynomial2(
  xs: ArrayLike<number>, ys: ArrayLike<number>, dz: ArrayLike<number>[], order: number, minOrder: number,
): number[][][] | null {
  const terms = sipTerms(order, minOrder);
  const n = xs.length;
  if (n < terms.length + 2) return null;
  let s = 0;
  for (let i = 0; i < n; i++) s = Math.max(s, Math.abs(xs[i]), Math.abs(ys[i]));
  s = s || 1;
  const ne = new NormalEquations(terms.length, dz.length);
  const basis = new Float64Array(terms.length);
  const rhs = new Float64Array(dz.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i] / s, y = ys[i] / s;
    terms.forEach(([p, q], k) => { basis[k] = x ** p * y ** q; });
    for (let r = 0; r < dz.length; r++) rhs[r] = dz[r][i];
    ne.add(basis, rhs);
  }
  const sol = ne.solve();
  if (!sol) return null;
  return sol.map((coef) => {
    const c = zeroCoefficients(order);
    terms.forEach(([p, q], k) => { c[p][q] = coef[k] / s ** (p + q); });
    return c;
  });
}

/**
 * Fits the inverse polynomials AP/BP of a forward SIP on a grid covering the
 * image (plus a margin), as astrometry.net does. Order defaults to the forward
 * order + 1, which keeps the round trip well below 0.01 px for usual fields.
 */
export function fitInverseSip(
  sip: Pick<Sip, 'a' | 'b' | 'aOrder' | 'bOrder'>,
  crpix: [number, number], width: number, height: number, order?: number,
): Sip {
  const fwd = Math.max(sip.aOrder, sip.bOrder);
  const inv = Math.min(order ?? fwd + 1, 7);
  const n = 30;
  const us: number[] = [], vs: number[] = [], du: number[] = [], dv: number[] = [];
  const base: Sip = { ...sip, apOrder: 0, bpOrder: 0, ap: zeroCoefficients(0), bp: zeroCoefficients(0) };
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) {
      // 10 % margin outside the image so stars on the edge round-trip too.
      const p1 = 0.5 - 0.1 * width + (1.2 * width * i) / n;
      const p2 = 0.5 - 0.1 * height + (1.2 * height * j) / n;
      const u = p1 - crpix[0], v = p2 - crpix[1];
      const [uq, vq] = sipForward(base, u, v);
      us.push(uq); vs.push(vq); du.push(u - uq); dv.push(v - vq);
    }
  }
  const fit = fitPolynomial2(us, vs, [du, dv], inv, 0);
  if (!fit) throw new Error('cannot fit SIP inverse');
  return { ...base, apOrder: inv, bpOrder: inv, ap: fit[0], bp: fit[1] };
}
