import { startWebDaemon, BrowserSession } from './helpers.ts';
import { seedImages } from './seedImages.ts';
const w = await startWebDaemon();
const specs = await seedImages(w.db.pool, { count: 40, derived: w.daemon.derived });
console.log('seeded', specs.length, w.url);
const b = new BrowserSession(w.url);
console.log('login', (await b.login('admin', 'admin-password-1')).status);
const light = specs.find((s) => s.target && s.results.some((r) => r.agent === 'platesolve' && r.status === 'done'))!;
for (const p of ['/', '/?target=M31&hemisphere=north', `/images/${light.id}`, '/targets', `/targets/${encodeURIComponent(light.target!.id)}`, '/objects', '/objects?q=M3', '/equipment', '/equipment/new', '/sky', '/upload', '/account', '/admin', '/admin/agents', '/admin/queue', '/admin/users', '/admin/tokens', '/api/docs', '/suggest/targets?target=M3']) {
  const { res, text } = await b.get(p);
  console.log(res.status, p, text.length, res.status >= 400 ? text.slice(0, 500) : '');
}
if (process.env.KEEP) { console.log('running at', w.url); await new Promise(() => {}); }
await w.stop();
