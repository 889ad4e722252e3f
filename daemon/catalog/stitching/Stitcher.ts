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
  lightsMatchingCalibration,
  loadStitchSource,
  markDue,
  matchingCalibration,
  resolveEquipment,
  writeStitched,
} from '../../db/stitch.ts';
import type { Logger } from '../../log.ts';
import { stableHash } from '../processing/stableHash.ts';
import { assembleImage, type EquipmentRef } from './assemble.ts';
import { copiesNotPointingTo, originalOf, parkedWithContent, reattachRetainedEdits, setDuplicateOf, takeOverLocation } from '../../db/identity.ts';

export type StitchResult = 'written' | 'unchanged' | 'gone';

export class Stitcher {
  constructor(private readonly options: { db: DatabasePool; log: Logger }) {}

  async stitch(imageId: string): Promise<StitchResult> {
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
      // identity by content (docs/storage.md): edits kept from a deleted file of this content, and duplicates
      const content = s.columns.sha256 && s.columns.size_bytes !== null ? { sha256: s.columns.sha256, size: s.columns.size_bytes } : null;
      if (content && (await currentStitchHash(tx, imageId)) === null) {
        // a new file with the content of one that vanished meanwhile (a move seen as an add first): the vanished image takes its place
        const parked = await parkedWithContent(tx, content.sha256, content.size);
        if (parked && (await takeOverLocation(tx, parked, imageId))) {
          this.options.log.info({ imageId: parked, replaces: imageId, path: src.storage_key }, 'file moved: the image keeps its identity');
          return 'gone' as const;
        }
      }
      if (content && (await reattachRetainedEdits(tx, imageId, content.sha256, content.size))) s = await assemble();
      const duplicateOf = content ? await originalOf(tx, imageId, content.sha256, content.size) : null;
      if (duplicateOf) {
        // a copy is never counted twice: it adds nothing to any integration total (targets, sessions, equipment)
        s = { ...s, columns: { ...s.columns, integration_s: null }, filters: [] };
      }
      let equipment: EquipmentRef[];
      if (s.equipmentOverride) equipment = await equipmentByIds(tx, s.equipmentOverride);
      else {
        equipment = [];
        for (const h of s.equipmentHints) equipment.push(await resolveEquipment(tx, h.type, h.value));
      }
      const calibration = s.columns.frame_type === 'light' && !s.columns.is_calibration ? await matchingCalibration(tx, s.columns) : [];
      const record = {
        ...s.record,
        duplicateOf,
        equipment: equipment.map((e) => ({ id: e.id, type: e.type, name: e.name })),
        calibration: calibration.map((k) => ({ id: k.id, frameType: k.frame_type, kind: k.calib_kind })),
      };
      const hash = stableHash({ c: s.columns, record, o: s.objects, f: s.filters, t: s.searchText });
      if ((await currentStitchHash(tx, imageId)) === hash) return 'unchanged' as const;
      await writeStitched(tx, imageId, s, record, hash, { equipment, calibration: calibration.map((k) => k.id) });
      await setDuplicateOf(tx, imageId, duplicateOf);
      // the original (again, e.g. moved back): its copies must point to it
      if (content && !duplicateOf) neighbours.push(...(await copiesNotPointingTo(tx, imageId, content.sha256, content.size)));
      if (s.columns.calib_kind) neighbours.push(...(await lightsMatchingCalibration(tx, s.columns)));
      return 'written' as const;
    });
    if (neighbours.length) {
      this.options.log.debug({ imageId, neighbours: neighbours.length }, 'calibration frame or original changed: neighbours due for stitching');
      await markDue(db, neighbours);
    }
    return result;
  }
}
