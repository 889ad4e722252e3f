/**
 * The session page: acquisition table, calibration summary, stacks, the subs
 * as a grid of thumbnails, and the AstroBin CSV link (docs/sessions.md).
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type { Services } from '../../services/index.ts';
import type { Session } from '../../services/SessionService.ts';
import type { Views } from '../views.ts';
import { qs } from '../format.ts';

/** The page's title and the image page's link text: "2024-10-01, M31". */
export function sessionLabel(s: Pick<Session, 'night' | 'target'>): string {
  const t = s.target?.id ?? s.target?.name;
  return t ? `${s.night}, ${t}` : s.night;
}

export function sessionPage(s: Services, views: Views): Middleware {
  return async function sessionPage(ctx) {
    const session = await s.sessions.get(ctx.params.id!);
    // the subs as a grid, a page at a time (keyset by capture time)
    const cursor = typeof ctx.query.cursor === 'string' && ctx.query.cursor ? ctx.query.cursor : undefined;
    const limit = typeof ctx.query.limit === 'string' && /^\d{1,3}$/.test(ctx.query.limit) ? Math.min(200, Math.max(1, Number(ctx.query.limit))) : undefined;
    const [subs, stacks] = await Promise.all([s.gallery.sessionSubs(session.id, { cursor, limit }), s.sessions.stacks(session)]);
    views.renderPage(ctx, 'pages/sessions/show', {
      title: `Session ${sessionLabel(session)}`,
      session,
      subs: subs.items,
      stacks,
      label: sessionLabel(session),
      nextUrl: subs.next ? `/sessions/${session.id}${qs({ limit, cursor: subs.next })}` : null,
      firstUrl: cursor ? `/sessions/${session.id}${qs({ limit })}` : null,
      framesUrl: `/${qs({ session: session.id, view: 'frames' })}`,
    });
  };
}
