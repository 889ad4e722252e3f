/**
 * The gallery: filters (a plain GET form; htmx swaps the results and pushes
 * the URL), 50 images a page, and target suggestions for the filter. Each card
 * has a checkbox of the bulk-edit form (ui/bulk.ts); static/bulk.js adds ranges
 * and "select all". While files are being processed the gallery says so.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import { FRAME_TYPES } from '../../../agents/sdk/index.ts';
import { constellationNames } from '../../../agents/lib/sky/constellation.ts';
import type { Services } from '../../services/index.ts';
import { decodeCursor, encodeCursor, type SortKey } from '../../services/imageQuery.ts';
import { InvalidInputError } from '../../errors.ts';
import type { Views } from '../views.ts';
import { isHtmx } from '../views.ts';
import { cleanQuery } from './forms.ts';
import { isGroupSort } from '../../services/GalleryService.ts';
import { qs } from '../format.ts';

const SORT_LABELS: Record<SortKey, string> = {
  captured: 'Newest capture',
  '-captured': 'Oldest capture',
  created: 'Recently added',
  integration: 'Most integration',
  name: 'File name',
  target: 'Target',
};

/** UI-only parameters in hours, turned into the API's seconds. */
export function hoursToSeconds(q: Record<string, string | string[]>): Record<string, string | string[]> {
  const out = { ...q };
  for (const [h, sName] of [['integrationMinH', 'integrationMin'], ['integrationMaxH', 'integrationMax']] as const) {
    const v = out[h];
    delete out[h];
    if (typeof v !== 'string') continue;
    const n = Number(v.replace(',', '.'));
    if (!Number.isFinite(n) || n < 0) throw new InvalidInputError(`${h}: a number of hours`);
    out[sName] = String(Math.round(n * 3600));
  }
  return out;
}

let constellationList: { abbr: string; name: string }[] | null = null;
function constellations() {
  constellationList ??= [...constellationNames()].map(([abbr, name]) => ({ abbr, name })).sort((a, b) => a.name.localeCompare(b.name));
  return constellationList;
}

/**
 * The gallery's two views: "Sessions & stacks" (the default: one card per
 * imaging session and per image in no session, keyset-paged) and "Single
 * frames" (`view=frames`: one card per file). A sort by file name, target or
 * integration is an order of files: it shows the frames view.
 */
export function gallery(s: Services, views: Views): Middleware {
  return async function gallery(ctx) {
    const { notice: _n, view: rawView, ...query } = cleanQuery(ctx.query as Record<string, unknown>);
    if (rawView !== undefined && rawView !== 'frames' && rawView !== 'sessions') throw new InvalidInputError('view: sessions or frames');
    const sort = typeof query.sort === 'string' ? query.sort : undefined;
    const view = rawView === 'frames' || !isGroupSort(sort) ? 'frames' : 'sessions';
    // the view travels in every link of the page (paging, filters, cards) unless it is the default
    const viewParam = rawView === 'frames' ? { view: 'frames' } : {};
    const { cursor: _c, ...base } = query;
    const switchUrls = {
      sessions: `/${qs(base, { sort: isGroupSort(sort) ? sort : undefined })}`,
      frames: `/${qs(base, { view: 'frames' })}`,
    };
    const [facets, progress] = await Promise.all([s.images.facets(), s.images.processing()]);
    const common = {
      title: 'Gallery',
      query: { ...query, ...viewParam },
      view,
      switchUrls,
      facets,
      // files catalogued but not yet processed: "76 new files being processed, 12 done" rather than "Nothing matches"
      progress,
      frameTypes: FRAME_TYPES,
      constellations: constellations(),
      sorts: Object.entries(SORT_LABELS).map(([value, label]) => ({ value, label })),
      // filters declared searchable by agents (built-in and third-party)
      factFilters: s.agents.searchableFacts().filter((f) => !BUILT_IN_FILTERED.has(`${f.agent}.${f.path}`)),
    };
    const url = `/${qs(query, viewParam)}`;
    // the form sends every field, empty or not: the address bar gets the clean URL
    if (isHtmx(ctx)) ctx.set('HX-Push-Url', url);
    if (view === 'sessions') {
      const page = await s.gallery.groups(hoursToSeconds(query));
      const pageInfo = {
        total: page.total,
        nextUrl: page.next ? `/${qs(base, { cursor: page.next })}` : null,
        prevUrl: page.prev ? `/${qs(base, { cursor: page.prev })}` : null,
        firstUrl: page.prev ? `/${qs(base)}` : null,
      };
      views.pageOrPartial(ctx, 'pages/images/index', 'partials/images/groups', { ...common, page, pageInfo });
      return;
    }
    const page = await s.images.list(hoursToSeconds(query));
    const offset = decodeCursor(typeof query.cursor === 'string' ? query.cursor : undefined) ?? 0;
    const limit = page.items.length && typeof query.limit === 'string' ? Number(query.limit) : 50;
    const frameBase = { ...base, ...viewParam };
    const pageInfo = {
      from: page.total ? offset + 1 : 0,
      to: offset + page.items.length,
      total: page.total,
      nextUrl: page.next ? `/${qs(frameBase, { cursor: page.next })}` : null,
      prevUrl: offset > 0 ? `/${qs(frameBase, { cursor: offset - limit > 0 ? encodeCursor(offset - limit) : undefined })}` : null,
    };
    views.pageOrPartial(ctx, 'pages/images/index', 'partials/images/results', {
      ...common,
      page,
      pageInfo,
      // the selection form carries the query itself: "edit all N matching" is applied by the server, never as a list of ids
      bulkQuery: qs(base).slice(1),
      // each card links to its image with the query and its place in it: next/previous there
      nav: { from: qs(base).slice(1), offset },
    });
  };
}

/** searchable facts that the gallery already offers as filters of their own */
const BUILT_IN_FILTERED = new Set(['integration.totalSeconds', 'integration.frames', 'platesolve.pixelScaleArcsec', 'platesolve.fieldWidthDeg', 'platesolve.solver']);

/** `<option>`s of a datalist: objects matching what was typed (htmx, on input). */
export function targetSuggestions(s: Services, views: Views): Middleware {
  return async function targetSuggestions(ctx) {
    const text = typeof ctx.query.target === 'string' ? ctx.query.target : typeof ctx.query.q === 'string' ? ctx.query.q : '';
    const items = text.trim().length >= 1 ? await s.objects.suggest(text.slice(0, 100), 12) : [];
    views.renderPartial(ctx, 'partials/objects/suggestions', { items });
  };
}
