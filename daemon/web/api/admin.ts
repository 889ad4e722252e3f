/**
 * API operations of administration (admin only): agents, the processing
 * queue, users, everyone's tokens, system status.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import type { ApiRegistry } from './registry.ts';
import { AgentInfo, AgentList, AgentPatch, AgentRun, QueueInfo, RerunResult, Status, TokenList, User, UserCreate, UserList, UserPatch } from './schemas.ts';

const AgentParams = z.object({ name: z.string().min(1).max(64).describe('agent name') });
const UserParams = z.object({ id: z.string().uuid().describe('user id') });

export function adminOperations(api: ApiRegistry, s: Services): void {
  api.add({
    method: 'get',
    path: '/api/v1/agents',
    operationId: 'listAgents',
    summary: 'Agents with their order, settings and result counts (admin)',
    tag: 'administration',
    access: 'admin',
    responses: { 200: { description: 'Agents', schema: AgentList } },
    handler: (_ctx, { actor }) => s.agents.list(actor),
  });
  api.add({
    method: 'patch',
    path: '/api/v1/agents/{name}',
    operationId: 'updateAgent',
    summary: 'Enable or disable an agent, set its position or settings (admin)',
    description: 'Every image becomes due; cached results make that cheap (only agents whose input changed run again).',
    tag: 'administration',
    access: 'admin',
    params: AgentParams,
    body: AgentPatch,
    responses: { 200: { description: 'The agent', schema: AgentInfo } },
    handler: (_ctx, { params, body, actor }) => s.agents.update(actor, params.name, body),
  });
  api.add({
    method: 'post',
    path: '/api/v1/agents/{name}/run',
    operationId: 'rerunAgent',
    summary: 'Run an agent again on all images, those where it is missing, those where it failed, or given ids (admin)',
    tag: 'administration',
    access: 'admin',
    params: AgentParams,
    body: AgentRun,
    responses: { 202: { description: 'Images made due', schema: RerunResult } },
    handler: (_ctx, { params, body, actor }) => s.agents.rerun(actor, params.name, body),
  });
  api.add({
    method: 'get',
    path: '/api/v1/queue',
    operationId: 'getQueue',
    summary: 'The processing queue: counts, images in progress, recent errors (admin)',
    tag: 'administration',
    access: 'admin',
    responses: { 200: { description: 'The queue', schema: QueueInfo } },
    handler: (_ctx, { actor }) => s.status.queue(actor),
  });
  api.add({
    method: 'get',
    path: '/api/v1/system',
    operationId: 'getSystem',
    summary: 'Full system status: database, storage sources and their state, agents, hosts (admin)',
    tag: 'administration',
    access: 'admin',
    responses: { 200: { description: 'Status', schema: Status } },
    handler: (_ctx, { actor }) => s.status.details(actor),
  });
  api.add({
    method: 'get',
    path: '/api/v1/users',
    operationId: 'listUsers',
    summary: 'Users (admin)',
    tag: 'users',
    access: 'admin',
    responses: { 200: { description: 'Users', schema: UserList } },
    handler: async (_ctx, { actor }) => ({ items: await s.users.list(actor) }),
  });
  api.add({
    method: 'post',
    path: '/api/v1/users',
    operationId: 'createUser',
    summary: 'Create a user (admin)',
    tag: 'users',
    access: 'admin',
    body: UserCreate,
    responses: { 201: { description: 'Created', schema: User }, 409: { description: 'The name is taken' } },
    handler: (_ctx, { body, actor }) => s.users.create(actor, body),
  });
  api.add({
    method: 'get',
    path: '/api/v1/users/{id}',
    operationId: 'getUser',
    summary: 'One user (admin)',
    tag: 'users',
    access: 'admin',
    params: UserParams,
    responses: { 200: { description: 'The user', schema: User } },
    handler: (_ctx, { params, actor }) => s.users.get(actor, params.id),
  });
  api.add({
    method: 'patch',
    path: '/api/v1/users/{id}',
    operationId: 'updateUser',
    summary: 'Change role, disable, or set a new password (admin)',
    tag: 'users',
    access: 'admin',
    params: UserParams,
    body: UserPatch,
    responses: { 200: { description: 'The user', schema: User }, 409: { description: 'It is the last administrator' } },
    handler: (_ctx, { params, body, actor }) => s.users.update(actor, params.id, body),
  });
  api.add({
    method: 'delete',
    path: '/api/v1/users/{id}',
    operationId: 'deleteUser',
    summary: 'Delete a user (admin)',
    tag: 'users',
    access: 'admin',
    params: UserParams,
    responses: { 204: { description: 'Deleted' }, 409: { description: 'It is the last administrator' } },
    handler: async (ctx, { params, actor }) => {
      await s.users.remove(actor, params.id);
      ctx.status = 204;
      return undefined;
    },
  });
  api.add({
    method: 'post',
    path: '/api/v1/users/{id}/totp/reset',
    operationId: 'resetUserTotp',
    summary: "Turn off a user's second factor (lost phone) (admin)",
    tag: 'users',
    access: 'admin',
    params: UserParams,
    responses: { 200: { description: 'The user', schema: User } },
    handler: (_ctx, { params, actor }) => s.users.resetTotp(actor, params.id),
  });
  api.add({
    method: 'get',
    path: '/api/v1/admin/tokens',
    operationId: 'listAllTokens',
    summary: "Every user's API tokens (admin)",
    tag: 'users',
    access: 'admin',
    responses: { 200: { description: 'Tokens (never the secret)', schema: TokenList } },
    handler: async (_ctx, { actor }) => ({ items: await s.auth.listTokens(actor, { all: true }) }),
  });
}
