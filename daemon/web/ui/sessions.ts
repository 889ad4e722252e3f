/**
 * The session page: acquisition table, calibration summary, stacks, the subs
 * as a grid of thumbnails, and the AstroBin CSV link (docs/sessions.md).
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type { Services } from '../../services/index.ts';
import type { Session } from '../../services/SessionService.ts';
import type { Views } from '../views.ts';

/** The page's title and the image page's link text: "2024-10-01, M31". */
export function sessionLabel(s: Pick<Session, 'night' | 'target'>): string {
  const t = s.target?.id ?? s.target?.name;
  return t ? `${s.night}, ${t}` : s.night;
}

export function sessionPage(s: Services, views: Views): Middleware {
  return async function sessionPage(ctx) {
    const session = await s.sessions.get(ctx.params.id!);
    const [subs, stacks] = await Promise.all([s.sessions.subs(session.id), s.sessions.stacks(session)]);
    views.renderPage(ctx, 'pages/sessions/show', { title: `Session ${sessionLabel(session)}`, session, subs, stacks, label: sessionLabel(session) });
  };
}
