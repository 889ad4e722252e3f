/**
 * The sky grid of the star catalog: declination zones of 1°, each cut into
 * RA cells about 1° wide (fewer near the poles), so every cell covers roughly
 * one square degree. Deterministic from the zone height alone, so the file
 * only stores where each cell's stars start.
 */
const D2R = Math.PI / 180;

export class SkyCells {
  readonly zones: number;
  /** index of the first cell of each zone (length zones + 1) */
  readonly zoneStart: Uint32Array;
  readonly raCells: Uint32Array;

  constructor(readonly zoneDeg = 1) {
    this.zones = Math.round(180 / zoneDeg);
    this.zoneStart = new Uint32Array(this.zones + 1);
    this.raCells = new Uint32Array(this.zones);
    for (let z = 0; z < this.zones; z++) {
      const decMid = -90 + (z + 0.5) * zoneDeg;
      this.raCells[z] = Math.max(1, Math.ceil((360 * Math.cos(decMid * D2R)) / zoneDeg));
      this.zoneStart[z + 1] = this.zoneStart[z] + this.raCells[z];
    }
  }

  get count(): number {
    return this.zoneStart[this.zones];
  }

  zoneOf(dec: number): number {
    return Math.min(this.zones - 1, Math.max(0, Math.floor((dec + 90) / this.zoneDeg)));
  }

  cellOf(ra: number, dec: number): number {
    const z = this.zoneOf(dec);
    const n = this.raCells[z];
    const r = ((ra % 360) + 360) % 360;
    return this.zoneStart[z] + Math.min(n - 1, Math.floor((r / 360) * n));
  }

  /** Cells that may hold stars within `radius` degrees of (ra, dec). */
  cellsInCap(ra: number, dec: number, radius: number): number[] {
    const out: number[] = [];
    const z0 = this.zoneOf(dec - radius), z1 = this.zoneOf(dec + radius);
    const nearPole = Math.abs(dec) + radius >= 89.5;
    // Widest RA extent of a cap not containing a pole: asin(sin r / cos δ0).
    const half = nearPole || radius >= 90 ? 180 : Math.asin(Math.min(1, Math.sin(radius * D2R) / Math.cos(dec * D2R))) / D2R;
    for (let z = z0; z <= z1; z++) {
      const n = this.raCells[z];
      const start = this.zoneStart[z];
      if (half >= 180 || n === 1) {
        for (let k = 0; k < n; k++) out.push(start + k);
        continue;
      }
      const w = 360 / n;
      const lo = Math.floor((ra - half) / w), hi = Math.floor((ra + half) / w);
      if (hi - lo + 1 >= n) {
        for (let k = 0; k < n; k++) out.push(start + k);
        continue;
      }
      for (let k = lo; k <= hi; k++) out.push(start + (((k % n) + n) % n));
    }
    return out;
  }
}
