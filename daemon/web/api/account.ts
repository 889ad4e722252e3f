/**
 * API operations of one's own account: login, who am I, password, API
 * tokens, the TOTP second factor.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import type { ApiRegistry } from './registry.ts';
import { Health, Login, LoginResult, PasswordChange, PasswordChanged, Status, TokenCreate, TokenCreated, TokenList, TotpBegin, TotpConfirm, TotpConfirmed, TotpDisable, User } from './schemas.ts';

export function accountOperations(api: ApiRegistry, s: Services): void {
  api.add({
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Liveness: 200 while the process serves',
    tag: 'system',
    access: 'public',
    responses: { 200: { description: 'Alive', schema: Health } },
    handler: () => ({ status: 'ok' }),
  });
  api.add({
    method: 'get',
    path: '/status',
    operationId: 'status',
    summary: 'Database, storage, agents and the processing queue (503 when the database is down)',
    tag: 'system',
    access: 'user',
    responses: { 200: { description: 'Status', schema: Status }, 503: { description: 'Down', schema: Status } },
    handler: async (ctx) => {
      const st = await s.status.status();
      ctx.status = st.status === 'down' ? 503 : 200;
      ctx.body = st;
      return undefined;
    },
  });
  api.add({
    method: 'post',
    path: '/api/v1/auth/login',
    operationId: 'login',
    summary: 'Log in: a bearer token (valid 30 days) for `Authorization: Bearer …`',
    description: 'Rate limited per address and user name (429 with Retry-After). Accounts with a second factor also send `code`.',
    tag: 'account',
    access: 'public',
    body: Login,
    responses: { 200: { description: 'A token', schema: LoginResult }, 401: { description: 'Wrong user name, password or code' }, 429: { description: 'Too many failed attempts' } },
    handler: (ctx, { body }) => s.auth.tokenLogin({ ...body, ip: ctx.ip || null }),
  });
  api.add({
    method: 'get',
    path: '/api/v1/me',
    operationId: 'me',
    summary: 'The logged-in user',
    tag: 'account',
    access: 'user',
    responses: { 200: { description: 'The user', schema: User } },
    handler: (_ctx, { actor }) => s.users.me(actor),
  });
  api.add({
    method: 'post',
    path: '/api/v1/me/password',
    operationId: 'changePassword',
    summary: "Change one's password: every other session ends and every API token is revoked",
    description: 'Other browser sessions end and API tokens (30-day login tokens included) are revoked, except the session or token making the change. Needs the current password; rate limited like a login (429).',
    tag: 'account',
    access: 'user',
    body: PasswordChange,
    responses: { 200: { description: 'Changed', schema: PasswordChanged }, 429: { description: 'Too many failed attempts' } },
    handler: (ctx, { body, actor }) => s.users.changePassword(actor, body, ctx.state.session?.idHash ?? null, ctx.ip || null),
  });
  api.add({
    method: 'get',
    path: '/api/v1/tokens',
    operationId: 'listTokens',
    summary: "One's API tokens",
    tag: 'account',
    access: 'user',
    responses: { 200: { description: 'Tokens (never the secret)', schema: TokenList } },
    handler: async (_ctx, { actor }) => ({ items: await s.auth.listTokens(actor) }),
  });
  api.add({
    method: 'post',
    path: '/api/v1/tokens',
    operationId: 'createToken',
    summary: 'Create an API token (the secret is shown only in this answer)',
    tag: 'account',
    access: 'user',
    body: TokenCreate,
    responses: { 201: { description: 'The token', schema: TokenCreated } },
    handler: (_ctx, { body, actor }) => s.auth.createToken(actor, body),
  });
  api.add({
    method: 'delete',
    path: '/api/v1/tokens/{id}',
    operationId: 'revokeToken',
    summary: 'Revoke a token (its owner, or an admin)',
    tag: 'account',
    access: 'user',
    params: z.object({ id: z.string().uuid() }),
    responses: { 204: { description: 'Revoked' } },
    handler: async (ctx, { params, actor }) => {
      await s.auth.revokeToken(actor, params.id);
      ctx.status = 204;
      return undefined;
    },
  });
  api.add({
    method: 'post',
    path: '/api/v1/me/totp',
    operationId: 'beginTotp',
    summary: 'Start enrolling a TOTP second factor: a secret and its QR code (SVG)',
    tag: 'account',
    access: 'user',
    responses: { 200: { description: 'Scan the QR code, then confirm with a code', schema: TotpBegin } },
    handler: (_ctx, { actor }) => s.users.beginTotp(actor),
  });
  api.add({
    method: 'post',
    path: '/api/v1/me/totp/confirm',
    operationId: 'confirmTotp',
    summary: 'Confirm the second factor with a code; returns recovery codes (shown once)',
    tag: 'account',
    access: 'user',
    body: TotpConfirm,
    responses: { 200: { description: 'On', schema: TotpConfirmed } },
    handler: (ctx, { body, actor }) => s.users.confirmTotp(actor, body.code, ctx.ip || null),
  });
  api.add({
    method: 'delete',
    path: '/api/v1/me/totp',
    operationId: 'disableTotp',
    summary: 'Turn the second factor off (needs the password)',
    tag: 'account',
    access: 'user',
    body: TotpDisable,
    responses: { 204: { description: 'Off' } },
    handler: async (ctx, { body, actor }) => {
      await s.users.disableTotp(actor, body.password, ctx.ip || null);
      ctx.status = 204;
      return undefined;
    },
  });
}
