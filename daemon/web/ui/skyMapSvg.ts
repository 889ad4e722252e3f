/**
 * The all-sky map as SVG paths: a Hammer–Aitoff projection of the celestial
 * sphere, RA increasing to the left (as the sky is seen), 0h in the middle.
 * Footprints that cross the map's edge (RA 12h) are cut in two; a footprint
 * around a celestial pole is closed over the pole.
 */
import { readD3Json } from '../../../agents/lib/sky/d3-data.ts';
import type { Footprint } from '../../services/SkyMapService.ts';

export const MAP_W = 1000;
export const MAP_H = 500;
const SX = MAP_W / (4 * Math.SQRT2) * 0.98;
const SY = MAP_H / (2 * Math.SQRT2) * 0.98;
const D = Math.PI / 180;

/** Map longitude (degrees, −180…180, positive to the left = east) and Dec → SVG x, y. */
export function project(lon: number, dec: number): [number, number] {
  const l = lon * D;
  const p = dec * D;
  const z = Math.sqrt(1 + Math.cos(p) * Math.cos(l / 2));
  const x = (2 * Math.SQRT2 * Math.cos(p) * Math.sin(l / 2)) / z;
  const y = (Math.SQRT2 * Math.sin(p)) / z;
  return [MAP_W / 2 - x * SX, MAP_H / 2 - y * SY];
}

/** RA (degrees) → map longitude around 0h: −180…180. */
export const lonOf = (ra: number): number => ((((ra + 180) % 360) + 360) % 360) - 180;

type Pt = [number, number];

/** Points along a polygon's edges (great-circle-ish in RA/Dec, fine for fields), RA unwrapped. */
function densify(corners: Pt[], perEdge: number): Pt[] {
  const out: Pt[] = [];
  let prevLon = lonOf(corners[0]![0]);
  const un: Pt[] = corners.map((c, i) => {
    let l = lonOf(c[0]);
    if (i > 0) {
      while (l - prevLon > 180) l -= 360;
      while (l - prevLon < -180) l += 360;
    }
    prevLon = l;
    return [l, c[1]];
  });
  for (let i = 0; i < un.length; i++) {
    const a = un[i]!;
    let b = un[(i + 1) % un.length]!;
    if (i === un.length - 1) {
      // closing edge: back to the first vertex, continuing the unwrapping
      let l = b[0];
      while (l - a[0] > 180) l -= 360;
      while (l - a[0] < -180) l += 360;
      b = [l, b[1]];
    }
    // a few degrees per step keep the curvature; small fields need none
    const n = Math.min(perEdge, Math.max(1, Math.ceil(Math.hypot((b[0] - a[0]) * Math.cos((a[1] * Math.PI) / 180), b[1] - a[1]) / 3)));
    for (let k = 0; k < n; k++) out.push([a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n]);
  }
  return out;
}

/** Sutherland–Hodgman against lon ≥ lo and lon ≤ hi. */
function clipLon(poly: Pt[], lo: number, hi: number): Pt[] {
  const clip = (pts: Pt[], inside: (p: Pt) => boolean, edge: number): Pt[] => {
    const out: Pt[] = [];
    for (let i = 0; i < pts.length; i++) {
      const cur = pts[i]!;
      const prev = pts[(i + pts.length - 1) % pts.length]!;
      const cin = inside(cur);
      const pin = inside(prev);
      if (cin !== pin) {
        const t = (edge - prev[0]) / (cur[0] - prev[0]);
        out.push([edge, prev[1] + t * (cur[1] - prev[1])]);
      }
      if (cin) out.push(cur);
    }
    return out;
  };
  return clip(clip(poly, (p) => p[0] >= lo, lo), (p) => p[0] <= hi, hi);
}

/** SVG path data of one footprint (one or two closed shapes). */
export function footprintPath(corners: number[][]): string {
  const pts = densify(corners.map((c) => [c[0]!, c[1]!] as Pt), 6);
  // the closing edge may end a full turn away: the footprint surrounds a pole
  const first = lonOf(corners[0]![0]);
  const last = pts.at(-1)!;
  let closing = first;
  while (closing - last[0] > 180) closing -= 360;
  while (closing - last[0] < -180) closing += 360;
  let poly = pts;
  if (Math.abs(closing - pts[0]![0]) > 180) {
    const pole = pts.reduce((a, p) => a + p[1], 0) > 0 ? 90 : -90;
    poly = [...pts, [closing, last[1]], [closing, pole], [pts[0]![0], pole]];
  }
  const lons = poly.map((p) => p[0]);
  const lo = Math.min(...lons);
  const hi = Math.max(...lons);
  // the common case: the footprint is inside the map, no cutting needed
  if (lo >= -180 && hi <= 180) return 'M' + poly.map((p) => project(p[0], p[1]).map((v) => v.toFixed(1)).join(' ')).join('L') + 'Z';
  const parts: string[] = [];
  for (const shift of [-360, 0, 360]) {
    if (hi + shift < -180 || lo + shift > 180) continue;
    const shifted = poly.map((p) => [p[0] + shift, p[1]] as Pt);
    const c = clipLon(shifted, -180, 180);
    if (c.length < 3) continue;
    parts.push('M' + c.map((p) => project(p[0], p[1]).map((v) => v.toFixed(1)).join(' ')).join('L') + 'Z');
  }
  return parts.join('');
}

/** The outline, graticule and labels (the same for every map: computed once). */
let grid: { outline: string; graticule: string; borders: string; labels: { x: number; y: number; text: string }[] } | null = null;

export function mapGrid() {
  if (grid) return grid;
  const line = (pts: Pt[]) => 'M' + pts.map((p) => project(p[0], p[1]).map((v) => v.toFixed(1)).join(' ')).join('L');
  const outline: Pt[] = [];
  for (let d = -90; d <= 90; d += 3) outline.push([180, d]);
  for (let d = 90; d >= -90; d -= 3) outline.push([-180, d]);
  const g: string[] = [];
  for (let lon = -150; lon <= 150; lon += 30) {
    const pts: Pt[] = [];
    for (let d = -90; d <= 90; d += 3) pts.push([lon, d]);
    g.push(line(pts));
  }
  for (let dec = -60; dec <= 60; dec += 30) {
    const pts: Pt[] = [];
    for (let l = -180; l <= 180; l += 3) pts.push([l, dec]);
    g.push(line(pts));
  }
  const labels: { x: number; y: number; text: string }[] = [];
  for (let h = 0; h < 24; h += 2) {
    if (h === 12) continue; // on the rim
    const [x, y] = project(lonOf(h * 15), 0);
    labels.push({ x, y: y + 12, text: `${h}h` });
  }
  for (const dec of [-60, -30, 30, 60]) {
    const [x, y] = project(0, dec);
    labels.push({ x: x + 4, y: y - 3, text: `${dec > 0 ? '+' : '−'}${Math.abs(dec)}°` });
  }
  // constellation borders (d3-celestial, longitudes already −180…180 around 0h)
  const b: string[] = [];
  try {
    const data = readD3Json<{ features: { geometry: { type: string; coordinates: number[][][] } }[] }>('constellations.borders.json');
    for (const f of data.features) {
      for (const ls of f.geometry.coordinates) {
        let seg: Pt[] = [];
        for (let i = 0; i < ls.length; i++) {
          const [ra, dec] = [ls[i]![0]!, ls[i]![1]!];
          const lon = lonOf(ra);
          if (seg.length) {
            const prev = seg.at(-1)!;
            if (Math.abs(lon - prev[0]) > 180) {
              if (seg.length > 1) b.push(line(seg));
              seg = [];
            } else {
              // densify long segments along parallels
              const steps = Math.ceil(Math.abs(lon - prev[0]) / 3);
              for (let k = 1; k < steps; k++) seg.push([prev[0] + ((lon - prev[0]) * k) / steps, prev[1] + ((dec - prev[1]) * k) / steps]);
            }
          }
          seg.push([lon, dec]);
        }
        if (seg.length > 1) b.push(line(seg));
      }
    }
  } catch {
    // the map is still useful without borders
  }
  grid = { outline: line(outline) + 'Z', graticule: g.join(''), borders: b.join(''), labels };
  return grid;
}

export interface SkyMapModel {
  width: number;
  height: number;
  outline: string;
  graticule: string;
  borders: string;
  labels: { x: number; y: number; text: string }[];
  footprints: { id: string; title: string; d: string }[];
}

export function skyMapModel(items: Footprint[]): SkyMapModel {
  const g = mapGrid();
  return {
    width: MAP_W,
    height: MAP_H,
    ...g,
    footprints: items.map((f) => ({ id: f.id, title: `${f.target ?? 'unknown target'} (RA ${(f.ra / 15).toFixed(2)}h, Dec ${f.dec.toFixed(1)}°)`, d: footprintPath(f.corners) })).filter((f) => f.d),
  };
}
