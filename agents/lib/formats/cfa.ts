/**
 * Binning of a one-shot-colour mosaic: averaging b×b blocks of a Bayer
 * mosaic would mix the colours into grey, so when a CFA image must shrink we
 * average each colour separately inside even-sized blocks (super-pixel
 * debayering) and return RGB. Memory: the three output planes plus a row of
 * sums per colour.
 */
import { AgentError } from '../../sdk/index.ts';
import { HARD_MAX_SAMPLES, newPlane, PlaneBinner, type RowSink } from './samples.ts';

const COLOUR: Record<string, number> = { R: 0, G: 1, B: 2 };

export class CfaBinner implements RowSink {
  readonly inputChannels = 1;
  readonly outWidth: number;
  readonly outHeight: number;
  readonly planes: Float32Array[];
  private readonly sums: Float64Array[];
  private readonly counts: Uint32Array[];
  /** colour index of (x even/odd, y even/odd): [y%2][x%2] */
  private readonly colour: number[][];

  constructor(
    readonly width: number,
    readonly height: number,
    pattern: string,
    /** block size, even */
    readonly bin: number,
    /** output planes in SharedArrayBuffers */
    shared = false,
  ) {
    if (bin % 2 !== 0 || bin < 2) throw new AgentError(`CFA binning needs an even block size, got ${bin}`);
    const p = pattern.toUpperCase();
    if (!/^(RGGB|BGGR|GRBG|GBRG)$/.test(p)) throw new AgentError(`unknown CFA pattern ${pattern}`);
    this.colour = [
      [COLOUR[p[0]!]!, COLOUR[p[1]!]!],
      [COLOUR[p[2]!]!, COLOUR[p[3]!]!],
    ];
    this.outWidth = Math.ceil(width / bin);
    this.outHeight = Math.ceil(height / bin);
    const n = this.outWidth * this.outHeight;
    if (n * 3 > HARD_MAX_SAMPLES) throw new AgentError(`image too large to decode (${width}×${height})`);
    this.planes = [newPlane(n, shared), newPlane(n, shared), newPlane(n, shared)];
    this.sums = [0, 1, 2].map(() => new Float64Array(this.outWidth));
    this.counts = [0, 1, 2].map(() => new Uint32Array(this.outWidth));
  }

  addRow(_c: number, y: number, row: ArrayLike<number>): void {
    const b = this.bin;
    const cy = this.colour[y & 1]!;
    for (let x = 0; x < this.width; x++) {
      const v = row[x]!;
      if (v !== v) continue;
      const k = cy[x & 1]!;
      const ox = (x / b) | 0;
      this.sums[k]![ox]! += v;
      this.counts[k]![ox]!++;
    }
    if (y % b === b - 1 || y === this.height - 1) {
      const base = ((y / b) | 0) * this.outWidth;
      for (let k = 0; k < 3; k++) {
        const s = this.sums[k]!;
        const c = this.counts[k]!;
        const plane = this.planes[k]!;
        for (let ox = 0; ox < this.outWidth; ox++) plane[base + ox] = c[ox]! > 0 ? s[ox]! / c[ox]! : NaN;
        s.fill(0);
        c.fill(0);
      }
    }
  }
}

/**
 * The row sink for an image of `channels` planes: a CfaBinner (RGB out) when
 * a single-plane mosaic with a known pattern has to shrink, else a PlaneBinner.
 * Returns the sink and the CFA pattern that still applies to its output.
 * `shared`: output planes in SharedArrayBuffers.
 */
export function makeSink(width: number, height: number, channels: number, bin: number, pattern: string | null, shared = false): { sink: RowSink; bayerPattern: string | null } {
  if (channels === 1 && pattern && bin > 1) {
    return { sink: new CfaBinner(width, height, pattern, bin + (bin % 2), shared), bayerPattern: null };
  }
  return { sink: new PlaneBinner(width, height, channels, bin, shared), bayerPattern: channels === 1 ? pattern : null };
}
