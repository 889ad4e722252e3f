/**
 * Real imaging sessions in a seeded library (seedImages' `arrange` hook): some
 * synthetic lights are rewritten so that they share a target, camera, optical
 * train and night, as a real night of subs does; the real Stitcher then
 * groups them. The other lights keep their random dates (2021–2025), far from
 * the nights used here (2026).
 */
import type { SeedSpec } from './seedImages.ts';

export interface PlannedSession {
  /** the observing night (local evening date at the seeded site, 11.6° E) */
  night: string;
  /** which template light gives the target, train and plate solve: 0 = the first light, 1 = the first of another target */
  template: 0 | 1;
  subs: { filter: string; exposure: number; n: number }[];
}

/** Three sessions: two of one target on two nights (LRGB-ish, then L), one of another target. */
export const SESSION_PLAN: PlannedSession[] = [
  { night: '2026-03-01', template: 0, subs: [{ filter: 'L', exposure: 300, n: 4 }, { filter: 'Ha', exposure: 600, n: 2 }] },
  { night: '2026-03-02', template: 1, subs: [{ filter: 'OIII', exposure: 300, n: 5 }] },
  { night: '2026-04-05', template: 0, subs: [{ filter: 'L', exposure: 120, n: 4 }] },
];

export interface ArrangedSession extends PlannedSession {
  targetId: string;
  imageIds: string[];
  totalSeconds: number;
}

const facts = (s: SeedSpec, agent: string) => s.results.find((r) => r.agent === agent)?.facts as any;

/**
 * Rewrites lights of `specs` into the planned sessions (in place) and returns
 * what each session must be. Each sub keeps its own id, path and checksum.
 * One stack is made a stack of the first template's target, captured on
 * 2026-03-10 (between the March and April nights of the plan).
 */
export function arrangeSessions(specs: SeedSpec[], plan: PlannedSession[] = SESSION_PLAN): { sessions: ArrangedSession[]; stackId: string } {
  const lights = specs.filter((s) => s.target && facts(s, 'file')?.frameType === 'light' && s.results.some((r) => r.agent === 'platesolve' && r.status === 'done'));
  const first = lights[0]!;
  const other = lights.find((s) => s.target!.id !== first.target!.id)!;
  const templates = [first, other];
  const free = lights.filter((s) => !templates.includes(s));
  const out: ArrangedSession[] = [];
  for (const p of plan) {
    const t = templates[p.template]!;
    const ids: string[] = [];
    let minute = 0;
    for (const sub of p.subs) {
      for (let k = 0; k < sub.n; k++) {
        const s = !out.length && !ids.length ? t : free.shift();
        if (!s) throw new Error('too few seeded lights for the session plan');
        const own = facts(s, 'file');
        const results = structuredClone(t.results);
        const file = results.find((r) => r.agent === 'file')!.facts as any;
        // 21:00 UTC plus one sub after the other: the same evening at 11.6° E
        const captured = new Date(Date.parse(`${p.night}T20:00:00Z`) + (minute += 12) * 60_000).toISOString();
        file.sha256 = own.sha256;
        file.dates = { captured, created: null, modified: captured };
        file.acquisition = { ...file.acquisition, filter: sub.filter, filterRaw: sub.filter, exposureSeconds: sub.exposure };
        file.headers = file.headers.map((h: { key: string; value: unknown }) =>
          h.key === 'DATE-OBS' ? { ...h, value: captured.slice(0, 19) } : h.key === 'FILTER' ? { ...h, value: sub.filter } : h.key === 'EXPTIME' ? { ...h, value: sub.exposure } : h);
        const integration = results.find((r) => r.agent === 'integration')!;
        integration.facts = { totalSeconds: sub.exposure, byFilter: [{ filter: sub.filter, seconds: sub.exposure, frames: 1 }], source: 'own-exposure' };
        s.results = results;
        s.target = t.target;
        ids.push(s.id);
      }
    }
    out.push({ ...p, targetId: t.target!.id, imageIds: ids, totalSeconds: p.subs.reduce((n, x) => n + x.n * x.exposure, 0) });
  }
  const stack = specs.find((s) => s.target && ['master', 'processed'].includes(facts(s, 'file')?.frameType))!;
  const objects = stack.results.find((r) => r.agent === 'objects')!;
  objects.facts = structuredClone(first.results.find((r) => r.agent === 'objects')!.facts);
  const file = facts(stack, 'file');
  file.dates = { ...file.dates, captured: '2026-03-10T21:00:00.000Z' };
  file.acquisition = { ...file.acquisition, object: first.target!.id };
  stack.target = first.target;
  return { sessions: out, stackId: stack.id };
}
