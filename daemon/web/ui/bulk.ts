/**
 * Bulk edit from the gallery, in three steps that all work without JavaScript:
 * the gallery's selection form posts here (the ticked cards, or every image
 * of the gallery's query), then the edit form (target, frame type, camera,
 * telescope, notes), then a confirmation page that says how many images
 * change (the shared confirmation page), then the edit itself through
 * ImageService.editMany — the same rules and permissions as a single edit.
 * A selection by query travels as the gallery's query string, never as a list
 * of every matching id.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type Koa from 'koa';
import { FRAME_TYPES } from '../../../agents/sdk/index.ts';
import type { Services } from '../../services/index.ts';
import type { BulkEdit, ImageSelection } from '../../services/ImageService.ts';
import type { Views } from '../views.ts';
import { cleanQuery, field, formBody, redirectAfterPost, userError, type FormBody } from './forms.ts';
import { hoursToSeconds } from './gallery.ts';

const PATCH_FIELDS = ['target', 'frameType', 'camera', 'telescope', 'notes', 'notesMode'] as const;

/** The gallery's query string (as the gallery shows it: hours, not seconds) without paging. */
function galleryQuery(b: FormBody): { text: string; params: Record<string, string | string[]> } {
  const params = new URLSearchParams(field(b, 'query') ?? '');
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    if (key === 'cursor' || key === 'limit' || key === 'notice') continue;
    const all = params.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  const clean = cleanQuery(out);
  const text = new URLSearchParams(Object.entries(clean).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]]))).toString();
  return { text, params: clean };
}

/** Ticked ids: repeated `ids` fields (the gallery) or one comma-separated field (the confirmation step). */
function idsOf(b: FormBody): string[] {
  const v = b.ids;
  const all = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return all.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

function selectionOf(b: FormBody): { selection: ImageSelection; scope: 'ids' | 'query'; query: string } {
  const { text, params } = galleryQuery(b);
  if (field(b, 'scope') === 'query') return { selection: { query: hoursToSeconds(params) }, scope: 'query', query: text };
  return { selection: { ids: idsOf(b) }, scope: 'ids', query: text };
}

/** The form's patch: an empty field (or "keep") leaves that field of the images alone. */
function patchOf(b: FormBody): BulkEdit {
  const patch: BulkEdit = {};
  const target = field(b, 'target');
  if (target) patch.target = target;
  const frameType = field(b, 'frameType');
  if (frameType) patch.frameType = frameType;
  const camera = field(b, 'camera');
  if (camera) patch.camera = camera;
  const telescope = field(b, 'telescope');
  if (telescope) patch.telescope = telescope;
  const notes = field(b, 'notes');
  if (notes) patch.notes = notes;
  patch.notesMode = field(b, 'notesMode') === 'append' ? 'append' : 'replace';
  return patch;
}

const backTo = (query: string) => `/${query ? `?${query}` : ''}`;

async function equipmentChoices(s: Services) {
  const [cameras, telescopes] = await Promise.all([s.equipment.list({ type: 'camera' }), s.equipment.list({ type: 'telescope' })]);
  const pick = (items: { id: string; name: string }[]) => items.map((e) => ({ id: e.id, name: e.name })).sort((a, c) => a.name.localeCompare(c.name));
  return { cameras: pick(cameras.items), telescopes: pick(telescopes.items) };
}

async function renderForm(s: Services, views: Views, ctx: Koa.Context, b: FormBody, count: number | null, error: string | null, status?: number, showForm = true) {
  const { scope, query, selection } = selectionOf(b);
  views.renderPage(
    ctx,
    'pages/images/bulk',
    {
      title: 'Edit images',
      count,
      scope,
      query,
      ids: 'ids' in selection ? selection.ids.join(',') : '',
      back: backTo(query),
      values: Object.fromEntries(PATCH_FIELDS.map((k) => [k, field(b, k) ?? ''])),
      frameTypes: FRAME_TYPES,
      ...(await equipmentChoices(s)),
      error,
      showForm,
    },
    status,
  );
}

/** POST /images/bulk: step by step (`stage`: edit → confirm → apply). */
export function bulkEdit(s: Services, views: Views): Middleware {
  return async function bulkEdit(ctx) {
    const b = formBody(ctx);
    const stage = field(b, 'stage') ?? 'edit';
    const { selection, scope, query } = selectionOf(b);
    if (stage === 'edit') {
      // the selection is counted (and checked) before the form is shown
      try {
        const count = await s.images.countSelection(ctx.state.actor, selection);
        return renderForm(s, views, ctx, b, count, count ? null : 'Nothing matches this query: there is nothing to edit.', count ? undefined : 422, count > 0);
      } catch (err) {
        const e = userError(err);
        return renderForm(s, views, ctx, b, null, scope === 'ids' && !idsOf(b).length ? 'Tick the images to edit first (or edit every image of the query).' : e.message, e.status, false);
      }
    }
    const patch = patchOf(b);
    try {
      if (stage === 'confirm' || field(b, 'confirm') !== 'yes') {
        const { changed } = await s.images.editMany(ctx.state.actor, selection, patch, { dryRun: true });
        return views.renderPage(ctx, 'pages/confirm/index', {
          title: 'Edit images',
          confirm: {
            question: `Change ${changed} image${changed === 1 ? '' : 's'}?`,
            lines: await describe(s, patch),
            warning: changed > 1 ? 'Each image keeps its other corrections; the changed images are processed again.' : null,
            action: '/images/bulk',
            fields: {
              stage: 'apply',
              scope,
              query,
              ids: 'ids' in selection ? selection.ids.join(',') : '',
              ...Object.fromEntries(PATCH_FIELDS.map((k) => [k, field(b, k) ?? ''])),
            },
            button: `Change ${changed} image${changed === 1 ? '' : 's'}`,
            cancel: backTo(query),
          },
        });
      }
      await s.images.editMany(ctx.state.actor, selection, patch);
      redirectAfterPost(ctx, `/?${query ? `${query}&` : ''}notice=saved`);
    } catch (err) {
      const e = userError(err);
      return renderForm(s, views, ctx, b, null, e.message, e.status);
    }
  };
}

/** What will change, in words, for the confirmation page. */
async function describe(s: Services, patch: BulkEdit): Promise<string[]> {
  const lines: string[] = [];
  if (patch.target) lines.push(`Target: ${patch.target}`);
  if (patch.frameType) lines.push(`Frame type: ${patch.frameType}`);
  for (const type of ['camera', 'telescope'] as const) {
    const id = patch[type];
    if (id) lines.push(`${type === 'camera' ? 'Camera' : 'Telescope'}: ${(await s.equipment.get(id)).name}`);
  }
  if (patch.notes) lines.push(`${patch.notesMode === 'append' ? 'Add to the notes' : 'Notes (replacing the old ones)'}: ${patch.notes}`);
  return lines;
}
