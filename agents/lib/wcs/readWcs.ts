/**
 * Reads a celestial WCS from header cards in every common encoding:
 * CD, PC+CDELT, CDELT+CROTA2, CDELT alone, and PixInsight's
 * `PCL:AstrometricSolution:*` XISF properties. Incomplete WCS (SGP-style
 * CTYPE/CRVAL/CRPIX without a scale) are reported as hints, never solutions.
 */
import type { HeaderCard } from '../../sdk/facts.ts';
import { fitInverseSip, zeroCoefficients, type Sip } from './sip.ts';
import { cdDeterminant, wcsProblem, type Wcs } from './wcs.ts';
import { normalizeRa } from './tan.ts';

/** How the linear part was encoded in the header. */
export type WcsForm = 'cd' | 'pc' | 'cdelt-crota' | 'cdelt' | 'xisf';

export type WcsReadResult =
  | { ok: true; wcs: Wcs; form: WcsForm; provenance: string; projection: 'TAN' | 'TAN-SIP' | 'TPV' }
  | { ok: false; reason: string; hint: { ra: number; dec: number } | null };

export interface ReadWcsOptions {
  /** image size in stored pixels; otherwise IMAGEW/IMAGEH or NAXIS1/NAXIS2 */
  width?: number;
  height?: number;
}

const PCL = 'PCL:AstrometricSolution:';

/** Reads and sanity-checks the WCS in `cards`. */
export function readWcs(cards: readonly HeaderCard[], options: ReadWcsOptions = {}): WcsReadResult {
  const map = new Map<string, HeaderCard['value'] | unknown>();
  for (const c of cards) if (!map.has(c.key.toUpperCase())) map.set(c.key.toUpperCase(), c.value);
  const num = (k: string): number | null => toNumber(map.get(k));
  const width = options.width ?? num('IMAGEW') ?? num('NAXIS1') ?? 0;
  const height = options.height ?? num('IMAGEH') ?? num('NAXIS2') ?? 0;

  const xisf = readPixInsight(map, width, height);
  if (xisf) return xisf;
  return readFitsWcs(map, cards, width, height);
}

function readFitsWcs(
  map: Map<string, unknown>, cards: readonly HeaderCard[], width: number, height: number,
): WcsReadResult {
  const num = (k: string): number | null => toNumber(map.get(k));
  const str = (k: string): string => String(map.get(k) ?? '').trim().toUpperCase();
  const crval1 = num('CRVAL1'), crval2 = num('CRVAL2');
  const hint = crval1 !== null && crval2 !== null && !(crval1 === 0 && crval2 === 0) && Math.abs(crval2) <= 90
    ? { ra: normalizeRa(crval1), dec: crval2 } : null;
  const ct1 = str('CTYPE1'), ct2 = str('CTYPE2');
  if (!ct1 && !ct2 && crval1 === null) return { ok: false, reason: 'no WCS in header', hint: null };
  if (!ct1.startsWith('RA--') || !ct2.startsWith('DEC-')) {
    return { ok: false, reason: `unsupported celestial axes CTYPE1='${ct1}' CTYPE2='${ct2}'`, hint };
  }
  const proj1 = ct1.slice(5), proj2 = ct2.slice(5);
  if (proj1 !== proj2 || !['TAN', 'TAN-SIP', 'TPV'].includes(proj1)) {
    return { ok: false, reason: `unsupported projection '${proj1}'`, hint };
  }
  const radesys = str('RADESYS') || str('RADECSYS');
  const equinox = num('EQUINOX') ?? num('EPOCH');
  if (radesys === 'FK4' || (equinox !== null && Math.abs(equinox - 1950) < 1)) {
    return { ok: false, reason: 'B1950/FK4 WCS is not supported', hint: null };
  }
  const crpix1 = num('CRPIX1'), crpix2 = num('CRPIX2');
  if (crval1 === null || crval2 === null || crpix1 === null || crpix2 === null) {
    return { ok: false, reason: 'incomplete WCS (CRVAL/CRPIX missing): hint only', hint };
  }
  const lin = readLinear(num);
  if (!lin) return { ok: false, reason: 'incomplete WCS (no CD or CDELT): hint only', hint };

  let sip: Sip | null = null;
  if (proj1 === 'TAN-SIP') {
    try {
      sip = readSip(num, [crpix1, crpix2], width, height);
    } catch (e) {
      return { ok: false, reason: `unusable SIP distortion: ${(e as Error).message}`, hint };
    }
  }
  const wcs: Wcs = { crval: [normalizeRa(crval1), crval2], crpix: [crpix1, crpix2], cd: lin.cd, sip, width, height };
  const problem = wcsProblem(wcs);
  if (problem) return { ok: false, reason: `implausible WCS: ${problem}`, hint };
  return { ok: true, wcs, form: lin.form, provenance: provenanceOf(map, cards), projection: proj1 as 'TAN' };
}

/**
 * A TAN solution from a card record ({ KEY: value }, e.g. the solve facts'
 * `wcs`, or a header's cards), read leniently for drawing and identifying
 * objects: CTYPE may be missing (TAN assumed, any TAN variant accepted),
 * IMAGEW/IMAGEH or NAXIS1/2 win over `size`, and no plausibility limits apply
 * (those are {@link readWcs}'s job for solutions we store). SIP distortion
 * when A_ORDER/B_ORDER are given (an unusable one is left out). Null when
 * incomplete or degenerate.
 */
export function wcsFromRecord(
  record: Record<string, unknown> | null | undefined, size?: { width?: number | null; height?: number | null },
): Wcs | null {
  if (!record) return null;
  const map = new Map<string, unknown>();
  for (const [k, v] of Object.entries(record)) if (!map.has(k.toUpperCase())) map.set(k.toUpperCase(), v);
  const num = (k: string): number | null => toNumber(map.get(k));
  const crval1 = num('CRVAL1'), crval2 = num('CRVAL2');
  const crpix1 = num('CRPIX1'), crpix2 = num('CRPIX2');
  const lin = readLinear(num);
  const width = num('IMAGEW') ?? num('NAXIS1') ?? size?.width ?? null;
  const height = num('IMAGEH') ?? num('NAXIS2') ?? size?.height ?? null;
  if (crval1 === null || crval2 === null || crpix1 === null || crpix2 === null || !lin || !width || !height) return null;
  const det = cdDeterminant(lin.cd);
  if (!Number.isFinite(det) || det === 0) return null;
  if (!/TAN/.test(String(map.get('CTYPE1') ?? 'RA---TAN'))) return null;
  let sip: Sip | null = null;
  if (num('A_ORDER') !== null && num('B_ORDER') !== null) {
    try {
      sip = readSip(num, [crpix1, crpix2], width, height);
    } catch {
      sip = null;
    }
  }
  return { crval: [normalizeRa(crval1), crval2], crpix: [crpix1, crpix2], cd: lin.cd, sip, width, height };
}

function readLinear(num: (k: string) => number | null): { cd: Wcs['cd']; form: WcsForm } | null {
  const cdk = ['CD1_1', 'CD1_2', 'CD2_1', 'CD2_2'].map(num);
  if (cdk.some((v) => v !== null)) {
    return { cd: cdk.map((v) => v ?? 0) as Wcs['cd'], form: 'cd' };
  }
  const cdelt1 = num('CDELT1'), cdelt2 = num('CDELT2');
  if (cdelt1 === null || cdelt2 === null || cdelt1 === 0 || cdelt2 === 0) return null;
  const pck = ['PC1_1', 'PC1_2', 'PC2_1', 'PC2_2'].map((k) => num(k) ?? num(k.replace('_', '00')));
  if (pck.some((v) => v !== null)) {
    const pc = [pck[0] ?? 1, pck[1] ?? 0, pck[2] ?? 0, pck[3] ?? 1];
    return { cd: [cdelt1 * pc[0], cdelt1 * pc[1], cdelt2 * pc[2], cdelt2 * pc[3]], form: 'pc' };
  }
  const crota = num('CROTA2') ?? num('CROTA1');
  if (crota !== null) {
    const r = (crota * Math.PI) / 180;
    const c = Math.cos(r), s = Math.sin(r);
    return { cd: [cdelt1 * c, -cdelt2 * s, cdelt1 * s, cdelt2 * c], form: 'cdelt-crota' };
  }
  return { cd: [cdelt1, 0, 0, cdelt2], form: 'cdelt' };
}

function readSip(num: (k: string) => number | null, crpix: [number, number], width: number, height: number): Sip {
  const aOrder = num('A_ORDER'), bOrder = num('B_ORDER');
  if (aOrder === null || bOrder === null) throw new Error('A_ORDER/B_ORDER missing');
  if (aOrder < 0 || aOrder > 9 || bOrder < 0 || bOrder > 9) throw new Error('SIP order out of range');
  const coeffs = (prefix: string, order: number): number[][] => {
    const c = zeroCoefficients(order);
    for (let p = 0; p <= order; p++) for (let q = 0; q <= order - p; q++) c[p][q] = num(`${prefix}_${p}_${q}`) ?? 0;
    return c;
  };
  const a = coeffs('A', aOrder), b = coeffs('B', bOrder);
  const apOrder = num('AP_ORDER'), bpOrder = num('BP_ORDER');
  if (apOrder !== null && bpOrder !== null && apOrder >= 0 && apOrder <= 9 && bpOrder >= 0 && bpOrder <= 9) {
    return { aOrder, bOrder, a, b, apOrder, bpOrder, ap: coeffs('AP', apOrder), bp: coeffs('BP', bpOrder) };
  }
  // No inverse in the header: fit one over the image (or a generous area around CRPIX).
  const w = width > 0 ? width : Math.max(2 * Math.abs(crpix[0]), 100);
  const h = height > 0 ? height : Math.max(2 * Math.abs(crpix[1]), 100);
  return fitInverseSip({ aOrder, bOrder, a, b }, crpix, w, h);
}

/**
 * PixInsight astrometric solution properties (PCL AstrometricMetadata): image
 * coordinates are 0-based with y down, so p₁ = x + 0.5 and p₂ = H + 0.5 − y, and
 * the second column of the linear matrix changes sign.
 */
function readPixInsight(map: Map<string, unknown>, width: number, height: number): WcsReadResult | null {
  const keyOf = (name: string): string | undefined =>
    [...map.keys()].find((k) => k === (PCL + name).toUpperCase() || k.endsWith(':' + name.toUpperCase()) && k.startsWith('PCL:'));
  const refCel = keyOf('ReferenceCelestialCoordinates');
  const refImg = keyOf('ReferenceImageCoordinates');
  const matrix = keyOf('LinearTransformationMatrix');
  if (!refCel && !refImg && !matrix) return null;
  const proj = keyOf('ProjectionSystem');
  const projName = proj ? String(map.get(proj) ?? '').trim().toLowerCase() : 'gnomonic';
  const cel = refCel ? toNumbers(map.get(refCel)) : null;
  const hint = cel && cel.length >= 2 && Math.abs(cel[1]) <= 90 ? { ra: normalizeRa(cel[0]), dec: cel[1] } : null;
  if (projName !== 'gnomonic' && projName !== 'tan') {
    return { ok: false, reason: `unsupported PixInsight projection '${projName}'`, hint };
  }
  const img = refImg ? toNumbers(map.get(refImg)) : null;
  const m = matrix ? toNumbers(map.get(matrix)) : null;
  if (!cel || cel.length < 2 || !img || img.length < 2 || !m || m.length < 4) {
    return { ok: false, reason: 'incomplete PixInsight astrometric solution: hint only', hint };
  }
  if (!(height > 0)) return { ok: false, reason: 'PixInsight solution needs the image height', hint };
  // A 2×3 affine matrix (with translation column) is accepted too: take its linear part.
  const [m00, m01, m10, m11] = m.length >= 6 ? [m[0], m[1], m[3], m[4]] : m;
  const wcs: Wcs = {
    crval: [normalizeRa(cel[0]), cel[1]],
    crpix: [img[0] + 0.5, height + 0.5 - img[1]],
    cd: [m00, -m01, m10, -m11],
    sip: null,
    width,
    height,
  };
  const problem = wcsProblem(wcs);
  if (problem) return { ok: false, reason: `implausible WCS: ${problem}`, hint };
  return { ok: true, wcs, form: 'xisf', provenance: 'pixinsight', projection: 'TAN' };
}

function provenanceOf(map: Map<string, unknown>, cards: readonly HeaderCard[]): string {
  if (map.get('PLTSOLVD') === true || String(map.get('PLTSOLVD')).toUpperCase() === 'T') return 'astap';
  const text = cards
    .filter((c) => c.key === 'HISTORY' || c.key === 'COMMENT')
    .map((c) => `${c.value ?? ''} ${c.comment ?? ''}`)
    .join(' ')
    .toLowerCase();
  if (text.includes('astrometry.net')) return 'astrometry.net';
  if (text.includes('pixinsight')) return 'pixinsight';
  if (text.includes('astap')) return 'astap';
  return 'header';
}

/** A card value as a finite number (numbers, numeric strings), else null. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim().replace(/[dD]/, 'E'));
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/**
 * A numeric vector/matrix property value: an array (possibly nested), a typed
 * array, or a string such as "1 2", "[1, 2]", "{1,2}", "[[a,b],[c,d]]".
 */
export function toNumbers(v: unknown): number[] | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return (v.flat(3) as unknown[]).map(Number);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, Number);
  if (typeof v === 'number') return [v];
  if (typeof v === 'string') {
    const parts = v.match(/[-+]?(\d+\.?\d*|\.\d+)([eEdD][-+]?\d+)?/g);
    return parts ? parts.map((p) => Number(p.replace(/[dD]/, 'E'))) : null;
  }
  return null;
}
