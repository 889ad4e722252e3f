/**
 * The `integration` agent (stage `aggregate`): the integration time one image
 * stands for, by filter — its own exposure for a light sub, the stacked total for a
 * stack or master, frame counts only for calibration frames. Summing the subs
 * behind a stack and per-target totals are done by the engine's stitching.
 */
import type { FileFacts } from '../sdk/facts.ts';
import { defineAgent, type AgentContext, type Facts } from '../sdk/index.ts';
import { integrationOf } from './integrate.ts';

export default defineAgent({
  name: 'integration',
  // 2: a stack's count from its file name (live stacks) or its list of subs (the file agent's `stack` fact)
  // 3: a count from a stated total over the sub exposure (DWARF stacks), with that sub exposure
  // 4: smart telescopes' in-camera stacks by their layout (Celestron Origin colour planes); a DWARF II
  // stack's EXPTIME is no longer taken as its total (only DWARF III's is known to be)
  version: '4',
  description: 'Integration time by filter: own exposure, stack headers (NCOMBINE, STACKCNT, LIVETIME, PixInsight/Siril/DSS/APP/ASTAP conventions).',
  stages: ['aggregate'],
  uses: ['file'],
  appliesTo: { requires: ['file'] },
  // a few header lookups: not worth a worker thread
  thread: 'main',
  searchable: [
    { path: 'totalSeconds', type: 'number', label: 'Integration', unit: 's' },
    { path: 'frames', type: 'number', label: 'Frames' },
  ],
  async run(ctx: AgentContext) {
    const file = ctx.facts['file'] as Partial<FileFacts> | undefined;
    const facts = integrationOf(file);
    // IntegrationFacts holds only JSON values; the cast bridges its index signature (unknown) to Json
    return { facts: facts as unknown as Facts };
  },
});
