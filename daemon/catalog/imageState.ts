/**
 * The life of an image in the processing queue, in one place: its named
 * transitions and its state. The rules (and the diagram) are in README.md
 * beside this file; the SQL is in daemon/db/imageState.ts and the one "make
 * due" function, `image_mark_due`, in migration 0080 (the calibration trigger
 * calls it too).
 *
 *   file changed  — a provider saw a new fingerprint (db/files.ts upsertFiles)
 *   markDue       — an edit, a re-run, an agent change or a neighbour: reason kept
 *   claim         — a slot takes a due image with a lease (SKIP LOCKED)
 *   renew         — the lease is pushed forward while the round runs
 *   finish        — the round ends, fenced by the generation it claimed
 *   release       — shutdown hands the image back, due now
 */
import type { DatabasePool } from 'slonik';
import {
  claimImage,
  finishImage,
  imageState,
  markAllImagesDue,
  markImagesDue,
  releaseImages,
  renewLeases,
  type DueReason,
  type ImageState,
  type ImageStateRow,
} from '../db/imageState.ts';

export { DUE_REASONS, IMAGE_STATES, queueCounts, pendingCount, leasedImages, type ClaimedImage, type DueReason, type ImageState, type ImageStateRow, type QueueCounts } from '../db/imageState.ts';
export { upsertFiles as recordFileChanges } from '../db/files.ts';

/** Makes images due for a reason; a running lease is kept and the image runs again after its round. */
export function markDue(db: DatabasePool, ids: readonly string[], reason: DueReason): Promise<number> {
  return markImagesDue(db, ids, reason);
}

/** Makes every image due (the agents changed: order, enabled, settings). */
export function markAllDue(db: DatabasePool, reason: DueReason): Promise<number> {
  return markAllImagesDue(db, reason);
}

export const claim = claimImage;
export const renew = renewLeases;
export const finish = finishImage;
export const release = releaseImages;

/** What the UI shows for one image: being processed, waiting for processing, or idle (done, failed, waiting for a refresh). */
export type ProcessingState = 'processing' | 'due' | 'idle';

export function processingStateOf(state: ImageState): ProcessingState {
  return state === 'leased' ? 'processing' : state === 'due' ? 'due' : 'idle';
}

/** One image's state, or null when it does not exist. */
export async function stateOf(db: DatabasePool, id: string): Promise<ImageStateRow | null> {
  return imageState(db, id);
}
