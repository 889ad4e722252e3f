/**
 * The `description` agent (stage `describe`): a short text about the image's
 * primary target, from Wikipedia's page summary (CC BY-SA 4.0, attributed)
 * or, when Wikipedia cannot be reached or has no article, from the catalog.
 * Runs on the main thread: it waits on the network, not the CPU.
 *
 * Settings only (agents read no environment): the host passes `wikipedia`
 * (false when SIDEREAL_OFFLINE is set) and `wikipediaUrl` (SIDEREAL_WIKIPEDIA_URL;
 * empty: https://en.wikipedia.org) from its configuration.
 */
import { AgentSkip, defineAgent, type Facts } from '../sdk/index.ts';
import type { FieldObject, ObjectsFacts } from '../sdk/facts.ts';
import { describeObject } from './describe.ts';

export default defineAgent({
  name: 'description',
  version: '1',
  description: 'Descriptive text for the primary target, from Wikipedia (with attribution) or the catalog.',
  stages: ['describe'],
  uses: ['objects'],
  thread: 'main',
  appliesTo: { requires: ['objects'] },
  timeoutSeconds: 60,
  settings: {
    wikipedia: { type: 'boolean', title: 'Ask Wikipedia', description: 'fetch the introduction of the target\'s Wikipedia article (needs internet access); no: a short text from the built-in catalog only, for offline installations', default: true },
    wikipediaUrl: { type: 'string', title: 'Wikipedia address', description: 'base URL of Wikipedia, e.g. a mirror (the host passes SIDEREAL_WIKIPEDIA_URL); empty: https://en.wikipedia.org', default: '' },
    requestTimeoutSeconds: { type: 'number', title: 'Request time limit (seconds)', description: 'how long one Wikipedia request may take before the catalog text is used instead', default: 10, minimum: 1, maximum: 60 },
  },
  async run(ctx) {
    const objects = ctx.facts.objects as unknown as Partial<ObjectsFacts> | undefined;
    const primary = objects?.primary ?? null;
    const object = primary ? (objects?.objects ?? []).find((o: FieldObject) => o.id === primary) : undefined;
    if (!object) throw new AgentSkip('the image has no primary target to describe');
    const timeout = typeof ctx.settings.requestTimeoutSeconds === 'number' ? ctx.settings.requestTimeoutSeconds : 10;
    const { facts, warnings } = await describeObject(
      {
        id: object.id, designations: object.designations, name: object.name, type: object.type,
        ra: object.ra, dec: object.dec, magnitude: object.magnitude, sizeArcmin: object.sizeArcmin,
      },
      { cache: ctx.cache, log: ctx.log, signal: ctx.signal, timeoutMs: timeout * 1000, wikipedia: ctx.settings.wikipedia !== false, baseUrl: typeof ctx.settings.wikipediaUrl === 'string' ? ctx.settings.wikipediaUrl : undefined },
    );
    const json = facts as unknown as Facts;
    // a catalog text written because Wikipedia was unreachable is provisional: try again in 6 h;
    // a Wikipedia text is refreshed after 30 days so that it follows the article
    const refreshAfterSeconds = facts.fallbackReason === 'unavailable' ? 6 * 3600 : facts.source === 'Wikipedia' ? 30 * 86400 : undefined;
    return { facts: json, ...(warnings.length ? { warnings } : {}), ...(refreshAfterSeconds ? { refreshAfterSeconds } : {}) };
  },
});
