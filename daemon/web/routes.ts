/**
 * The route table: the whole HTTP surface of Sidereal in one place.
 * Handlers are thin; they call services (shared by the UI and the API).
 * Every page needs a login except /login, /health and /static (auth.ts);
 * admin-only work is refused by the services themselves, and the /admin
 * pages are also guarded here so that a member gets a plain 403.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import type { WebDeps } from './app.ts';
import type { Views } from './views.ts';
import { requireAdmin } from '../auth/permissions.ts';
import { createApi } from './api/index.ts';
import { docsModel } from './api/docs.ts';
import { METRICS_CONTENT_TYPE } from '../metrics.ts';
import * as session from './ui/session.ts';
import * as bulk from './ui/bulk.ts';
import * as gallery from './ui/gallery.ts';
import * as images from './ui/images.ts';
import * as equipment from './ui/equipment.ts';
import * as catalog from './ui/catalog.ts';
import * as upload from './ui/upload.ts';
import * as account from './ui/account.ts';
import * as admin from './ui/admin.ts';
import * as setup from './ui/setup.ts';
import * as sessions from './ui/sessions.ts';

const adminOnly: Koa.Middleware = async function adminOnly(ctx, next) {
  requireAdmin(ctx.state.actor);
  return next();
};

export function createRouter(deps: WebDeps & { views: Views; version: string; firstRun: setup.FirstRun }): Router {
  const r = new Router();
  const { services: s, views, config } = deps;

  // JSON API (and /health, /status), declared with their schemas
  const api = createApi(s, config, views);
  api.mount(r);
  let spec: ReturnType<typeof api.document> | null = null;
  const document = () => (spec ??= api.document({ version: deps.version }));
  r.get('/api/openapi.json', (ctx) => {
    ctx.body = document();
  });
  r.get('/api/docs', (ctx) => views.renderPage(ctx, 'pages/api/docs', { title: 'API', docs: docsModel(document()) }));

  if (config.metrics && deps.metrics) {
    const metrics = deps.metrics;
    r.get('/metrics', async (ctx) => {
      ctx.type = METRICS_CONTENT_TYPE;
      ctx.body = await metrics();
    });
  }

  // first run: the administrator (only while no user exists)
  r.get('/setup', setup.setupPage(s, views, deps.firstRun));
  r.post('/setup', setup.setup(s, views, deps.firstRun));

  // session
  r.get('/login', session.loginPage(views));
  r.post('/login', session.login(s, views));
  r.get('/login/code', session.codePage(views));
  r.post('/login/code', session.submitCode(s, views));
  r.post('/logout', session.logout(s));

  // gallery and images
  r.get('/', gallery.gallery(s, views));
  r.get('/suggest/targets', gallery.targetSuggestions(s, views));
  r.get('/images/:id', images.imagePage(s, views));
  r.get('/images/:id/zoom', images.zoomDescriptor(s));
  r.get('/images/:id/zoom/:level/:tile', images.zoomTile(s));
  r.get('/images/:id/agents', images.imageAgents(s, views));
  r.post('/images/:id/agents/:agent/run', images.rerunImageAgent(s, views));
  r.post('/images/:id/edit', images.editImage(s, views));
  r.post('/images/bulk', bulk.bulkEdit(s, views));

  // targets, objects, sky map
  r.get('/targets', catalog.targetList(s, views));
  r.get('/targets/:id', catalog.targetPage(s, views));
  r.get('/objects', catalog.objectList(s, views));
  r.get('/sessions/:id', sessions.sessionPage(s, views));
  r.get('/sky', catalog.skyMapPage(s, views));

  // equipment register
  r.get('/equipment', equipment.equipmentList(s, views));
  r.get('/equipment/new', equipment.newEquipment(views));
  r.post('/equipment', equipment.createEquipment(s, views));
  r.get('/equipment/:id', equipment.equipmentPage(s, views));
  r.post('/equipment/:id', equipment.updateEquipment(s, views));
  r.post('/equipment/:id/merge', equipment.mergeEquipment(s, views));
  r.post('/equipment/:id/delete', equipment.deleteEquipment(s, views));

  // upload
  r.get('/upload', upload.uploadPage(s, views, config));
  r.post('/upload', upload.uploadForm(s, config));
  r.get('/upload/status', upload.uploadStatusPartial(s, views));

  // account
  r.get('/account', account.accountPage(s, views));
  r.post('/account/password', account.changePassword(s, views));
  r.post('/account/tokens', account.createToken(s, views));
  r.post('/account/tokens/:id/revoke', account.revokeToken(s, '/account'));
  r.post('/account/totp', account.beginTotp(s, views));
  r.post('/account/totp/confirm', account.confirmTotp(s, views));
  r.post('/account/totp/disable', account.disableTotp(s, views));
  r.post('/account/delete', account.deleteAccount(s, views));

  // administration
  r.get('/admin', adminOnly, admin.systemPage(s, views));
  r.get('/admin/agents', adminOnly, admin.agentsPage(s, views));
  r.post('/admin/agents/:name', adminOnly, admin.updateAgent(s, views));
  r.post('/admin/agents/:name/run', adminOnly, admin.rerunAgent(s, views));
  r.get('/admin/queue', adminOnly, admin.queuePage(s, views));
  r.get('/admin/keywords', adminOnly, admin.keywordsPage(s, views));
  r.get('/admin/users', adminOnly, admin.usersPage(s, views));
  r.post('/admin/users', adminOnly, admin.createUser(s, views));
  r.post('/admin/users/:id', adminOnly, admin.updateUser(s, views));
  r.get('/admin/tokens', adminOnly, admin.tokensPage(s, views));
  r.post('/admin/tokens/:id/revoke', adminOnly, account.revokeToken(s, '/admin/tokens'));
  return r;
}
