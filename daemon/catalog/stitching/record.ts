/**
 * The image record: the one description of what stitching stores for an image
 * (`images.record`, JSONB) and of what the API returns. `assembleImage` builds
 * an `AssembledRecord`, the `Stitcher` adds the parts that need other rows
 * (equipment, calibration) to make a `StoredRecord`, and reads turn it into the
 * `PublicRecord` by adding the links (`publicRecord`): links are made when read,
 * never stored, so that a change of URLs needs no re-stitching.
 *
 * Objects are `passthrough`: the API promises these fields and may grow.
 *
 * STITCHER_VERSION is stored with every image: bump it whenever assembly or
 * this schema changes what is stored, and every host re-stitches the images of
 * an older version at start (stitching only: no agent runs again).
 */
import { z } from 'zod';
import { FRAME_TYPES } from '../../../agents/sdk/index.ts';

/** 2: links made at read time (`derived` stored instead of thumbnailUrl/previewUrl). 3: `duplicateOf`. 4: imaging sessions. 5: `stackOf` (stacks linked to their subs). */
export const STITCHER_VERSION = 5;

const n = z.number().nullable();
const s = z.string().nullable();
const iso = z.string().nullable().describe('ISO 8601 date-time');

export const FieldObject = z
  .object({
    id: z.string(),
    designations: z.array(z.string()),
    name: s,
    type: s,
    source: z.enum(['plate-solution', 'header', 'user', 'target']).nullable().optional().describe('what placed the object: the plate solution, the header (pointing or OBJECT), the user'),
    primary: z.boolean(),
    ra: z.number(),
    dec: z.number(),
    magnitude: n,
    sizeArcmin: n,
    x: n.describe('centre in image pixels, x right'),
    y: n.describe('centre in image pixels, y down'),
    rx: n,
    ry: n,
    angleDeg: n,
  })
  .passthrough();
export type FieldObject = z.infer<typeof FieldObject>;

const AgentRun = z
  .object({
    name: z.string(),
    stage: z.string(),
    version: z.string(),
    status: z.enum(['done', 'failed', 'skipped']),
    error: s,
    warnings: z.array(z.string()),
    finishedAt: iso,
    durationMs: n,
    attempts: z.number(),
    nextAttemptAt: iso,
  })
  .passthrough();

export const AssembledRecord = z
  .object({
    id: z.string().uuid(),
    source: z.string(),
    path: z.string(),
    fileName: z.string(),
    format: s,
    subformat: s,
    sizeBytes: z.number(),
    sha256: s,
    width: n,
    height: n,
    bitDepth: n,
    channels: n,
    frameType: z.enum(FRAME_TYPES),
    dates: z.object({ captured: iso, created: iso, modified: iso }).passthrough(),
    acquisition: z
      .object({
        object: s,
        exposureSeconds: n,
        filter: s,
        gain: n,
        offset: n,
        sensorTempC: n,
        binning: s,
        camera: s,
        telescope: s,
        focalLengthMm: n,
        pixelSizeUm: n,
        bayerPattern: s,
        software: s,
        stackCount: n,
        pointing: z.object({ ra: z.number(), dec: z.number() }).passthrough().nullable(),
        site: z.object({ latitude: n, longitude: n, elevationM: n }).passthrough().nullable(),
      })
      .passthrough(),
    integration: z.object({
      totalSeconds: n,
      byFilter: z.array(z.object({ filter: z.string(), seconds: z.number(), frames: n })),
    }),
    astrometry: z
      .object({
        ra: n,
        dec: n,
        fieldWidthDeg: n,
        fieldHeightDeg: n,
        pixelScaleArcsec: n,
        rotationDeg: n,
        parity: z.enum(['normal', 'flipped']).nullable(),
        solver: s.describe('wcs-header | builtin | astrometry.net'),
        solverDetail: s,
        corners: z.array(z.array(z.number())).nullable(),
        matchedStars: n,
        rmsArcsec: n,
        durationMs: n,
        wcs: z.record(z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
      })
      .passthrough()
      .nullable(),
    astrometryStatus: z.object({
      state: z.enum(['solved', 'unsolved', 'pending', 'failed', 'not-run']).describe('outcome of the plate solve'),
      reason: s.describe('why it is not solved (or failed), in words'),
    }),
    location: z
      .object({
        constellation: s,
        constellationName: s,
        constellations: z.array(z.string()),
        hemisphere: z.enum(['north', 'south']).nullable(),
        source: z.enum(['plate-solution', 'header', 'target']).nullable().describe('what the position comes from: a plate solution, the header pointing, or the named target'),
      })
      .passthrough(),
    target: s,
    objects: z.array(FieldObject),
    description: z.object({ text: z.string(), title: s, source: s, url: s, license: s }).passthrough().nullable(),
    notes: s,
    agents: z.array(AgentRun),
    facts: z.record(z.unknown()).describe('facts of agents that are not built in, by agent name'),
    /** names of the derived files (thumbnail, preview…); links to them are added when read */
    derived: z.array(z.string()),
  })
  .passthrough();
export type AssembledRecord = z.infer<typeof AssembledRecord>;

export const EquipmentLink = z.object({ id: z.string().uuid(), type: z.string(), name: z.string() });
export const CalibrationLink = z.object({ id: z.string().uuid(), frameType: z.string(), kind: z.string() }).passthrough();

export const SessionLink = z.object({ id: z.string().uuid(), night: z.string().describe('observing night, YYYY-MM-DD') }).describe('the imaging session of a light frame (docs/sessions.md)');

export const StackOf = z
  .object({
    sessions: z.array(SessionLink).describe('the sessions of the linked subs, by night'),
    frames: z.number().describe('linked subs (copies not counted)'),
    totalSeconds: z.number().describe("sum of the linked subs' exposures"),
    byFilter: z.array(z.object({ filter: z.string(), seconds: z.number(), frames: z.number() })).describe("the linked subs' exposures by filter"),
    linkedBy: z.enum(['history', 'header dates', 'inferred']).nullable().describe("how the links were made: the files the stack's history names, its header's dates, or inference (target, camera, filter, date); null: no sub linked"),
    header: z.object({ frames: n, totalSeconds: n }).describe("what the stack's own header states"),
    integrationFrom: z.enum(['header', 'subs']).nullable().describe("where the record's integration comes from: the header (it wins when it states a count or total) or the sum of the linked subs"),
    mismatch: z.boolean().describe('the header and the linked subs disagree (frames, or totals by more than 2 %)'),
  })
  .passthrough()
  .describe('a stack or master of lights: the subs and sessions it was made from (docs/sessions.md, "Stacks")');
export type StackOf = z.infer<typeof StackOf>;

/** What `images.record` holds. */
export const StoredRecord = AssembledRecord.extend({
  equipment: z.array(EquipmentLink),
  calibration: z.array(CalibrationLink),
  duplicateOf: z
    .string()
    .uuid()
    .nullable()
    .describe('the original when this file is a byte-identical copy of another image (same size and sha256); a copy is not counted in integration totals'),
  session: SessionLink.nullable(),
  stackOf: StackOf.nullable().optional().describe('null for anything but a stack or master of lights'),
});
export type StoredRecord = z.infer<typeof StoredRecord>;

/** What the API and the UI get: the stored record with links instead of derived-file names. */
export const PublicRecord = StoredRecord.omit({ derived: true })
  .extend({ thumbnailUrl: s, previewUrl: s })
  .passthrough()
  .describe('An image: everything Sidereal knows about one file');
export type PublicRecord = z.infer<typeof PublicRecord>;

/** The link of a derived file of an image, as the API serves it. */
export function derivedUrl(imageId: string, name: string): string {
  return `/api/v1/images/${imageId}/${name}`;
}

/** The stored record as the API shows it: derived-file names become links. */
export function publicRecord(stored: Record<string, unknown>): PublicRecord {
  const { derived, ...rest } = stored as StoredRecord;
  const names = Array.isArray(derived) ? derived : [];
  const id = String(rest.id);
  return {
    ...rest,
    // records stitched before sessions existed have none until re-stitched
    session: rest.session ?? null,
    stackOf: rest.stackOf ?? null,
    thumbnailUrl: names.includes('thumbnail') ? derivedUrl(id, 'thumbnail') : null,
    previewUrl: names.includes('preview') ? derivedUrl(id, 'preview') : null,
  } as PublicRecord;
}
