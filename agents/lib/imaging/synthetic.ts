/**
 * Synthetic PixelImages for the preview tests and benchmarks: linear star
 * fields with sensor-like noise, colour casts and Bayer mosaics. Deterministic
 * (seeded), so a failing test fails the same way every time.
 */
import type { PixelImage } from '../formats/types.ts';

/** mulberry32: small, fast, seedable PRNG returning [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates (Box–Muller, both outputs used). */
export function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export interface Star {
  x: number;
  y: number;
  /** peak above background, 0..1 */
  amplitude: number;
  sigma: number;
}

export interface StarFieldOptions {
  width: number;
  height: number;
  /** background level per channel (one value per plane) */
  background?: number[];
  /** noise σ per plane */
  noise?: number;
  stars?: number;
  seed?: number;
  /** quantize to 16-bit steps like an integer FITS read by the readers */
  quantize16?: boolean;
  rowOrder?: PixelImage['rowOrder'];
}

/** Random stars, a few bright, most faint (amplitude ∝ 1/u²-ish), inside the frame. */
export function randomStars(width: number, height: number, count: number, seed = 1): Star[] {
  const rand = prng(seed);
  const stars: Star[] = [];
  for (let i = 0; i < count; i++) {
    const u = 0.05 + rand() * 0.95;
    stars.push({
      x: 8 + rand() * (width - 16),
      y: 8 + rand() * (height - 16),
      amplitude: Math.min(0.95, 0.01 / (u * u)),
      sigma: 1.2 + rand() * 1.5,
    });
  }
  return stars;
}

/** Adds Gaussian stars onto a plane (scaled by `gain`), touching only pixels within 4σ. */
export function drawStars(plane: Float32Array, width: number, height: number, stars: Star[], gain = 1): void {
  for (const s of stars) {
    const r = Math.ceil(4 * s.sigma);
    const k = -1 / (2 * s.sigma * s.sigma);
    for (let y = Math.max(0, Math.floor(s.y) - r); y <= Math.min(height - 1, Math.floor(s.y) + r); y++) {
      for (let x = Math.max(0, Math.floor(s.x) - r); x <= Math.min(width - 1, Math.floor(s.x) + r); x++) {
        const d2 = (x - s.x) ** 2 + (y - s.y) ** 2;
        plane[y * width + x]! += gain * s.amplitude * Math.exp(d2 * k);
      }
    }
  }
}

/** A linear star field: background + Gaussian noise + stars, one plane per background entry. */
export function starField(o: StarFieldOptions): { image: PixelImage; stars: Star[] } {
  const { width, height } = o;
  const backgrounds = o.background ?? [0.02];
  const noise = o.noise ?? 0.002;
  const stars = randomStars(width, height, o.stars ?? Math.round((width * height) / 4000), o.seed ?? 1);
  const normal = gaussian(prng((o.seed ?? 1) + 101));
  const planes = backgrounds.map((bg) => {
    const p = new Float32Array(width * height);
    for (let i = 0; i < p.length; i++) p[i] = bg + noise * normal();
    drawStars(p, width, height, stars);
    finish(p, o.quantize16 ?? true);
    return p;
  });
  return {
    image: {
      width,
      height,
      channels: planes.length,
      planes,
      rowOrder: o.rowOrder ?? 'top-down',
      bayerPattern: null,
      linear: true,
      binned: 1,
    },
    stars,
  };
}

function finish(p: Float32Array, quantize: boolean): void {
  for (let i = 0; i < p.length; i++) {
    let v = p[i]!;
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    p[i] = quantize ? Math.round(v * 65535) / 65535 : v;
  }
}

/**
 * A Bayer mosaic of a uniform colour (r, g, b) plus noise: each photosite
 * keeps only the channel the pattern puts there.
 */
export function uniformMosaic(
  width: number,
  height: number,
  pattern: string,
  rgb: [number, number, number],
  noise = 0,
  seed = 7,
): PixelImage {
  const normal = gaussian(prng(seed));
  const idx = [...pattern].map((c) => (c === 'R' ? 0 : c === 'G' ? 1 : 2));
  const p = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      p[y * width + x] = rgb[idx[(y & 1) * 2 + (x & 1)]!]! + noise * normal();
    }
  }
  finish(p, true);
  return { width, height, channels: 1, planes: [p], rowOrder: 'top-down', bayerPattern: pattern, linear: true, binned: 1 };
}
