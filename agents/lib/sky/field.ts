/**
 * Which catalog objects a plate-solved image shows, and where, for lists and
 * overlays.
 *
 * Display convention of the returned positions: continuous pixel coordinates
 * of the picture as shown, origin at the top-left corner of the top-left
 * pixel, x to the right, y down; pixel (column i, row j from the top) covers
 * [i, i+1] × [j, j+1], so its centre is (i + 0.5, j + 0.5). Scale by
 * previewWidth / width to draw on a preview. From a FITS pixel (p₁, p₂) of the
 * solution: x = p₁ − 0.5 and, because FITS rows count from the bottom,
 * y = H − p₂ + 0.5 — unless the stored rows are shown top-down (FITS written
 * with ROWORDER = 'TOP-DOWN'), then y = p₂ − 0.5. Ellipse angles are measured
 * from +x towards +y (clockwise on screen, as SVG `rotate()`).
 */
import { angularSeparationDeg, type DsoEntry } from './dso.ts';
import { coneSearch, radiusDeg } from './spatial.ts';
import { pixelScaleArcsec, pixelToSky, skyToPixel, type Wcs } from '../wcs/wcs.ts';

export interface FieldHit {
  entry: DsoEntry;
  /** centre in display pixels (may lie outside the picture for objects that only overlap it) */
  x: number;
  y: number;
  /** ellipse radii in display pixels; null for objects without a size */
  rx: number | null;
  ry: number | null;
  /** ellipse angle (see module doc); null when the position angle is unknown (then rx = ry) */
  angleDeg: number | null;
  /** angular distance from the field centre, degrees */
  distanceDeg: number;
  /** true when the centre lies inside the picture */
  centreInside: boolean;
}

export interface FieldOptions {
  /** stored rows are displayed top-down (FITS ROWORDER = 'TOP-DOWN') */
  rowsTopDown?: boolean;
}

/** Display position of a FITS pixel (see module doc). */
export function fitsToDisplay(wcs: Wcs, p1: number, p2: number, options: FieldOptions = {}): [number, number] {
  return [p1 - 0.5, options.rowsTopDown ? p2 - 0.5 : wcs.height - p2 + 0.5];
}

/** Sky → display pixel, or null when behind the tangent plane. */
export function skyToDisplay(wcs: Wcs, ra: number, dec: number, options: FieldOptions = {}): [number, number] | null {
  const p = skyToPixel(wcs, ra, dec);
  return p ? fitsToDisplay(wcs, p[0], p[1], options) : null;
}

/** Centre of the picture and the radius (degrees) of the circle through its farthest corner. */
export function fieldCircle(wcs: Wcs): { ra: number; dec: number; radiusDeg: number } {
  const [ra, dec] = pixelToSky(wcs, (wcs.width + 1) / 2, (wcs.height + 1) / 2);
  let r = 0;
  for (const [p1, p2] of [[0.5, 0.5], [wcs.width + 0.5, 0.5], [0.5, wcs.height + 0.5], [wcs.width + 0.5, wcs.height + 0.5]] as const) {
    const [cra, cdec] = pixelToSky(wcs, p1, p2);
    r = Math.max(r, angularSeparationDeg(ra, dec, cra, cdec));
  }
  return { ra, dec, radiusDeg: r };
}

/** Sky corners of the picture in display order: top-left, top-right, bottom-right, bottom-left. */
export function displayCorners(wcs: Wcs, options: FieldOptions = {}): [number, number][] {
  const top = options.rowsTopDown ? 0.5 : wcs.height + 0.5;
  const bottom = options.rowsTopDown ? wcs.height + 0.5 : 0.5;
  return [
    pixelToSky(wcs, 0.5, top), pixelToSky(wcs, wcs.width + 0.5, top),
    pixelToSky(wcs, wcs.width + 0.5, bottom), pixelToSky(wcs, 0.5, bottom),
  ];
}

function overlapsRect(x: number, y: number, r: number, w: number, h: number): boolean {
  const dx = x < 0 ? -x : x > w ? x - w : 0;
  const dy = y < 0 ? -y : y > h ? y - h : 0;
  return dx * dx + dy * dy <= r * r;
}

/** Every catalog object whose extent overlaps the picture, nearest to the centre first. */
export function objectsInField(wcs: Wcs, options: FieldOptions = {}): FieldHit[] {
  const circle = fieldCircle(wcs);
  if (circle.radiusDeg > 60) return []; // TAN is meaningless this wide; nothing sensible to list
  const scale = pixelScaleArcsec(wcs) / 3600;
  const hits: FieldHit[] = [];
  for (const e of coneSearch(circle.ra, circle.dec, circle.radiusDeg)) {
    const pos = skyToDisplay(wcs, e.ra, e.dec, options);
    if (!pos) continue;
    const [x, y] = pos;
    const rDeg = radiusDeg(e);
    const rPix = rDeg / scale;
    if (!overlapsRect(x, y, rPix, wcs.width, wcs.height)) continue;
    let rx: number | null = null, ry: number | null = null, angleDeg: number | null = null;
    if (e.majorArcmin !== null) {
      rx = rPix;
      ry = rPix;
      if (e.angleDeg !== null && e.minorArcmin !== null) {
        // project a nearby point along the major axis: its direction and the local scale on the picture
        const d = scale * 20;
        const pa = (e.angleDeg * Math.PI) / 180;
        const tip = skyToDisplay(wcs, e.ra + (d * Math.sin(pa)) / Math.cos((e.dec * Math.PI) / 180), e.dec + d * Math.cos(pa), options);
        if (tip) {
          const len = Math.hypot(tip[0] - x, tip[1] - y);
          const k = len / d; // pixels per degree along that direction
          rx = rDeg * k;
          ry = (e.minorArcmin / 120) * k;
          angleDeg = (Math.atan2(tip[1] - y, tip[0] - x) * 180) / Math.PI;
        }
      }
    }
    hits.push({
      entry: e, x, y, rx, ry, angleDeg,
      distanceDeg: angularSeparationDeg(circle.ra, circle.dec, e.ra, e.dec),
      centreInside: x >= 0 && x <= wcs.width && y >= 0 && y <= wcs.height,
    });
  }
  hits.sort((a, b) => a.distanceDeg - b.distanceDeg);
  return hits;
}
