/**
 * Shapes of the facts the built-in agents emit. Stitching reads these to build
 * the final image record; third-party agents may read them as earlier facts.
 * Every field that is unknown is `null` (never a guess).
 */
import type { FrameType } from './index.ts';

/** A header card as found in the file (FITS keyword, XISF FITSKeyword/Property, EXIF tag). */
export interface HeaderCard {
  key: string;
  value: string | number | boolean | null;
  comment?: string;
}

/** Facts of the `file` agent (stage `read`). */
export interface FileFacts {
  [key: string]: unknown;
  /** fits | xisf | tiff | raw | jpeg | png | webp | unknown */
  format: string;
  /** more precise container: "fits.gz", "fits.fz", "cr2", "nef"… */
  subformat: string | null;
  mimeType: string | null;
  sizeBytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  /** bits per sample as stored: 8, 16, 32, 64, -32 (float), -64 (double) */
  bitDepth: number | null;
  channels: number | null;
  /** true when the pixel data are linear (unstretched sensor data) */
  linear: boolean | null;
  frameType: FrameType;
  /** how the frame type was decided: header | name | folder | statistics | default */
  frameTypeSource: string;
  dates: { captured: string | null; created: string | null; modified: string | null };
  acquisition: Acquisition;
  /** every header card, in file order (FITS: primary HDU first) */
  headers: HeaderCard[];
  /** what a stack or master says about its subs; null for a single frame (absent: read by file agent < 3) */
  stack?: StackFacts | null;
}

/**
 * What a stack's file says about the subs it was made from (`file` fact
 * `stack`; conventions per program in agents/lib/formats/stackSources.ts).
 * The stitcher links the stack to catalogued subs from it.
 */
export interface StackFacts {
  [key: string]: unknown;
  /** pixinsight | siril | deepskystacker | astro-pixel-processor | astap | sharpcap | asiair | seestar | dwarf | unistellar | vaonis | null */
  program: string | null;
  /** number of subs, when the header (or failing that the file name, or the list of subs) says so */
  frames: number | null;
  /** where `frames` came from: the keyword, HISTORY text, "file name" or "history list" */
  framesFrom: string | null;
  /** exposure of one sub, seconds (never a total) */
  subExposureSeconds: number | null;
  /** the total exposure the header states, seconds */
  totalSeconds: number | null;
  /** a live stack: a total without a reliable count in the header */
  liveStack: boolean;
  /** start of the first sub, ISO 8601 UTC */
  firstAt: string | null;
  /** end of the last sub, ISO 8601 UTC (null when the header gives one date only) */
  lastAt: string | null;
  /** the cards the dates came from, e.g. "DATE-OBS … DATE-END" */
  datesFrom: string | null;
  /** the subs' file names or paths as the stack writes them (forward slashes), enabled rows only */
  subFiles: string[];
  /** where `subFiles` came from: "PixInsight:ProcessingHistory" or "HISTORY" */
  subFilesFrom: string | null;
}

export interface Acquisition {
  [key: string]: unknown;
  object: string | null;
  exposureSeconds: number | null;
  /** normalized: L, R, G, B, Ha, OIII, SII, Hb, NII, UV/IR-cut, dual-band names… */
  filter: string | null;
  /** the header's own filter text */
  filterRaw: string | null;
  gain: number | null;
  offset: number | null;
  sensorTempC: number | null;
  setTempC: number | null;
  binning: string | null;
  camera: string | null;
  telescope: string | null;
  mount: string | null;
  focalLengthMm: number | null;
  apertureMm: number | null;
  pixelSizeUm: number | null;
  bayerPattern: string | null;
  software: string | null;
  /** pointing hint in J2000 degrees (not a solution) */
  pointing: { ra: number; dec: number } | null;
  site: { latitude: number | null; longitude: number | null; elevationM: number | null } | null;
  /** number of subs combined, for stacks/masters */
  stackCount: number | null;
  /** total exposure in a stack (seconds), when the header says so */
  stackExposureSeconds: number | null;
}

/** Facts of the `preview` agent (stage `render`). Artifacts: `thumbnail`, `preview`. */
export interface PreviewFacts {
  [key: string]: unknown;
  stretched: boolean;
  debayered: boolean;
  previewWidth: number;
  previewHeight: number;
  /** statistics of the source data, normalized to 0..1 */
  median: number | null;
  mad: number | null;
}

/** Facts of the `platesolve` agent (stage `solve`). */
export interface SolveFacts {
  [key: string]: unknown;
  solved: boolean;
  /** why not, when unsolved */
  reason: string | null;
  solver: string | null;
  ra: number | null;
  dec: number | null;
  fieldWidthDeg: number | null;
  fieldHeightDeg: number | null;
  pixelScaleArcsec: number | null;
  rotationDeg: number | null;
  parity: 'normal' | 'flipped' | null;
  /** [ [ra, dec] ×4 ] at the pixel corners */
  corners: [number, number][] | null;
  /** FITS WCS cards of the solution, in stored-pixel convention */
  wcs: Record<string, string | number> | null;
  matchedStars: number | null;
  rmsArcsec: number | null;
  durationMs: number | null;
}

export interface FieldObject {
  [key: string]: unknown;
  /** catalog id: "M31", "NGC 7000", "IC 434", "Sh2-155"… */
  id: string;
  designations: string[];
  name: string | null;
  type: string | null;
  ra: number;
  dec: number;
  magnitude: number | null;
  /** major axis in arcminutes */
  sizeArcmin: number | null;
  /** pixel position of the centre (0-based, x right, y down as displayed) */
  x: number | null;
  y: number | null;
  /** ellipse radii in pixels and angle for the overlay */
  rx: number | null;
  ry: number | null;
  angleDeg: number | null;
  primary: boolean;
}

/** Facts of the `objects` agent (stage `identify`). */
export interface ObjectsFacts {
  [key: string]: unknown;
  objects: FieldObject[];
  primary: string | null;
  /** how the primary was chosen: header | center | none */
  primarySource: string | null;
  constellation: string | null;
  constellationName: string | null;
  /** every constellation the field touches */
  constellations: string[];
  hemisphere: 'north' | 'south' | null;
}

/** Facts of the `integration` agent (stage `aggregate`). */
export interface IntegrationFacts {
  [key: string]: unknown;
  totalSeconds: number | null;
  /** frames is null when the header gives a total but not the number of subs (SharpCap live stacks) */
  byFilter: { filter: string | null; seconds: number; frames: number | null }[];
  /** own-exposure | stack-header | history | subs */
  source: string | null;
}

/** Facts of the `description` agent (stage `describe`). */
export interface DescriptionFacts {
  [key: string]: unknown;
  object: string | null;
  title: string | null;
  text: string | null;
  source: string | null;
  url: string | null;
  license: string | null;
}
