/**
 * Synthetic star fields with known truth (star positions, Gaussian widths,
 * background, noise) and a minimal 16-bit FITS writer, for the tests.
 */

export interface StarFieldOptions {
  width: number;
  height: number;
  stars: number;
  /** Gaussian sigma along the major and minor axes, pixels */
  sigmaX: number;
  sigmaY?: number;
  angleDeg?: number;
  /** background level, 0..1 of full scale */
  background: number;
  /** linear background ramp from left to right edge, 0..1 */
  gradient?: number;
  /** noise sigma, 0..1 */
  noise: number;
  /** star amplitudes (above the background) are drawn from this range */
  peak?: [number, number];
  /** single bright pixels (hot pixels / cosmic-ray hits) */
  hotPixels?: number;
  /** stars whose core is clipped at full scale */
  saturatedStars?: number;
  seed?: number;
}

export interface StarField {
  data: Float32Array;
  width: number;
  height: number;
  stars: { x: number; y: number; amplitude: number }[];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function starField(o: StarFieldOptions): StarField {
  const rnd = mulberry32(o.seed ?? 1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const { width, height } = o;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = o.background + (o.gradient ?? 0) * (x / width) + o.noise * gauss();
  const sx = o.sigmaX;
  const sy = o.sigmaY ?? o.sigmaX;
  const th = ((o.angleDeg ?? 0) * Math.PI) / 180;
  const c = Math.cos(th);
  const s = Math.sin(th);
  const [lo, hi] = o.peak ?? [0.05, 0.4];
  const stars: StarField['stars'] = [];
  const minSep = 8 * Math.max(sx, sy);
  const margin = 6 * Math.max(sx, sy) + 4;
  const total = o.stars + (o.saturatedStars ?? 0);
  for (let tries = 0; stars.length < total && tries < total * 200; tries++) {
    const x = margin + rnd() * (width - 2 * margin);
    const y = margin + rnd() * (height - 2 * margin);
    if (stars.some((p) => Math.hypot(p.x - x, p.y - y) < minSep)) continue;
    const saturated = stars.length >= o.stars;
    stars.push({ x, y, amplitude: saturated ? 3 : lo * Math.pow(hi / lo, rnd()) });
  }
  const R = Math.ceil(6 * Math.max(sx, sy));
  for (const p of stars) {
    for (let y = Math.floor(p.y) - R; y <= Math.floor(p.y) + R; y++) {
      for (let x = Math.floor(p.x) - R; x <= Math.floor(p.x) + R; x++) {
        const dx = x - p.x;
        const dy = y - p.y;
        const u = c * dx + s * dy;
        const v = -s * dx + c * dy;
        data[y * width + x] += p.amplitude * Math.exp(-0.5 * ((u * u) / (sx * sx) + (v * v) / (sy * sy)));
      }
    }
  }
  for (let i = 0; i < (o.hotPixels ?? 0); i++) {
    const x = 5 + Math.floor(rnd() * (width - 10));
    const y = 5 + Math.floor(rnd() * (height - 10));
    data[y * width + x] = 0.9;
  }
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, data[i]!));
  return { data, width, height, stars: stars.slice(0, o.stars) };
}

/** Multiplies a mono field by per-colour gains in an RGGB mosaic (a one-shot-colour raw frame). */
export function mosaic(f: StarField, gains = { r: 0.6, g: 1, b: 0.8 }): StarField {
  const data = new Float32Array(f.data.length);
  for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) {
    const g = y % 2 === 0 ? (x % 2 === 0 ? gains.r : gains.g) : x % 2 === 0 ? gains.g : gains.b;
    data[y * f.width + x] = f.data[y * f.width + x]! * g;
  }
  return { ...f, data };
}

function card(key: string, value: string | number | boolean): string {
  const v = typeof value === 'string' ? `'${value.padEnd(8)}'`.padEnd(20) : typeof value === 'boolean' ? (value ? 'T' : 'F').padStart(20) : String(value).padStart(20);
  return `${key.padEnd(8)}= ${v}`.padEnd(80);
}

/** A 16-bit FITS file (BZERO 32768) of a 0..1 plane, row 0 first as FITS stores it. */
export function fits16(f: StarField, extra: Record<string, string | number | boolean> = {}): Uint8Array {
  const cards = [
    card('SIMPLE', true),
    card('BITPIX', 16),
    card('NAXIS', 2),
    card('NAXIS1', f.width),
    card('NAXIS2', f.height),
    card('BZERO', 32768),
    card('BSCALE', 1),
    ...Object.entries(extra).map(([k, v]) => card(k, v)),
    'END'.padEnd(80),
  ];
  const headerLen = Math.ceil((cards.length * 80) / 2880) * 2880;
  const dataLen = Math.ceil((f.data.length * 2) / 2880) * 2880;
  const out = new Uint8Array(headerLen + dataLen);
  out.fill(0x20, 0, headerLen);
  for (let i = 0; i < cards.length; i++) for (let j = 0; j < 80; j++) out[i * 80 + j] = cards[i]!.charCodeAt(j);
  const view = new DataView(out.buffer, headerLen);
  for (let i = 0; i < f.data.length; i++) view.setInt16(i * 2, Math.round(f.data[i]! * 65535) - 32768, false);
  return out;
}
