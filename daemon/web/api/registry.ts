/**
 * The JSON API's operations, declared once: the same zod schemas validate the
 * request (params, query, body) at run time and become the OpenAPI 3.1
 * document (openapi3-ts) that describes it. A route that is not declared here
 * is not in the API.
 */
import type Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { OpenApiBuilder, type OpenAPIObject, type OperationObject, type ParameterObject, type SchemaObject } from 'openapi3-ts/oas31';
import type { Actor } from '../../auth/permissions.ts';
import { requireActor, requireAdmin } from '../../auth/permissions.ts';
import { zodProblem } from '../../services/validation.ts';
import { NAMED_SCHEMAS, Problem } from './schemas.ts';

export type Access = 'public' | 'user' | 'admin';
type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodTypeAny;
  /** for non-JSON responses (images, SVG) */
  contentType?: string;
}

export interface OperationInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor | null;
}

export interface Operation<P = any, Q = any, B = any> {
  method: Method;
  /** OpenAPI style: /api/v1/images/{id} */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: z.ZodType<P, z.ZodTypeDef, any>;
  query?: z.ZodType<Q, z.ZodTypeDef, any>;
  body?: z.ZodType<B, z.ZodTypeDef, any>;
  /** a body the handler reads itself (multipart upload): documented only */
  rawBody?: { contentType: string; schema: SchemaObject; description?: string };
  responses: Record<number, ResponseSpec>;
  /** returns the JSON body (or sets ctx.body itself and returns undefined) */
  handler: (ctx: Koa.Context, input: OperationInput<P, Q, B>) => Promise<unknown> | unknown;
}

function toJsonSchema(schema: z.ZodTypeAny): SchemaObject {
  const json = zodToJsonSchema(schema, { target: 'jsonSchema7', $refStrategy: 'none', effectStrategy: 'input', removeAdditionalStrategy: 'passthrough' }) as Record<string, unknown>;
  delete json.$schema;
  return json as SchemaObject;
}

const named = new Map<z.ZodTypeAny, string>(Object.entries(NAMED_SCHEMAS).map(([k, v]) => [v, k]));
const schemaOrRef = (schema: z.ZodTypeAny): SchemaObject => {
  const name = named.get(schema);
  return name ? { $ref: `#/components/schemas/${name}` } : toJsonSchema(schema);
};

const PROBLEM_STATUSES: Record<number, string> = { 400: 'Invalid input', 401: 'Not logged in (no or bad session or token)', 403: 'Not allowed for this role (or a missing CSRF token with a session cookie)', 404: 'Not found', 409: 'Conflict with the current state', 413: 'A file is larger than the upload limit', 429: 'Too many attempts' };

export class ApiRegistry {
  readonly operations: Operation[] = [];

  add<P, Q, B>(op: Operation<P, Q, B>): void {
    this.operations.push(op as Operation);
  }

  /** Registers every operation on the router, with validation and the access check. */
  mount(router: Router): void {
    for (const op of this.operations) {
      const koaPath = op.path.replace(/\{(\w+)\}/g, ':$1');
      router[op.method](op.operationId, koaPath, async function apiOperation(ctx) {
        const actor = (ctx.state.actor as Actor | null) ?? null;
        if (op.access === 'user') requireActor(actor);
        if (op.access === 'admin') requireAdmin(actor);
        const parse = <T>(schema: z.ZodType<T, z.ZodTypeDef, any> | undefined, value: unknown): T => {
          if (!schema) return undefined as T;
          const r = schema.safeParse(value);
          if (!r.success) throw zodProblem(r.error);
          return r.data;
        };
        const input: OperationInput<unknown, unknown, unknown> = {
          params: parse(op.params, ctx.params),
          query: parse(op.query, ctx.query),
          body: parse(op.body, (ctx.request as { body?: unknown }).body ?? {}),
          actor,
        };
        const result = await op.handler(ctx, input);
        if (result !== undefined) {
          ctx.status = Number(Object.keys(op.responses).find((s) => s.startsWith('2')) ?? 200);
          ctx.body = result;
        }
      });
    }
  }

  /** The OpenAPI 3.1 document. */
  document(info: { version: string }): OpenAPIObject {
    const b = OpenApiBuilder.create()
      .addOpenApiVersion('3.1.0')
      .addInfo({
        title: 'Sidereal API',
        version: info.version,
        description:
          'The JSON API of Sidereal, a self-hosted catalog for astrophotographers. Everything the web UI can do. ' +
          'Authenticate with `Authorization: Bearer <token>` (from `POST /api/v1/auth/login` or an API token made on the account page). ' +
          'Errors are `application/problem+json`. RA and Dec are J2000 degrees; unknown values are `null`.',
      })
      .addSecurityScheme('bearer', { type: 'http', scheme: 'bearer', description: 'An API token (sdr_…)' })
      .addSecurityScheme('session', { type: 'apiKey', in: 'cookie', name: 'sidereal_session', description: 'The browser session (state-changing requests also need the X-CSRF-Token header)' });
    for (const [name, schema] of Object.entries(NAMED_SCHEMAS)) b.addSchema(name, toJsonSchema(schema));
    const tags = new Set<string>();
    const paths: Record<string, Record<string, OperationObject>> = {};
    for (const op of this.operations) {
      tags.add(op.tag);
      const parameters: ParameterObject[] = [];
      for (const [where, schema] of [['path', op.params], ['query', op.query]] as const) {
        if (!schema) continue;
        const json = toJsonSchema(schema) as { properties?: Record<string, SchemaObject & { description?: string }>; required?: string[] };
        for (const [name, prop] of Object.entries(json.properties ?? {})) {
          const { description, ...rest } = prop;
          parameters.push({ name, in: where, required: where === 'path' || !!json.required?.includes(name), schema: rest, ...(description ? { description } : {}) });
        }
      }
      const responses: OperationObject['responses'] = {};
      for (const [status, r] of Object.entries(op.responses)) {
        const problem = Number(status) >= 400 && !r.schema && !r.contentType;
        responses[status] = {
          description: r.description,
          ...(problem
            ? { content: { 'application/problem+json': { schema: schemaOrRef(Problem) } } }
            : r.schema
              ? { content: { [r.contentType ?? 'application/json']: { schema: schemaOrRef(r.schema) } } }
              : r.contentType
                ? { content: { [r.contentType]: { schema: { type: 'string', format: 'binary' } } } }
                : {}),
        };
      }
      const mutates = op.method !== 'get' && op.access !== 'public';
      const problems = new Set<number>([
        ...(op.access !== 'public' ? [401] : []),
        ...(op.access === 'admin' ? [403] : []),
        ...(op.query || op.body || op.params || op.rawBody ? [400] : []),
        ...(op.params ? [404] : []),
        ...(mutates ? [409] : []),
        ...(op.rawBody ? [413] : []),
      ]);
      for (const st of [...problems].sort()) {
        responses[String(st)] ??= { description: PROBLEM_STATUSES[st] ?? 'Error', content: { 'application/problem+json': { schema: schemaOrRef(Problem) } } };
      }
      const o: OperationObject = {
        operationId: op.operationId,
        summary: op.summary,
        ...(op.description ? { description: op.description } : {}),
        tags: [op.tag],
        ...(parameters.length ? { parameters } : {}),
        ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOrRef(op.body) } } } } : {}),
        ...(op.rawBody ? { requestBody: { required: true, description: op.rawBody.description, content: { [op.rawBody.contentType]: { schema: op.rawBody.schema } } } } : {}),
        responses,
        security: op.access === 'public' ? [] : [{ bearer: [] }, { session: [] }],
        ...(op.access === 'admin' ? { 'x-sidereal-access': 'admin' } : op.access === 'user' ? { 'x-sidereal-access': 'user' } : {}),
      };
      (paths[op.path] ??= {})[op.method] = o;
    }
    for (const [path, item] of Object.entries(paths)) b.addPath(path, item);
    for (const t of [...tags]) b.addTag({ name: t });
    return b.getSpec();
  }
}
