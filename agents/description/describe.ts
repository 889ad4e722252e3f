/**
 * The description of one catalog object: Wikipedia's page summary when there
 * is a fitting article, else a text written from the catalog. Summaries (and
 * "no article" answers) are cached through the agent cache, so a target shared
 * by a thousand subs costs one request.
 */
import type { AgentCache, AgentLogger, Json } from '../sdk/index.ts';
import type { DescriptionFacts } from '../sdk/facts.ts';
import { catalogDescription, type CatalogFacts } from './fallback.ts';
import { titleCandidates, looksAstronomical } from './titles.ts';
import { fetchSummary, wikipediaBaseUrl, WikipediaUnavailable, type SummaryResult } from './wikipedia.ts';

/** How long a summary is kept: article intros change slowly. */
export const SUMMARY_TTL_SECONDS = 30 * 24 * 3600;
/** How long "no such article" is kept: articles get written. */
export const MISSING_TTL_SECONDS = 7 * 24 * 3600;

export const WIKIPEDIA_LICENSE = 'CC BY-SA 4.0';
const WIKIPEDIA_LICENSE_URL = 'https://creativecommons.org/licenses/by-sa/4.0/';

export interface DescribeOptions {
  /** Wikipedia base URL (the agent's setting, from the host's configuration); empty: en.wikipedia.org */
  baseUrl?: string;
  cache: AgentCache;
  log?: AgentLogger;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** false: never ask Wikipedia (offline installations) */
  wikipedia?: boolean;
}

export interface DescribeOutput {
  facts: DescriptionFacts;
  warnings: string[];
}

function cacheKey(base: string, title: string): string {
  return `summary:v1:${base}:${title}`;
}

async function cachedSummary(title: string, base: string, options: DescribeOptions): Promise<SummaryResult> {
  const key = cacheKey(base, title);
  try {
    const hit = await options.cache.get(key);
    if (hit && typeof hit === 'object' && !Array.isArray(hit) && typeof hit.status === 'string') return hit as unknown as SummaryResult;
  } catch (err) {
    options.log?.warn('description cache read failed', { error: (err as Error).message });
  }
  const result = await fetchSummary(title, { baseUrl: base, signal: options.signal, timeoutMs: options.timeoutMs });
  try {
    const ttlSeconds = result.status === 'ok' ? SUMMARY_TTL_SECONDS : MISSING_TTL_SECONDS;
    await options.cache.set(key, result as unknown as Json, { ttlSeconds });
  } catch (err) {
    options.log?.warn('description cache write failed', { error: (err as Error).message });
  }
  return result;
}

function fromCatalog(object: CatalogFacts, reason: string): DescriptionFacts {
  return {
    object: object.id,
    title: object.name ?? object.id,
    text: catalogDescription(object),
    source: 'Sidereal catalog',
    url: null,
    license: null,
    attribution: 'Written by Sidereal from its catalog (deep-sky data from d3-celestial, BSD-3-Clause, © Olaf Frohn).',
    fallbackReason: reason,
  };
}

export async function describeObject(object: CatalogFacts & { aliases?: string[] }, options: DescribeOptions): Promise<DescribeOutput> {
  if (options.wikipedia === false) return { facts: fromCatalog(object, 'disabled'), warnings: [] };
  const base = wikipediaBaseUrl(options.baseUrl);
  for (const candidate of titleCandidates(object)) {
    let result: SummaryResult;
    try {
      result = await cachedSummary(candidate.title, base, options);
    } catch (err) {
      // shutting down or out of time: not a reason to store a fallback
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      if (!(err instanceof WikipediaUnavailable)) throw err;
      // not cached: the next run may reach Wikipedia
      return { facts: fromCatalog(object, 'unavailable'), warnings: [`${err.message}; the description was written from the catalog`] };
    }
    if (result.status !== 'ok') continue;
    const { summary } = result;
    if (candidate.kind === 'name' && !looksAstronomical(`${summary.description ?? ''} ${summary.extract}`)) continue;
    return {
      facts: {
        object: object.id,
        title: summary.title,
        text: summary.extract,
        source: 'Wikipedia',
        url: summary.url,
        license: WIKIPEDIA_LICENSE,
        licenseUrl: WIKIPEDIA_LICENSE_URL,
        attribution: `Text from the Wikipedia article "${summary.title}" (${summary.url}) by its contributors, under ${WIKIPEDIA_LICENSE}.`,
        fallbackReason: null,
      },
      warnings: [],
    };
  }
  return { facts: fromCatalog(object, 'not-found'), warnings: [] };
}
