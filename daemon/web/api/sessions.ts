/**
 * API operations on imaging sessions (docs/sessions.md): the list with the
 * image filters, one session, and AstroBin acquisition CSV of a session or of
 * a target across its sessions.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { Session, SessionPage, SessionQuery } from '../../services/SessionService.ts';
import type { ApiRegistry } from './registry.ts';

const IdParams = z.object({ id: z.string().uuid().describe('session id') });

export function sessionOperations(api: ApiRegistry, s: Services): void {
  api.add({
    method: 'get',
    path: '/api/v1/sessions',
    operationId: 'listSessions',
    summary: 'Imaging sessions, newest night first',
    description: 'Filters as for images (all optional, combined with AND); `capturedFrom`/`capturedTo` bound the night.',
    tag: 'sessions',
    access: 'user',
    query: SessionQuery,
    responses: { 200: { description: 'A page of sessions', schema: SessionPage } },
    handler: (ctx) => s.sessions.list(ctx.query as Record<string, unknown>),
  });
  api.add({
    method: 'get',
    path: '/api/v1/sessions/{id}',
    operationId: 'getSession',
    summary: 'One imaging session',
    tag: 'sessions',
    access: 'user',
    params: IdParams,
    responses: { 200: { description: 'The session', schema: Session } },
    handler: (_ctx, { params }) => s.sessions.get(params.id),
  });
  api.add({
    method: 'get',
    path: '/api/v1/sessions/{id}/acquisition.csv',
    operationId: 'getSessionCsv',
    summary: 'The session as AstroBin acquisition CSV',
    description: 'Columns `date,filter,number,duration,binning,gain,sensorCooling,darks,flats,flatDarks,bias,filterName`: AstroBin’s `filter` (its own filter id) is empty, our filter name is in `filterName`.',
    tag: 'sessions',
    access: 'user',
    params: IdParams,
    responses: { 200: { description: 'CSV', contentType: 'text/csv' } },
    handler: async (ctx, { params }) => {
      const body = await s.sessions.sessionCsv(params.id);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="session-${params.id}.csv"`);
      ctx.body = body;
      return undefined;
    },
  });
  api.add({
    method: 'get',
    path: '/api/v1/sessions.csv',
    operationId: 'getTargetSessionsCsv',
    summary: 'A target across its sessions as AstroBin acquisition CSV',
    tag: 'sessions',
    access: 'user',
    query: z.object({ target: z.string().min(1).max(200).describe('Object name or designation: M31, NGC 7000') }),
    responses: { 200: { description: 'CSV', contentType: 'text/csv' }, 404: { description: 'The target has no sessions' } },
    handler: async (ctx, { query }) => {
      const body = await s.sessions.targetCsv(query.target);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="sessions-${query.target.replace(/[^\w.-]+/g, '_')}.csv"`);
      ctx.body = body;
      return undefined;
    },
  });
}
