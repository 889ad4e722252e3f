/**
 * A small client for Wikipedia's REST page-summary API
 * (`GET {base}/api/rest_v1/page/summary/{title}`): one request per call, a
 * proper User-Agent, redirects followed, every request through the shared
 * rate limiter, and a hard timeout.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RequestQueue } from './request-queue.ts';

/** Base URL of the Wikipedia to ask: the configured one (the agent's `wikipediaUrl` setting), else en.wikipedia.org. */
export function wikipediaBaseUrl(configured?: string): string {
  return (configured?.trim() || 'https://en.wikipedia.org').replace(/\/+$/, '');
}

let version: string | null = null;

/** Sidereal's version from the nearest package.json named "sidereal" (works from the source tree and from dist/). */
export function siderealVersion(): string {
  if (version !== null) return version;
  version = '0';
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sidereal' && pkg.version) {
        version = pkg.version;
        break;
      }
    } catch {
      // not here: look one folder up
    }
    dir = path.dirname(dir);
  }
  return version;
}

/** The User-Agent Wikimedia asks API clients to send. */
export function userAgent(): string {
  return `Sidereal/${siderealVersion()} (self-hosted astrophotography catalog)`;
}

/** The fields of a page summary that Sidereal uses. */
export interface PageSummary {
  type: string;
  title: string;
  description: string | null;
  extract: string;
  url: string;
  lang: string | null;
}

export type SummaryResult =
  | { status: 'ok'; summary: PageSummary }
  | { status: 'missing' }
  | { status: 'disambiguation'; title: string };

/** A request failed in a way that may work later (network, timeout, 5xx, 429). */
export class WikipediaUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WikipediaUnavailable';
  }
}

/** Wikimedia's REST API asks for at most a few requests per second from one client; we stay well below. */
const queue = new RequestQueue({ minIntervalMs: 250, maxConcurrent: 2 });

/** Path segment for a title: spaces as underscores, everything else percent-encoded (also "/"). */
export function titleSegment(title: string): string {
  return encodeURIComponent(title.trim().replace(/ /g, '_'));
}

export interface FetchSummaryOptions {
  baseUrl?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export async function fetchSummary(title: string, options: FetchSummaryOptions = {}): Promise<SummaryResult> {
  const base = options.baseUrl ?? wikipediaBaseUrl();
  const url = `${base}/api/rest_v1/page/summary/${titleSegment(title)}`;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await queue.run(() => fetch(url, {
      headers: { 'User-Agent': userAgent(), Accept: 'application/json; charset=utf-8' },
      redirect: 'follow',
      signal,
    }), signal);
  } catch (err) {
    throw new WikipediaUnavailable(`Wikipedia could not be reached: ${(err as Error).message}`, { cause: err });
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return { status: 'missing' };
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new WikipediaUnavailable(`Wikipedia answered ${res.status} for "${title}"`);
  }
  let body: Record<string, unknown>;
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch (err) {
    throw new WikipediaUnavailable(`Wikipedia sent an unreadable answer for "${title}"`, { cause: err });
  }
  const type = typeof body.type === 'string' ? body.type : 'standard';
  const pageTitle = typeof body.title === 'string' ? body.title : title;
  if (type === 'disambiguation') return { status: 'disambiguation', title: pageTitle };
  const extract = typeof body.extract === 'string' ? body.extract.trim() : '';
  if (!extract || type === 'no-extract' || type === 'mainpage') return { status: 'missing' };
  const urls = body.content_urls as { desktop?: { page?: unknown } } | undefined;
  const pageUrl = typeof urls?.desktop?.page === 'string' ? urls.desktop.page : `${base}/wiki/${titleSegment(pageTitle)}`;
  return {
    status: 'ok',
    summary: {
      type,
      title: pageTitle,
      description: typeof body.description === 'string' ? body.description : null,
      extract,
      url: pageUrl,
      lang: typeof body.lang === 'string' ? body.lang : null,
    },
  };
}
