/**
 * The `objects` agent (stage `identify`): deep-sky objects in the field, the
 * primary target, the constellation(s) and the celestial hemisphere.
 *
 * With a plate solution, everything comes from the solved field (positions in
 * display pixels for overlays, see agents/lib/sky/field.ts). Without one, the
 * header's OBJECT name (or the user's target) gives the target, and the
 * header's pointing — else the target's catalog position — the constellation.
 * `positionSource` says which: solution | pointing | object | null. Unsolved
 * images with a header pointing get the objects there (within the field the
 * optics give, else the object at the pointing), each marked `source:
 * 'header'`; objects of a solved field are `source: 'plate-solution'`.
 */
import { defineAgent, type Facts } from '../sdk/index.ts';
import type { FileFacts, SolveFacts } from '../sdk/facts.ts';
import { identify } from './identify.ts';

export default defineAgent({
  name: 'objects',
  version: '2',
  description: 'Deep-sky objects in the field (Messier, NGC, IC, Sharpless, Barnard, …), primary target, constellations, hemisphere.',
  stages: ['identify'],
  // lookups of about a millisecond in the deep-sky catalog that the daemon's main thread holds
  // anyway (it seeds the objects table at start); in the pool every thread would build its own
  // copy first (≈ 1.5 CPU-s and tens of MB per thread, see the night in docs/performance.md)
  thread: 'main',
  uses: ['file', 'platesolve'],
  usesUserEdits: true,
  appliesTo: { frameTypes: ['light', 'master', 'processed'], requires: ['file'] },
  settings: {
    maxObjects: { type: 'integer', title: 'Objects per image (at most)', description: 'the largest number of catalog objects listed for one image, the most prominent first', default: 200, minimum: 1, maximum: 5000 },
  },
  searchable: [
    { path: 'primary', type: 'keyword', label: 'Primary target' },
    { path: 'constellation', type: 'keyword', label: 'Constellation' },
    { path: 'hemisphere', type: 'keyword', label: 'Hemisphere' },
  ],
  async run(ctx) {
    const maxObjects = typeof ctx.settings.maxObjects === 'number' ? ctx.settings.maxObjects : 200;
    const { facts, warnings } = identify({
      file: (ctx.facts.file as Partial<FileFacts> | undefined) ?? null,
      solve: (ctx.facts.platesolve as Partial<SolveFacts> | undefined) ?? null,
      user: (ctx.facts.user as { target?: unknown } | undefined) ?? null,
      maxObjects,
    });
    // ObjectsFacts is plain JSON by construction; the SDK's Facts type cannot see that through its index signature.
    const json = facts as unknown as Facts;
    return warnings.length > 0 ? { facts: json, warnings } : { facts: json };
  },
});
