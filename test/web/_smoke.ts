import { startTestDaemon } from '../helpers/daemon.ts';
const t = await startTestDaemon({ builtinAgents: ['file', 'preview'], env: { SIDEREAL_ADMIN_USER: 'admin', SIDEREAL_ADMIN_PASSWORD: 'correct horse' } });
console.log(t.url);
const r = await fetch(t.url + '/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'correct horse' }) });
console.log(r.status, await r.text());
await t.stop();
