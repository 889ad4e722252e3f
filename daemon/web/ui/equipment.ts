/**
 * The equipment register: a list per type, an item's page (edit, aliases,
 * merge, delete, images that used it), and the form to create one. A form
 * that fails validation comes back with its message and the values typed.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type Koa from 'koa';
import type { Services } from '../../services/index.ts';
import { EQUIPMENT_TYPES } from '../../services/EquipmentService.ts';
import { InvalidInputError } from '../../errors.ts';
import type { Views } from '../views.ts';
import { field, formBody, lines, redirectAfterPost, userError, type FormBody } from './forms.ts';

export function equipmentList(s: Services, views: Views): Middleware {
  return async function equipmentList(ctx) {
    const type = typeof ctx.query.type === 'string' && ctx.query.type ? ctx.query.type : undefined;
    const q = typeof ctx.query.q === 'string' ? ctx.query.q : undefined;
    const { items } = await s.equipment.list({ type, q });
    const groups = EQUIPMENT_TYPES.map((t) => ({ type: t, items: items.filter((i) => i.type === t) })).filter((g) => g.items.length || g.type === type);
    views.pageOrPartial(ctx, 'pages/equipment/index', 'partials/equipment/list', { title: 'Equipment', groups, type: type ?? '', q: q ?? '', types: EQUIPMENT_TYPES });
  };
}

function renderForm(ctx: Koa.Context, views: Views, data: { values: Record<string, unknown>; error?: string }, status?: number) {
  views.renderPage(ctx, 'pages/equipment/new', { title: 'New equipment', types: EQUIPMENT_TYPES, ...data }, status);
}

export function newEquipment(views: Views): Middleware {
  return async function newEquipment(ctx) {
    renderForm(ctx, views, { values: { type: typeof ctx.query.type === 'string' ? ctx.query.type : 'camera' } });
  };
}

const inputOf = (b: FormBody) => ({ type: field(b, 'type'), name: field(b, 'name'), notes: field(b, 'notes') ?? null, aliases: lines(b, 'aliases') });

export function createEquipment(s: Services, views: Views): Middleware {
  return async function createEquipment(ctx) {
    const b = formBody(ctx);
    const input = inputOf(b);
    try {
      const item = await s.equipment.create(ctx.state.actor, input);
      redirectAfterPost(ctx, `/equipment/${item.id}?notice=created`);
    } catch (err) {
      const e = userError(err);
      renderForm(ctx, views, { values: { ...input, aliases: input.aliases.join('\n') }, error: e.message }, e.status);
    }
  };
}

async function renderItem(ctx: Koa.Context, s: Services, views: Views, id: string, extra: Record<string, unknown> = {}, status?: number) {
  const cursor = typeof ctx.query.cursor === 'string' ? ctx.query.cursor : undefined;
  const item = await s.equipment.detail(id, { cursor });
  const others = (await s.equipment.list({ type: item.type })).items.filter((i) => i.id !== id);
  views.renderPage(ctx, 'pages/equipment/show', { title: item.name, item, others, values: { name: item.name, notes: item.notes ?? '', aliases: item.aliases.join('\n') }, ...extra }, status);
}

export function equipmentPage(s: Services, views: Views): Middleware {
  return async function equipmentPage(ctx) {
    await renderItem(ctx, s, views, ctx.params.id!);
  };
}

export function updateEquipment(s: Services, views: Views): Middleware {
  return async function updateEquipment(ctx) {
    const id = ctx.params.id!;
    const b = formBody(ctx);
    const input = { name: field(b, 'name') ?? '', notes: field(b, 'notes') ?? null, aliases: lines(b, 'aliases') };
    try {
      await s.equipment.update(ctx.state.actor, id, input);
      redirectAfterPost(ctx, `/equipment/${id}?notice=saved`);
    } catch (err) {
      const e = userError(err);
      await renderItem(ctx, s, views, id, { error: e.message, values: { ...input, aliases: input.aliases.join('\n') } }, e.status);
    }
  };
}

/** A careful action asks first: a POST without `confirm=yes` shows what will happen (works without JavaScript). */
const confirmed = (b: FormBody) => field(b, 'confirm') === 'yes';

export function mergeEquipment(s: Services, views: Views): Middleware {
  return async function mergeEquipment(ctx) {
    const id = ctx.params.id!;
    const b = formBody(ctx);
    const into = field(b, 'into') ?? '';
    try {
      if (!into) throw new InvalidInputError('choose the item to merge into');
      if (!confirmed(b)) {
        const [item, target] = await Promise.all([s.equipment.get(id), s.equipment.get(into)]);
        return views.renderPage(ctx, 'pages/confirm/index', {
          title: 'Merge equipment?',
          confirm: {
            question: `Merge “${item.name}” into “${target.name}”?`,
            lines: [
              `${item.imageCount} image${item.imageCount === 1 ? '' : 's'} will use “${target.name}” (${target.imageCount} already do).`,
              `Its aliases (${item.aliases.join(', ') || 'none'}) move to “${target.name}”.`,
              `“${item.name}” is then deleted. This cannot be undone.`,
            ],
            action: `/equipment/${id}/merge`,
            fields: { into },
            button: 'Merge',
            danger: true,
            cancel: `/equipment/${id}`,
          },
        });
      }
      const kept = await s.equipment.merge(ctx.state.actor, id, into);
      redirectAfterPost(ctx, `/equipment/${kept.id}?notice=merged`);
    } catch (err) {
      const e = userError(err);
      await renderItem(ctx, s, views, id, { mergeError: e.message }, e.status);
    }
  };
}

export function deleteEquipment(s: Services, views: Views): Middleware {
  return async function deleteEquipment(ctx) {
    const id = ctx.params.id!;
    try {
      const item = await s.equipment.get(id);
      if (!confirmed(formBody(ctx))) {
        return views.renderPage(ctx, 'pages/confirm/index', {
          title: 'Delete equipment?',
          confirm: {
            question: `Delete “${item.name}”?`,
            lines: [`The ${item.type} and its aliases (${item.aliases.join(', ') || 'none'}) are removed from the register.`],
            warning: item.imageCount ? `${item.imageCount} image${item.imageCount === 1 ? ' uses' : 's use'} it: merge it into another ${item.type} instead.` : null,
            action: `/equipment/${id}/delete`,
            button: 'Delete',
            danger: true,
            cancel: `/equipment/${id}`,
          },
        });
      }
      await s.equipment.remove(ctx.state.actor, id);
      redirectAfterPost(ctx, `/equipment?type=${item.type}&notice=deleted`);
    } catch (err) {
      const e = userError(err);
      await renderItem(ctx, s, views, id, { deleteError: e.message }, e.status);
    }
  };
}
