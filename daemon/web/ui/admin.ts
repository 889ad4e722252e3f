/**
 * Administration pages (admin only: every service call below checks the role
 * itself): system and storage sources, agents with live counts, the
 * processing queue and recent errors, users, everyone's tokens.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type Koa from 'koa';
import type { Services } from '../../services/index.ts';
import type { Views } from '../views.ts';
import { isHtmx } from '../views.ts';
import { field, formBody, redirectAfterPost, userError } from './forms.ts';

export function systemPage(s: Services, views: Views): Middleware {
  return async function systemPage(ctx) {
    const status = await s.status.details(ctx.state.actor);
    views.renderPage(ctx, 'pages/admin/system', { title: 'System', section: 'system', status });
  };
}

async function renderAgents(ctx: Koa.Context, s: Services, views: Views, extra: Record<string, unknown> = {}, status?: number) {
  const agents = await s.agents.list(ctx.state.actor);
  const queue = await s.status.queue(ctx.state.actor);
  views.pageOrPartial(ctx, 'pages/admin/agents', 'partials/admin/agentCounts', { title: 'Agents', section: 'agents', agents, queue: queue.counts, ...extra }, status);
}

export function agentsPage(s: Services, views: Views): Middleware {
  return async function agentsPage(ctx) {
    await renderAgents(ctx, s, views);
  };
}

/** One form per agent: enable/disable, move up/down, or save settings (`settings.<key>` fields). */
export function updateAgent(s: Services, views: Views): Middleware {
  return async function updateAgent(ctx) {
    const name = ctx.params.name!;
    const b = formBody(ctx);
    try {
      const move = field(b, 'move');
      if (move) await s.agents.move(ctx.state.actor, name, move as 'up' | 'down');
      else if (field(b, 'enabled')) await s.agents.update(ctx.state.actor, name, { enabled: field(b, 'enabled') === 'true' });
      else {
        const settings: Record<string, unknown> = {};
        // `settings.<key>` fields (the form parser may already have nested them)
        const nested = (b as Record<string, unknown>).settings;
        const entries = nested && typeof nested === 'object' ? Object.entries(nested as Record<string, unknown>) : Object.entries(b).filter(([k]) => k.startsWith('settings.')).map(([k, v]) => [k.slice(9), v] as const);
        for (const [k, v] of entries) settings[k] = Array.isArray(v) ? v.at(-1) : v;
        await s.agents.update(ctx.state.actor, name, { settings });
      }
      redirectAfterPost(ctx, `/admin/agents?notice=saved#agent-${name}`);
    } catch (err) {
      const e = userError(err);
      await renderAgents(ctx, s, views, { errorFor: name, error: e.message }, e.status);
    }
  };
}

export function rerunAgent(s: Services, views: Views): Middleware {
  return async function rerunAgent(ctx) {
    const name = ctx.params.name!;
    const scope = field(formBody(ctx), 'scope') as 'all' | 'missing' | 'failed' | undefined;
    try {
      const r = await s.agents.rerun(ctx.state.actor, name, { scope: scope ?? 'missing' });
      if (isHtmx(ctx)) return renderAgents(ctx, s, views, { queued: { agent: name, images: r.images } });
      redirectAfterPost(ctx, `/admin/agents?notice=rerun#agent-${name}`);
    } catch (err) {
      const e = userError(err);
      await renderAgents(ctx, s, views, { errorFor: name, error: e.message }, e.status);
    }
  };
}

export function queuePage(s: Services, views: Views): Middleware {
  return async function queuePage(ctx) {
    const queue = await s.status.queue(ctx.state.actor);
    views.pageOrPartial(ctx, 'pages/admin/queue', 'partials/admin/queue', { title: 'Processing queue', section: 'queue', queue });
  };
}

/** Header keywords the file agent does not map, counted over the library (`?q=` filters by keyword). */
export function keywordsPage(s: Services, views: Views): Middleware {
  return async function keywordsPage(ctx) {
    const q = typeof ctx.query.q === 'string' ? ctx.query.q : undefined;
    const keywords = await s.keywords.unknown(ctx.state.actor, { q });
    views.renderPage(ctx, 'pages/admin/keywords', { title: 'Unknown keywords', section: 'keywords', keywords, q: q ?? '' });
  };
}

async function renderUsers(ctx: Koa.Context, s: Services, views: Views, extra: Record<string, unknown> = {}, status?: number) {
  const users = await s.users.list(ctx.state.actor);
  views.renderPage(ctx, 'pages/admin/users', { title: 'Users', section: 'users', users, values: { role: 'member' }, ...extra }, status);
}

export function usersPage(s: Services, views: Views): Middleware {
  return async function usersPage(ctx) {
    await renderUsers(ctx, s, views);
  };
}

export function createUser(s: Services, views: Views): Middleware {
  return async function createUser(ctx) {
    const b = formBody(ctx);
    const values = { username: field(b, 'username') ?? '', role: field(b, 'role') ?? 'member' };
    try {
      await s.users.create(ctx.state.actor, { ...values, password: typeof b.password === 'string' ? b.password : '' });
      redirectAfterPost(ctx, '/admin/users?notice=created');
    } catch (err) {
      const e = userError(err);
      await renderUsers(ctx, s, views, { error: e.message, values }, e.status);
    }
  };
}

/** Role, enable/disable, new password, reset the second factor, delete. */
export function updateUser(s: Services, views: Views): Middleware {
  return async function updateUser(ctx) {
    const id = ctx.params.id!;
    const b = formBody(ctx);
    const action = field(b, 'action');
    try {
      if (action === 'delete' && field(b, 'confirm') !== 'yes') {
        // a careful action asks first (a page of its own: works without JavaScript)
        const user = await s.users.get(ctx.state.actor, id);
        const self = ctx.state.actor?.id === id;
        return views.renderPage(ctx, 'pages/confirm/index', {
          title: 'Delete user?',
          confirm: {
            question: self ? `Delete your own account “${user.username}”?` : `Delete the user “${user.username}”?`,
            lines: ['Their sessions and API tokens end at once. Images and equipment stay in the library.'],
            warning: self ? 'This is your own account: you will be logged out and cannot log in again.' : null,
            action: `/admin/users/${id}`,
            fields: { action: 'delete' },
            button: self ? 'Delete my account' : 'Delete user',
            danger: true,
            cancel: '/admin/users',
          },
        });
      }
      if (action === 'delete') await s.users.remove(ctx.state.actor, id);
      else if (action === 'reset-totp') await s.users.resetTotp(ctx.state.actor, id);
      else if (action === 'role') await s.users.update(ctx.state.actor, id, { role: field(b, 'role') });
      else if (action === 'disable' || action === 'enable') await s.users.update(ctx.state.actor, id, { disabled: action === 'disable' });
      else if (action === 'password') await s.users.update(ctx.state.actor, id, { password: typeof b.password === 'string' ? b.password : '' });
      else throw new (await import('../../errors.ts')).InvalidInputError('unknown action');
      redirectAfterPost(ctx, `/admin/users?notice=${action === 'delete' ? 'deleted' : action === 'password' ? 'password_reset' : 'saved'}`);
    } catch (err) {
      const e = userError(err);
      await renderUsers(ctx, s, views, { errorFor: id, rowError: e.message }, e.status);
    }
  };
}

export function tokensPage(s: Services, views: Views): Middleware {
  return async function tokensPage(ctx) {
    const tokens = await s.auth.listTokens(ctx.state.actor, { all: true });
    views.renderPage(ctx, 'pages/admin/tokens', { title: 'API tokens', section: 'tokens', tokens });
  };
}
