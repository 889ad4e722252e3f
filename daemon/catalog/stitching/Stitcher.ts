/**
 * Stitching, the database part: in one transaction, assemble the image from
 * its inputs, resolve equipment and calibration links, and write the final
 * row only when its hash changed. A calibration frame that changed makes the
 * lights it matches due, so that their records list it.
 */
import type { DatabasePool } from 'slonik';
import { loadResults } from '../../db/results.ts';
import { loadUserEdits } from '../../db/edits.ts';
import {
  currentStitchHash,
  derivedNames,
  equipmentByIds,
  imagesStitchedBefore,
  lockCalibrationMatching,
  lightsMatchingCalibration,
  loadStitchSource,
  matchingCalibration,
  resolveEquipment,
  writeStitched,
} from '../../db/stitch.ts';
import type { Logger } from '../../log.ts';
import { markDue } from '../imageState.ts';
import { stableHash } from '../processing/stableHash.ts';
import { assembleImage, type EquipmentRef } from './assemble.ts';
import { STITCHER_VERSION, type StoredRecord } from './record.ts';
import { retryTransient } from '../../db/retry.ts';
import { createSession, linkImageSession, sessionCandidates } from '../../db/imagingSessions.ts';
import { pickSession, sessionKey, trainKey } from './sessions.ts';
import type { AssembledRecord } from './record.ts';
import type { ImageColumns } from '../../db/stitch.ts';
import type { DatabaseTransactionConnection } from 'slonik';
import { linkedSubs, lockStackLinking, relinkStack, relinkStackForSub, saveStackSources, stacksOfSub, stacksToRelink } from '../../db/stackLinks.ts';
import { isLightStack, stackCriteria, stackIntegration } from './stacks.ts';
import type { StackOf } from './record.ts';
import type { StackFacts } from '../../../agents/sdk/facts.ts';
import type { ResultRow } from '../../db/results.ts';
import type { StitchedImage } from './assemble.ts';
import { copiesNotPointingTo, isInGallery, originalOf, parkedWithContent, reattachRetainedEdits, takeOverLocation } from '../../db/identity.ts';

export type StitchResult = 'written' | 'unchanged' | 'gone';

/**
 * The session a light frame joins (found or created under the night/train
 * lock), or null for anything else, for a light without a capture time and
 * for a copy of another image (`duplicate_of`).
 */
async function sessionOf(tx: DatabaseTransactionConnection, c: ImageColumns, r: AssembledRecord, equipment: EquipmentRef[]): Promise<{ id: string; night: string } | null> {
  // a byte-identical copy is in no session: its original counts, never both
  if (c.frame_type !== 'light' || c.is_calibration || c.duplicate_of) return null;
  const camera = equipment.find((e) => e.type === 'camera') ?? null;
  const telescope = equipment.find((e) => e.type === 'telescope') ?? null;
  const site = r.acquisition.site;
  const pointing = c.ra !== null && c.dec !== null ? { ra: c.ra, dec: c.dec } : r.acquisition.pointing;
  const key = sessionKey({
    capturedAt: c.captured_at,
    longitude: site?.longitude ?? null,
    cameraId: camera?.id ?? null,
    telescopeId: telescope?.id ?? null,
    focalLengthMm: r.acquisition.focalLengthMm,
    binning: c.binning,
    targetId: c.target_id,
    objectName: c.object_name,
    ra: pointing?.ra ?? null,
    dec: pointing?.dec ?? null,
    fieldWidthDeg: c.field_w_deg,
    fieldHeightDeg: c.field_h_deg,
  });
  if (!key) return null;
  const found = pickSession(key, await sessionCandidates(tx, key, trainKey(key)));
  const id =
    found?.id ??
    (await createSession(tx, key, { camera: camera?.name ?? c.camera, telescope: telescope?.name ?? c.telescope, siteLatitude: site?.latitude ?? null, siteLongitude: site?.longitude ?? null }));
  return { id, night: key.night };
}

/**
 * A stack of lights: its sources are stored and its links recomputed (db/stackLinks.ts),
 * and its record gets `stackOf`. When its header states no total, its integration is the
 * sum of the subs its file links it to (history or dates; never an inference). Anything
 * else is no stack: stored sources and links of it as a stack are dropped.
 */
async function stackOf(tx: DatabaseTransactionConnection, imageId: string, s: StitchedImage, results: ResultRow[], cameraId: string | null): Promise<{ s: StitchedImage; stackOf: StackOf | null }> {
  if (!isLightStack(s.columns)) {
    await saveStackSources(tx, imageId, null);
    return { s, stackOf: null };
  }
  const facts = (kind: string) => results.find((r) => r.agent === kind && r.status === 'done')?.facts as Record<string, unknown> | undefined;
  const stack = (facts('file')?.stack ?? null) as StackFacts | null;
  await lockStackLinking(tx);
  await saveStackSources(tx, imageId, stackCriteria(stack, s.columns, cameraId, s.filters.map((f) => f.filter)));
  await relinkStack(tx, imageId);
  const subs = await linkedSubs(tx, imageId);
  const framesStated = facts('integration')?.frames;
  const header = { frames: typeof framesStated === 'number' ? framesStated : (stack?.frames ?? null), totalSeconds: s.columns.integration_s };
  const { from, mismatch } = stackIntegration(header, subs);
  const out: StackOf = {
    sessions: subs.sessions,
    frames: subs.frames,
    totalSeconds: subs.totalSeconds,
    byFilter: subs.byFilter,
    linkedBy: subs.linkedBy,
    header,
    integrationFrom: from,
    mismatch,
  };
  if (from !== 'subs') return { s, stackOf: out };
  return {
    s: {
      ...s,
      columns: { ...s.columns, integration_s: subs.totalSeconds },
      record: { ...s.record, integration: { totalSeconds: subs.totalSeconds, byFilter: subs.byFilter } },
      filters: subs.byFilter,
    },
    stackOf: out,
  };
}

export class Stitcher {
  constructor(private readonly options: { db: DatabasePool; log: Logger }) {}

  /**
   * Stitches one image. `neighbours: false` leaves the lights a calibration
   * frame matches alone (a re-stitch of every image links them itself).
   */
  async stitch(imageId: string, o: { neighbours?: boolean } = {}): Promise<StitchResult> {
    const { db } = this.options;
    let neighbours: string[] = [];
    const result = await db.transaction(async (tx) => {
      const src = await loadStitchSource(tx, imageId);
      if (!src) return 'gone' as const;
      const results = await loadResults(tx, imageId);
      const derived = await derivedNames(tx, imageId);
      const assemble = async () =>
        assembleImage({
          id: src.id,
          provider: src.provider,
          storageKey: src.storage_key,
          sizeBytes: src.size_bytes,
          modifiedAt: src.modified_at,
          createdAt: src.created_at,
          results,
          edits: await loadUserEdits(tx, imageId),
          derived,
        });
      let s = await assemble();
      // identity by content (docs/storage.md): a move seen as a new file first, edits kept from a deleted file, duplicates
      const content = s.columns.sha256 ? { sha256: s.columns.sha256, size: s.columns.size_bytes } : null;
      if (content && !(await isInGallery(tx, imageId))) {
        // a new file with the content of one that vanished meanwhile: the vanished image takes its place
        const parked = await parkedWithContent(tx, content.sha256, content.size);
        if (parked && (await takeOverLocation(tx, parked, imageId))) {
          this.options.log.info({ imageId: parked, replaces: imageId, path: src.storage_key }, 'file moved: the image keeps its identity');
          return 'gone' as const;
        }
      }
      if (content && (await reattachRetainedEdits(tx, imageId, content.sha256, content.size))) s = await assemble();
      const duplicateOf = content ? await originalOf(tx, imageId, content.sha256, content.size) : null;
      // a copy is never counted twice: it adds nothing to any integration total (targets, sessions, equipment)
      s = duplicateOf ? { ...s, columns: { ...s.columns, duplicate_of: duplicateOf, integration_s: null }, filters: [] } : { ...s, columns: { ...s.columns, duplicate_of: null } };
      let equipment: EquipmentRef[];
      if (s.equipmentOverride) equipment = await equipmentByIds(tx, s.equipmentOverride);
      else {
        equipment = [];
        for (const h of s.equipmentHints) equipment.push(await resolveEquipment(tx, h.type, h.value));
      }
      const matchesCalibration = (s.columns.frame_type === 'light' && !s.columns.is_calibration) || !!s.columns.calib_kind;
      if (matchesCalibration && s.columns.camera) await lockCalibrationMatching(tx, s.columns.camera);
      const calibration = s.columns.frame_type === 'light' && !s.columns.is_calibration ? await matchingCalibration(tx, s.columns) : [];
      const session = await sessionOf(tx, s.columns, s.record, equipment);
      const stack = await stackOf(tx, imageId, s, results, equipment.find((e) => e.type === 'camera')?.id ?? null);
      s = stack.s;
      const record: StoredRecord = {
        ...s.record,
        duplicateOf,
        equipment: equipment.map((e) => ({ id: e.id, type: e.type, name: e.name })),
        calibration: calibration.map((k) => ({ id: k.id, frameType: k.frame_type, kind: k.calib_kind })),
        session,
        stackOf: stack.stackOf,
      };
      const hash = stableHash({ v: STITCHER_VERSION, c: s.columns, record, o: s.objects, f: s.filters, t: s.searchText });
      if ((await currentStitchHash(tx, imageId, STITCHER_VERSION)) === hash) return 'unchanged' as const;
      await writeStitched(tx, imageId, s, record, hash, { equipment, calibration: calibration.map((k) => k.id) }, STITCHER_VERSION);
      await linkImageSession(tx, imageId, session?.id ?? null);
      // a sub that came, changed or left (also a light that became a stack): the stacks it is, becomes or stops
      // being a sub of are linked again and stitched again
      if (s.columns.frame_type === 'light') await lockStackLinking(tx);
      const wasSubOf = new Set(await stacksOfSub(tx, imageId));
      for (const stackId of await stacksToRelink(tx, imageId)) {
        if ((await relinkStackForSub(tx, stackId, imageId)) || wasSubOf.has(stackId)) neighbours.push(stackId);
      }
      if (s.columns.calib_kind && o.neighbours !== false) neighbours.push(...(await lightsMatchingCalibration(tx, s.columns)));
      // the original (again, e.g. moved back): its copies must point to it
      if (content && !duplicateOf) neighbours.push(...(await copiesNotPointingTo(tx, imageId, content.sha256, content.size)));
      return 'written' as const;
    });
    if (neighbours.length) {
      this.options.log.debug({ imageId, neighbours: neighbours.length }, 'calibration frame or original changed: neighbours due for stitching');
      await markDue(db, neighbours, 'neighbour');
    }
    return result;
  }

  /**
   * Re-stitches the images that an older stitcher version assembled (after an
   * upgrade that changed assembly): stitching only, no agent runs and nothing
   * made due. Calibration frames go first, so that the lights re-stitched after
   * them link what they are now. An image that cannot be stitched is logged and
   * left for the next start. Returns how many were re-stitched.
   */
  async restitchOutdated(o: { batch?: number; shouldStop?: () => boolean } = {}): Promise<number> {
    const { db, log } = this.options;
    const failed: string[] = [];
    let done = 0;
    for (;;) {
      if (o.shouldStop?.()) break;
      const ids = await imagesStitchedBefore(db, STITCHER_VERSION, o.batch ?? 200, failed);
      if (!ids.length) break;
      for (const id of ids) {
        if (o.shouldStop?.()) break;
        try {
          // 'gone': deleted meanwhile; anything but 'written' is not retried in this pass
          if ((await retryTransient('re-stitch', () => this.stitch(id, { neighbours: false }), { log })) === 'written') done++;
          else failed.push(id);
        } catch (err) {
          failed.push(id);
          log.error({ err, imageId: id }, 're-stitching failed; tried again at the next start');
        }
      }
    }
    if (done) log.info({ images: done, version: STITCHER_VERSION }, 'images re-stitched for a new stitcher version');
    return done;
  }
}
