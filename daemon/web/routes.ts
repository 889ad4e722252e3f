/**
 * The route table: the whole HTTP surface of Sidereal in one place.
 * Handlers are thin; they call services (shared by the UI and the API).
 */
import Router from '@koa/router';
import type { WebDeps } from './app.ts';
import type { Views } from './views.ts';
import * as api from './api/images.ts';
import * as ui from './ui/pages.ts';

export function createRouter(deps: WebDeps & { views: Views }): Router {
  const r = new Router();
  const { services } = deps;

  r.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  r.get('/status', async (ctx) => {
    const s = await services.status.status();
    ctx.status = s.status === 'down' ? 503 : 200;
    ctx.body = s;
  });

  // JSON API
  r.get('/api/v1/images', api.listImages(services));
  r.post('/api/v1/images', api.uploadImages(services, deps.config));
  r.get('/api/v1/images/:id', api.getImage(services));
  r.get('/api/v1/images/:id/thumbnail', api.derivedFile(services, 'thumbnail'));
  r.get('/api/v1/images/:id/preview', api.derivedFile(services, 'preview'));
  r.post('/api/v1/images/:id/agents/:agent/run', api.rerunAgent(services));
  r.get('/api/v1/agents', api.listAgents(services));

  // HTML UI
  r.get('/', ui.gallery(services, deps.views));
  r.get('/images/:id', ui.imagePage(services, deps.views));
  return r;
}
