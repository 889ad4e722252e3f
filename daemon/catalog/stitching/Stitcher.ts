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
  matchingCalibration,
  resolveEquipment,
  writeStitched,
} from '../../db/stitch.ts';
import type { Logger } from '../../log.ts';
import { markDue } from '../imageState.ts';
import { stableHash } from '../processing/stableHash.ts';
import { assembleImage, type EquipmentRef } from './assemble.ts';

export type StitchResult = 'written' | 'unchanged' | 'gone';

export class Stitcher {
  constructor(private readonly options: { db: DatabasePool; log: Logger }) {}

  async stitch(imageId: string): Promise<StitchResult> {
    const { db } = this.options;
    let neighbours: string[] = [];
    const result = await db.transaction(async (tx) => {
      const src = await loadStitchSource(tx, imageId);
      if (!src) return 'gone' as const;
      const s = assembleImage({
        id: src.id,
        provider: src.provider,
        storageKey: src.storage_key,
        sizeBytes: src.size_bytes,
        modifiedAt: src.modified_at,
        createdAt: src.created_at,
        results: await loadResults(tx, imageId),
        edits: await loadUserEdits(tx, imageId),
        derived: await derivedNames(tx, imageId),
      });
      let equipment: EquipmentRef[];
      if (s.equipmentOverride) equipment = await equipmentByIds(tx, s.equipmentOverride);
      else {
        equipment = [];
        for (const h of s.equipmentHints) equipment.push(await resolveEquipment(tx, h.type, h.value));
      }
      const calibration = s.columns.frame_type === 'light' && !s.columns.is_calibration ? await matchingCalibration(tx, s.columns) : [];
      const record = {
        ...s.record,
        equipment: equipment.map((e) => ({ id: e.id, type: e.type, name: e.name })),
        calibration: calibration.map((k) => ({ id: k.id, frameType: k.frame_type, kind: k.calib_kind })),
      };
      const hash = stableHash({ c: s.columns, record, o: s.objects, f: s.filters, t: s.searchText });
      if ((await currentStitchHash(tx, imageId)) === hash) return 'unchanged' as const;
      await writeStitched(tx, imageId, s, record, hash, { equipment, calibration: calibration.map((k) => k.id) });
      if (s.columns.calib_kind) neighbours = await lightsMatchingCalibration(tx, s.columns);
      return 'written' as const;
    });
    if (neighbours.length) {
      this.options.log.debug({ imageId, lights: neighbours.length }, 'calibration frame changed: lights due for stitching');
      await markDue(db, neighbours, 'neighbour');
    }
    return result;
  }
}
