/**
 * The per-image part of integration time: what one file contributes, by filter.
 * Summing the subs behind a stack, and per-target totals, happen in stitching.
 *
 * Rules (unknown stays null, never a guess):
 * - light sub: its own exposure under its filter, 1 frame;
 * - stack or master of lights (a count > 1 or a stated total in the header, whatever
 *   the frame type says: ASTAP and APP keep IMAGETYP=LIGHT): the stated total, else
 *   count × sub exposure; per filter when the header breaks it down;
 * - calibration frame or calibration master: frames are counted, seconds are not
 *   integration (totalSeconds null, 0 s per entry);
 * - anything else (a processed image without stack cards, no exposure): null.
 */
import type { Acquisition, FileFacts, IntegrationFacts } from '../sdk/facts.ts';
import { CALIBRATION_FRAME_TYPES, type FrameType } from '../sdk/index.ts';
import { asSeconds, headerCalibrationKind, isStack as stackByEvidence, readStackEvidence, type StackEvidence } from '../lib/formats/stackEvidence.ts';

/** One filter's share. `frames` is null only when a header states a total without a count (live stacks). */
export interface FilterShare {
  filter: string | null;
  seconds: number;
  frames: number | null;
}

export interface Integration extends IntegrationFacts {
  byFilter: FilterShare[] & IntegrationFacts['byFilter'];
  /** subs (or calibration frames) this file stands for, null when unknown */
  frames: number | null;
  /** exposure of one sub, seconds, when known */
  subExposureSeconds: number | null;
  /** light | calibration | unknown: what the totals are about */
  kind: 'light' | 'calibration' | 'unknown';
  /** the header cards the numbers came from, for the UI's "why" */
  evidence: string[];
}

const ROUND = (x: number) => Math.round(x * 1000) / 1000;

function unknown(evidence: string[], frames: number | null = null): Integration {
  return { totalSeconds: null, byFilter: [], source: null, frames, subExposureSeconds: null, kind: 'unknown', evidence };
}

/** Computes the integration facts of one image from the `file` agent's facts. */
export function integrationOf(file: Partial<FileFacts> | undefined): Integration {
  if (!file) return unknown(['no file facts']);
  const headers = Array.isArray(file.headers) ? file.headers : [];
  const acq: Partial<Acquisition> = file.acquisition ?? {};
  const frameType = (file.frameType ?? null) as FrameType | null;
  const filter = typeof acq.filter === 'string' && acq.filter !== '' ? acq.filter : null;
  const ev = readStackEvidence(headers);
  // the file agent's reading of a stack (agents/lib/formats/stackSources.ts): a count from the file
  // name (SharpCap live stacks, Seestar), from its stated total over the sub exposure (DWARF) or from the
  // list of subs its history names
  const from = file.stack?.framesFrom ?? '';
  const named = from.startsWith('file name') || from === 'history list' || from === 'total / sub exposure' ? positiveInt(file.stack!.frames) : null;
  const count = ev.count ?? positiveInt(acq.stackCount) ?? named;
  const evidence: string[] = [];
  if (ev.countFrom) evidence.push(`count ${ev.count} from ${ev.countFrom}`);
  else if (ev.count === null && positiveInt(acq.stackCount) === null && named !== null) evidence.push(`count ${named} from the ${file.stack!.framesFrom}`);
  else if (count !== null) evidence.push(`count ${count} from acquisition.stackCount`);

  const calibration =
    (frameType !== null && CALIBRATION_FRAME_TYPES.includes(frameType)) ||
    ((frameType === 'master' || frameType === 'processed') && headerCalibrationKind(headers) !== null);
  if (calibration) {
    const frames = count ?? 1;
    evidence.push(`calibration frame (${frameType}${frameType === 'master' ? ` ${headerCalibrationKind(headers)}` : ''}): frames counted, no integration time`);
    return {
      totalSeconds: null,
      byFilter: [{ filter, seconds: 0, frames }],
      source: count !== null ? sourceOf(ev) : 'own-exposure',
      frames,
      subExposureSeconds: asSeconds(acq.exposureSeconds ?? null) ?? ev.subSeconds,
      kind: 'calibration',
      evidence,
    };
  }

  // ASTAP breaks a stack down by filter. One group alone is the stack's own filter: ASTAP
  // books one-shot-colour and unfiltered stacks under LUM too, so "L" would be a guess there
  if (ev.perFilter.length > 0) {
    const single = ev.perFilter.length === 1;
    const byFilter: FilterShare[] = ev.perFilter.map((g) => ({
      filter: single ? filter : g.filter,
      seconds: ROUND(g.subSeconds * g.frames),
      frames: g.frames,
    }));
    const total = ROUND(byFilter.reduce((a, f) => a + f.seconds, 0));
    evidence.push(`per-filter counts (${ev.perFilter.map((g) => `${g.filter} ${g.frames}×${g.subSeconds}s`).join(', ')})`);
    return result(byFilter, total, 'stack-header', byFilter.reduce((a, f) => a + (f.frames ?? 0), 0), single ? ev.perFilter[0]!.subSeconds : null, evidence);
  }

  const stated = ev.totalSeconds ?? asSeconds(acq.stackExposureSeconds ?? null);
  // the one stacking rule (stackEvidence.ts), with a count the file agent found elsewhere
  const isStack = (count !== null && count > 1) || stackByEvidence(ev);
  if (isStack || (count === 1 && (frameType === 'master' || frameType === 'processed'))) {
    const sub =
      ev.subSeconds ??
      (ev.totalSeconds === null ? asSeconds(acq.exposureSeconds ?? null) : null) ??
      // the sub exposure the file agent read beside a count it took from the file (DWARF's name)
      (named !== null ? asSeconds(file.stack?.subExposureSeconds ?? null) : null);
    let total: number | null = null;
    if (stated !== null) {
      total = stated;
      evidence.push(`total ${stated} s from ${ev.totalFrom ?? 'acquisition.stackExposureSeconds'}`);
    } else if (count !== null && sub !== null) {
      total = count * sub;
      evidence.push(`total = ${count} × ${sub} s (EXPTIME is one sub's in this convention)`);
    }
    if (total === null) {
      evidence.push('a stack, but no exposure to total');
      return unknown(evidence, count);
    }
    // a live stack's header has no reliable count: only one its file name states
    const frames = ev.liveStack ? named : count;
    if (ev.liveStack && frames === null) evidence.push('live stack: the number of subs is not recorded');
    const subOfLive = ev.liveStack && frames !== null ? ROUND(total / frames) : sub;
    return result([{ filter, seconds: ROUND(total), frames }], ROUND(total), sourceOf(ev), frames, subOfLive, evidence);
  }

  if (frameType === 'light' || frameType === null) {
    const own = asSeconds(acq.exposureSeconds ?? null) ?? ev.subSeconds;
    if (own === null) {
      evidence.push('light without an exposure time');
      return unknown(evidence);
    }
    evidence.push(`own exposure ${own} s`);
    return result([{ filter, seconds: ROUND(own), frames: 1 }], ROUND(own), 'own-exposure', 1, own, evidence);
  }

  // master/processed without stack cards: its EXPTIME may be one sub's, or anything
  evidence.push(`${frameType} without stacking information`);
  return unknown(evidence);
}

function result(
  byFilter: FilterShare[],
  total: number,
  source: string,
  frames: number | null,
  sub: number | null,
  evidence: string[],
): Integration {
  return { totalSeconds: total, byFilter: byFilter as Integration['byFilter'], source, frames, subExposureSeconds: sub, kind: 'light', evidence };
}

function sourceOf(ev: StackEvidence): string {
  return ev.countFromHistory ? 'history' : 'stack-header';
}

function positiveInt(x: unknown): number | null {
  return typeof x === 'number' && Number.isInteger(x) && x >= 1 ? x : null;
}
