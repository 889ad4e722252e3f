/**
 * Who is asking: the actor every service method receives, and the checks that
 * make administration admin-only in the service layer (the UI merely hides
 * what a member cannot do).
 */
import { ForbiddenError, UnauthorizedError } from '../errors.ts';

export type Role = 'admin' | 'member';
export const ROLES: readonly Role[] = ['admin', 'member'];

export interface Actor {
  id: string;
  username: string;
  role: Role;
  /** how the request was authenticated */
  via?: 'session' | 'token' | 'system';
  /** the API token of the request (via 'token') */
  tokenId?: string;
}

/** The actor of the CLI and start-up tasks. */
export const SYSTEM_ACTOR: Actor = { id: '00000000-0000-0000-0000-000000000000', username: 'system', role: 'admin', via: 'system' };

export function requireActor(actor: Actor | null | undefined): Actor {
  if (!actor) throw new UnauthorizedError('log in first');
  return actor;
}

export function requireAdmin(actor: Actor | null | undefined): Actor {
  const a = requireActor(actor);
  if (a.role !== 'admin') throw new ForbiddenError('only administrators may do this');
  return a;
}

export function isAdmin(actor: Actor | null | undefined): boolean {
  return actor?.role === 'admin';
}
