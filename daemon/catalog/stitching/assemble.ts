/**
 * Stitching, the pure part: from the file record, the facts every agent
 * emitted, and the user's edits, build the final image row (typed, searchable
 * columns) and its record (typed by record.ts). Deterministic: the same inputs give the same
 * output, so a hash tells whether anything needs writing.
 */
import { CALIBRATION_FRAME_TYPES, FRAME_TYPES, type FrameType } from '../../../agents/sdk/index.ts';
import type { Acquisition, DescriptionFacts, FileFacts, IntegrationFacts, ObjectsFacts, SolveFacts } from '../../../agents/sdk/facts.ts';
import type { ResultRow } from '../../db/results.ts';
import { facetKeys, searchWords } from '../../db/images.ts';
import type { EquipmentRef, StitchWrite } from '../../db/stitch.ts';
import type { ImageColumns } from '../../db/imageColumns.ts';
import type { AssembledRecord, FieldObject } from './record.ts';
import { unmappedKeywords } from '../../../agents/lib/formats/keywords.ts';

export interface StitchInput {
  id: string;
  provider: string;
  storageKey: string;
  sizeBytes: number;
  modifiedAt: string | null;
  createdAt: string;
  results: ResultRow[];
  edits: Record<string, unknown> | null;
  derived: string[];
}

export type { EquipmentRef };

export interface StitchedImage extends StitchWrite {
  columns: ImageColumns & { frame_type: FrameType };
  /** the record, without the parts that depend on other rows (equipment, calibration) */
  record: AssembledRecord;
  /** header values to map to the equipment register */
  equipmentHints: { type: string; value: string }[];
  /** equipment ids the user set explicitly (win over the hints) */
  equipmentOverride: string[] | null;
}

type AnyFacts = Record<string, unknown>;

function factsOf<T>(results: ResultRow[], agent: string): T | null {
  const rows = results.filter((r) => r.agent === agent && r.status === 'done' && r.facts);
  if (!rows.length) return null;
  return Object.assign({}, ...rows.map((r) => r.facts)) as T;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** Where the location and objects come from (API.md): a plate solution, the header's pointing, or the named target's catalog position. */
function locationSource(positionSource: unknown): 'plate-solution' | 'header' | 'target' | null {
  if (positionSource === 'solution') return 'plate-solution';
  if (positionSource === 'pointing') return 'header';
  if (positionSource === 'object') return 'target';
  return null;
}

/**
 * The plate solve's outcome for the record: solved, not solved (with the
 * solver's reason), pending (no result yet), failed, or not run (skipped, e.g. calibration frames).
 */
function plateSolveStatus(results: ResultRow[], solve: SolveFacts | null): { state: 'solved' | 'unsolved' | 'pending' | 'failed' | 'not-run'; reason: string | null } {
  const row = results.find((r) => r.agent === 'platesolve');
  if (solve?.solved) return { state: 'solved', reason: null };
  // platesolve writes unsolvedReason as { code, message } (a plain string is accepted too)
  if (row?.status === 'done' && solve) return { state: 'unsolved', reason: str(solve.unsolvedReason) ?? str((solve.unsolvedReason as { message?: unknown } | null)?.message) ?? str(solve.reason) };
  if (row?.status === 'failed') return { state: 'failed', reason: str(row.error) };
  if (!row) return { state: 'pending', reason: null };
  return { state: 'not-run', reason: null };
}

/** The solver names of the public record (API.md): wcs-header | builtin | astrometry.net. */
export function publicSolverName(solver: string | null): string | null {
  if (!solver) return null;
  if (/^(header|wcs-header)/.test(solver)) return 'wcs-header';
  if (/^(sidereal|builtin)/.test(solver)) return 'builtin';
  if (/astrometry|solve-field|nova/.test(solver)) return 'astrometry.net';
  return solver;
}

export function isCalibration(t: string): boolean {
  return (CALIBRATION_FRAME_TYPES as readonly string[]).includes(t);
}

/** dark | flat | bias | darkflat for calibration frames and for masters of them, else null */
export function calibrationKind(frameType: string, file: FileFacts | null, path = ''): string | null {
  if (isCalibration(frameType)) return frameType;
  if (frameType !== 'master') return null;
  const imagetyp = file?.headers?.find((c) => ['IMAGETYP', 'FRAME', 'FRAMETYP'].includes(c.key.toUpperCase()))?.value;
  const text = `${typeof imagetyp === 'string' ? imagetyp : ''} ${file?.acquisition?.object ?? ''} ${path.split('/').pop() ?? ''}`.toLowerCase();
  if (/dark\s*-?\s*flat|flat\s*-?\s*dark/.test(text)) return 'darkflat';
  if (/dark/.test(text)) return 'dark';
  if (/flat/.test(text)) return 'flat';
  if (/bias|offset/.test(text)) return 'bias';
  return null;
}

export function assembleImage(input: StitchInput): StitchedImage {
  const { results } = input;
  const edits = (input.edits ?? {}) as AnyFacts;
  const file = factsOf<FileFacts>(results, 'file');
  const solve = factsOf<SolveFacts>(results, 'platesolve');
  const objects = factsOf<ObjectsFacts>(results, 'objects');
  const integration = factsOf<IntegrationFacts>(results, 'integration');
  const description = factsOf<DescriptionFacts>(results, 'description');
  const acq: Partial<Acquisition> = { ...(file?.acquisition ?? {}) };
  // user corrections of acquisition fields win
  const acqEdits = (edits.acquisition ?? {}) as AnyFacts;
  for (const [k, v] of Object.entries(acqEdits)) (acq as AnyFacts)[k] = v;

  const editedFrame = str(edits.frameType);
  const frameType: FrameType = (editedFrame && (FRAME_TYPES as readonly string[]).includes(editedFrame) ? editedFrame : file?.frameType ?? 'light') as FrameType;
  const solved = !!solve?.solved;
  const calibKind = calibrationKind(frameType, file, input.storageKey);

  const objectList = (objects?.objects ?? []).map((o) => ({
    id: o.id,
    designations: o.designations ?? [],
    name: o.name ?? null,
    type: o.type ?? null,
    primary: !!o.primary,
    ra: o.ra,
    dec: o.dec,
    magnitude: o.magnitude ?? null,
    sizeArcmin: o.sizeArcmin ?? null,
    x: o.x ?? null,
    y: o.y ?? null,
    rx: o.rx ?? null,
    ry: o.ry ?? null,
    angleDeg: o.angleDeg ?? null,
    // the objects agent's own words (plate-solution | header | user | target)
    source: str(o.source) as FieldObject['source'],
  }));
  const targetId = str(edits.target) ?? objects?.primary ?? null;
  const byFilter = (integration?.byFilter ?? [])
    .filter((f) => Number.isFinite(f.seconds))
    .map((f) => ({ filter: f.filter ?? 'none', seconds: f.seconds, frames: f.frames }))
    .sort((a, b) => a.filter.localeCompare(b.filter));
  const totalSeconds = num(integration?.totalSeconds);

  const failed = results.filter((r) => r.status === 'failed');
  const agents = [...results]
    .sort((a, b) => a.agent.localeCompare(b.agent) || a.stage.localeCompare(b.stage))
    .map((r) => ({
      name: r.agent,
      stage: r.stage,
      version: r.agent_version,
      status: r.status,
      error: r.status === 'done' ? null : r.error,
      warnings: (r.warnings as string[] | null) ?? [],
      finishedAt: r.finished_at,
      durationMs: r.duration_ms,
      attempts: r.attempts,
      nextAttemptAt: r.status === 'failed' ? r.next_attempt_at : null,
    }));
  const pending = failed.filter((r) => r.next_attempt_at !== null).length;

  const captured = str(edits.captured) ?? file?.dates?.captured ?? null;
  const location = {
    constellation: objects?.constellation ?? null,
    constellationName: objects?.constellationName ?? null,
    constellations: objects?.constellations ?? [],
    hemisphere: objects?.hemisphere ?? null,
    source: locationSource(objects?.positionSource),
  };
  const astrometryStatus = plateSolveStatus(results, solve);
  const astrometry = solved
    ? {
        ra: solve!.ra,
        dec: solve!.dec,
        fieldWidthDeg: solve!.fieldWidthDeg,
        fieldHeightDeg: solve!.fieldHeightDeg,
        pixelScaleArcsec: solve!.pixelScaleArcsec,
        rotationDeg: solve!.rotationDeg,
        parity: solve!.parity,
        solver: publicSolverName(solve!.solver),
        solverDetail: solve!.solver,
        corners: solve!.corners,
        matchedStars: solve!.matchedStars,
        rmsArcsec: solve!.rmsArcsec,
        durationMs: solve!.durationMs,
        wcs: solve!.wcs,
      }
    : null;

  // facts of third-party (and any non-core) agents, under their names
  const core = new Set(['file', 'preview', 'platesolve', 'objects', 'integration', 'description']);
  const extra: Record<string, unknown> = {};
  for (const r of results) if (!core.has(r.agent) && r.status === 'done' && r.facts) extra[r.agent] = { ...((extra[r.agent] as object) ?? {}), ...(r.facts as object) };

  const record: AssembledRecord = {
    id: input.id,
    source: input.provider,
    path: input.storageKey,
    fileName: input.storageKey.split('/').pop() ?? input.storageKey,
    format: file?.format ?? null,
    subformat: file?.subformat ?? null,
    sizeBytes: file?.sizeBytes ?? input.sizeBytes,
    sha256: file?.sha256 ?? null,
    width: file?.width ?? null,
    height: file?.height ?? null,
    bitDepth: file?.bitDepth ?? null,
    channels: file?.channels ?? null,
    frameType,
    dates: { captured, created: input.createdAt, modified: file?.dates?.modified ?? input.modifiedAt },
    acquisition: {
      object: acq.object ?? null,
      exposureSeconds: acq.exposureSeconds ?? null,
      filter: acq.filter ?? null,
      gain: acq.gain ?? null,
      offset: acq.offset ?? null,
      sensorTempC: acq.sensorTempC ?? null,
      binning: acq.binning ?? null,
      camera: acq.camera ?? null,
      telescope: acq.telescope ?? null,
      focalLengthMm: acq.focalLengthMm ?? null,
      pixelSizeUm: acq.pixelSizeUm ?? null,
      bayerPattern: acq.bayerPattern ?? null,
      software: acq.software ?? null,
      stackCount: acq.stackCount ?? null,
      pointing: acq.pointing ?? null,
      site: acq.site ?? null,
    },
    integration: { totalSeconds, byFilter },
    astrometry,
    astrometryStatus,
    location,
    target: targetId,
    objects: objectList,
    description: description?.text
      ? { text: description.text, title: description.title, source: description.source, url: description.url, license: description.license }
      : null,
    notes: str(edits.notes),
    agents,
    facts: extra,
    derived: [...input.derived].sort(),
  };

  const hints: { type: string; value: string }[] = [];
  const push = (type: string, v: unknown) => {
    const s = str(v);
    if (s) hints.push({ type, value: s });
  };
  push('camera', acq.camera);
  push('telescope', acq.telescope);
  push('mount', acq.mount);
  push('filter', acq.filter);
  push('software', acq.software);
  const override = Array.isArray(edits.equipment) ? (edits.equipment as unknown[]).filter((x): x is string => typeof x === 'string') : null;

  const primary = objectList.find((o) => o.primary) ?? objectList.find((o) => o.id === targetId);
  const searchText = [
    searchWords(input.storageKey),
    acq.object,
    targetId,
    ...(primary ? [primary.name, ...primary.designations] : []),
    acq.camera,
    acq.telescope,
    acq.filter,
    location.constellationName,
    str(edits.notes),
    description?.title,
  ]
    .filter((s): s is string => typeof s === 'string' && !!s)
    .join(' ');

  return {
    columns: {
      source: input.provider,
      path: input.storageKey,
      format: file?.format ?? null,
      size_bytes: file?.sizeBytes ?? input.sizeBytes,
      sha256: file?.sha256 ?? null,
      width: file?.width ?? null,
      height: file?.height ?? null,
      frame_type: frameType,
      is_calibration: calibKind !== null,
      calib_kind: calibKind,
      captured_at: captured,
      file_modified_at: input.modifiedAt,
      object_name: str(acq.object),
      target_id: targetId,
      exposure_s: num(acq.exposureSeconds),
      filter: str(acq.filter),
      gain: num(acq.gain),
      offset: num(acq.offset),
      sensor_temp_c: num(acq.sensorTempC),
      binning: str(acq.binning),
      camera: str(acq.camera),
      telescope: str(acq.telescope),
      ra: solved ? num(solve!.ra) : null,
      dec: solved ? num(solve!.dec) : null,
      field_w_deg: solved ? num(solve!.fieldWidthDeg) : null,
      field_h_deg: solved ? num(solve!.fieldHeightDeg) : null,
      pixel_scale: solved ? num(solve!.pixelScaleArcsec) : null,
      rotation_deg: solved ? num(solve!.rotationDeg) : null,
      solved,
      constellation: location.constellation,
      hemisphere: location.hemisphere,
      integration_s: totalSeconds,
      duplicate_of: null, // needs other images: set by the Stitcher
      agents_failed: failed.length,
      agents_pending: pending,
      unknown_keywords: unmappedKeywords(file?.headers ?? [], file?.format),
      facet_keys: facetKeys({ targetId, objectIds: objectList.map((o) => o.id), filter: str(acq.filter), filters: byFilter.map((f) => f.filter) }),
    },
    record,
    objects: objectList.map((o) => ({ id: o.id, primary: o.primary || o.id === targetId })),
    filters: byFilter,
    equipmentHints: hints,
    equipmentOverride: override,
    searchText,
  };
}
