/**
 * Web test helpers: a real daemon with a first admin, logins, API calls with
 * a bearer token, and cookie sessions like a browser's (with the CSRF token).
 */
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import type { Role } from '../../daemon/Daemon.ts';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

/** A Response whose JSON is untyped (tests look inside freely). */
export type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export interface WebDaemon extends TestDaemon {
  adminToken: string;
  /** fetch with the admin's token (or another) */
  api(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<JsonResponse>;
  /** GET as the admin, expecting 2xx JSON */
  getJson(path: string): Promise<any>;
}

export async function startWebDaemon(options: { roles?: Role[]; builtinAgents?: string[]; env?: Record<string, string> } = {}): Promise<WebDaemon> {
  const t = await startTestDaemon({
    roles: options.roles,
    builtinAgents: options.builtinAgents ?? ['file', 'preview'],
    env: { SIDEREAL_ADMIN_USER: ADMIN.username, SIDEREAL_ADMIN_PASSWORD: ADMIN.password, ...options.env },
  });
  const adminToken = await loginToken(t.url, ADMIN.username, ADMIN.password);
  const api: WebDaemon['api'] = (path, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    const tok = token === undefined ? adminToken : token;
    if (tok) headers.set('authorization', `Bearer ${tok}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(t.url + path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body, redirect: 'manual' }) as Promise<JsonResponse>;
  };
  const getJson = async (path: string) => {
    const res = await api(path);
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    return res.json();
  };
  return Object.assign(t, { adminToken, api, getJson });
}

export async function loginToken(url: string, username: string, password: string, code?: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, ...(code ? { code } : {}) }) });
  const body = (await res.json()) as any;
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** Creates a user through the API (as admin) and returns a token for it. */
export async function createUser(w: WebDaemon, username: string, role: 'admin' | 'member' = 'member', password = 'member-password-1'): Promise<{ id: string; token: string; password: string }> {
  const res = await w.api('/api/v1/users', { method: 'POST', json: { username, password, role } });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`create user: ${res.status} ${JSON.stringify(body)}`);
  return { id: body.id, token: await loginToken(w.url, username, password), password };
}

/** A browser-like session: cookies kept between requests, the CSRF token read from the pages. */
export class BrowserSession {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path: string, init: RequestInit = {}): Promise<{ res: Response; text: string }> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookieHeader());
    if (!headers.has('accept')) headers.set('accept', 'text/html');
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (m) this.csrf = m[1]!;
    return { res, text };
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request(path, { headers });
  }

  /** Posts a form with the CSRF token (unless `csrf: false`). */
  post(path: string, form: Record<string, string | string[]>, options: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    const body = new URLSearchParams();
    if (options.csrf !== false) body.set('_csrf', this.csrf);
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return this.request(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers } });
  }

  async login(username: string, password: string): Promise<Response> {
    await this.get('/login');
    const { res } = await this.post('/login', { username, password, next: '/' });
    return res;
  }
}
