/**
 * Stacks and their subs, the pure part (docs/sessions.md, "Stacks"): which
 * images are stacks of lights, the window of time their subs were captured in,
 * and how a stack's integration is told from its header and from its linked
 * subs. The SQL that stores and recomputes the links is db/stackLinks.ts.
 */
import type { StackFacts } from '../../../agents/sdk/facts.ts';
import type { LinkedSubs, StackCriteria } from '../../db/stackLinks.ts';

export type { LinkedSubs, StackCriteria } from '../../db/stackLinks.ts';

/** Margin around stated dates: clocks and rounding of the programs that write them. */
const MARGIN_MS = 2 * 60_000;
const HOUR_MS = 3_600_000;

/** A stack or master of lights: the images that get links to subs. Calibration masters and copies do not. */
export function isLightStack(c: { frame_type: string; is_calibration: boolean; duplicate_of?: string | null }): boolean {
  return (c.frame_type === 'master' || c.frame_type === 'processed') && !c.is_calibration && !c.duplicate_of;
}

/**
 * The window of capture times of a stack's subs: from the first to the last
 * date the header states (± 2 min); with one date only, ± twice the stated
 * integration (8 h to 24 h; 12 h when the integration is unknown), because
 * programs differ on whether that date is the first sub's, the last one's or
 * the save time, and a live stack that dropped frames spans more of the night
 * than its integration (Seestar: 614 × 10 s over 4.9 h). At least 8 h reaches
 * the whole night from either end of it, and not the night before or after
 * (subs of one target twelve or more hours apart). No dates: null.
 */
export function captureWindow(stack: Pick<StackFacts, 'firstAt' | 'lastAt' | 'frames' | 'subExposureSeconds' | 'totalSeconds'> | null | undefined): { from: string; to: string } | null {
  if (!stack?.firstAt) return null;
  const first = Date.parse(stack.firstAt);
  if (!Number.isFinite(first)) return null;
  const last = stack.lastAt ? Date.parse(stack.lastAt) : NaN;
  if (Number.isFinite(last) && last >= first) return { from: new Date(first - MARGIN_MS).toISOString(), to: new Date(last + MARGIN_MS).toISOString() };
  const total = stack.totalSeconds ?? (stack.frames && stack.subExposureSeconds ? stack.frames * stack.subExposureSeconds : null);
  const half = total ? Math.min(24 * HOUR_MS, Math.max(8 * HOUR_MS, 2 * total * 1000)) : 12 * HOUR_MS;
  return { from: new Date(first - half).toISOString(), to: new Date(first + half).toISOString() };
}

export function stackCriteria(
  stack: StackFacts | null | undefined,
  c: { target_id: string | null; object_name: string | null; captured_at: string | null; filter: string | null },
  cameraId: string | null,
  filters: readonly string[],
): StackCriteria {
  const window = captureWindow(stack);
  const names = [...new Set((stack?.subFiles ?? []).filter((f) => typeof f === 'string' && f.trim()).map((f) => f.replace(/\\/g, '/').toLowerCase()))];
  const fs = new Set<string>(filters.filter((f) => f && f !== 'none'));
  if (c.filter) fs.add(c.filter);
  return {
    names,
    windowFrom: window?.from ?? null,
    windowTo: window?.to ?? null,
    targetId: c.target_id,
    objectName: c.object_name,
    cameraId,
    filters: [...fs].sort(),
    capturedAt: c.captured_at,
  };
}

/** What a stack's own header states (the integration agent's reading of it). */
export interface HeaderIntegration {
  frames: number | null;
  totalSeconds: number | null;
}


/**
 * Which integration a stack shows: its header's when it states a total (the
 * header wins), else the sum of its subs when they were linked by what the
 * file says (history or dates) — an inference is not evidence enough to claim
 * an integration. `mismatch` when the header states a count or a total and the
 * linked subs disagree (frames differ, or totals by more than 2 %).
 */
export function stackIntegration(header: HeaderIntegration, subs: LinkedSubs): { from: 'header' | 'subs' | null; mismatch: boolean } {
  const headerKnown = header.frames !== null || header.totalSeconds !== null;
  const evidence = subs.frames > 0 && subs.linkedBy !== null && subs.linkedBy !== 'inferred';
  const mismatch =
    headerKnown &&
    evidence &&
    ((header.frames !== null && header.frames !== subs.frames) ||
      (header.totalSeconds !== null && Math.abs(header.totalSeconds - subs.totalSeconds) > 0.02 * Math.max(header.totalSeconds, subs.totalSeconds)));
  return { from: header.totalSeconds !== null ? 'header' : evidence && subs.totalSeconds > 0 ? 'subs' : null, mismatch };
}
