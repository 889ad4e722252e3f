/**
 * The readable API page: rendered on the server from the OpenAPI document
 * (no external CDN, no script), so it can never disagree with the API.
 */
import type { OpenAPIObject, OperationObject, ParameterObject, SchemaObject } from 'openapi3-ts/oas31';

export interface DocsOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  access: string;
  parameters: { name: string; in: string; required: boolean; type: string; description: string }[];
  requestBody: { contentType: string; schema: string } | null;
  responses: { status: string; description: string; schema: string | null }[];
}

/** A short type label for a schema: "string", "number | null", "ImageRecord[]"… */
export function typeLabel(s: SchemaObject | undefined): string {
  if (!s) return 'any';
  if (s.$ref) return String(s.$ref).split('/').pop()!;
  if (s.anyOf) return (s.anyOf as SchemaObject[]).map(typeLabel).join(' | ');
  if (s.enum) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(s.type)) return s.type.join(' | ');
  if (s.type === 'array') return `${typeLabel(s.items as SchemaObject)}[]`;
  return String(s.type ?? 'object');
}

export function docsModel(doc: OpenAPIObject) {
  const ops: DocsOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = (item as Record<string, OperationObject | undefined>)[method];
      if (!op) continue;
      const body = op.requestBody && 'content' in op.requestBody ? Object.entries(op.requestBody.content)[0] : null;
      ops.push({
        id: op.operationId ?? `${method}-${path}`,
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? '',
        description: op.description ?? '',
        access: String((op as Record<string, unknown>)['x-sidereal-access'] ?? 'public'),
        parameters: ((op.parameters ?? []) as ParameterObject[]).map((p) => ({ name: p.name, in: p.in, required: !!p.required, type: typeLabel(p.schema as SchemaObject), description: p.description ?? '' })),
        requestBody: body ? { contentType: body[0], schema: JSON.stringify(body[1].schema, null, 2) } : null,
        responses: Object.entries(op.responses ?? {}).map(([status, r]) => {
          const content = (r as { content?: Record<string, { schema?: SchemaObject }> }).content;
          const first = content ? Object.entries(content)[0] : null;
          return { status, description: (r as { description?: string }).description ?? '', schema: first ? `${first[0]}: ${typeLabel(first[1].schema)}` : null };
        }),
      });
    }
  }
  const tags = [...new Set(ops.map((o) => (doc.paths?.[o.path] as Record<string, OperationObject>)[o.method.toLowerCase()]?.tags?.[0] ?? 'other'))];
  const byTag = tags.map((t) => ({ tag: t, ops: ops.filter((o) => ((doc.paths?.[o.path] as Record<string, OperationObject>)[o.method.toLowerCase()]?.tags?.[0] ?? 'other') === t) }));
  const schemas = Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => ({ name, json: JSON.stringify(schema, null, 2) }));
  return { info: doc.info, byTag, schemas };
}
