/**
 * Validates real responses against the OpenAPI document the server serves:
 * the response schema for (method, path template, status) is compiled with
 * ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses) and every JSON answer is
 * checked. A response whose status is not documented fails too.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { OpenAPIObject } from 'openapi3-ts/oas31';

export class OpenApiValidator {
  private ajv: InstanceType<typeof Ajv2020>;
  private templates: { method: string; template: string; re: RegExp }[] = [];
  private compiled = new Map<string, ReturnType<InstanceType<typeof Ajv2020>['compile']>>();
  /** operations seen (method + template), to report coverage */
  readonly seen = new Set<string>();

  constructor(readonly doc: OpenAPIObject) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    this.ajv.addSchema({ $id: 'doc', components: doc.components } as object);
    for (const [template, item] of Object.entries(doc.paths ?? {})) {
      for (const method of Object.keys(item)) {
        const re = new RegExp('^' + template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '$');
        this.templates.push({ method: method.toUpperCase(), template, re });
      }
    }
    // literal paths before templated ones (/skymap.svg vs /skymap)
    this.templates.sort((a, b) => Number(a.template.includes('{')) - Number(b.template.includes('{')));
  }

  operation(method: string, path: string) {
    const p = path.split('?')[0]!;
    return this.templates.find((t) => t.method === method.toUpperCase() && t.re.test(p)) ?? null;
  }

  /** Throws when the response does not match the document. */
  check(method: string, path: string, status: number, contentType: string | null, body: unknown): void {
    const op = this.operation(method, path);
    if (!op) throw new Error(`${method} ${path} is not in the OpenAPI document`);
    this.seen.add(`${op.method} ${op.template}`);
    const responses = (this.doc.paths![op.template] as Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>)[op.method.toLowerCase()]!.responses;
    const spec = responses[String(status)];
    if (!spec) throw new Error(`${method} ${path}: status ${status} is not documented (documented: ${Object.keys(responses).join(', ')}) — body ${JSON.stringify(body).slice(0, 300)}`);
    if (!spec.content) return;
    const type = (contentType ?? '').split(';')[0]!.trim();
    const media = spec.content[type] ?? (type.startsWith('image/') ? spec.content['image/*'] : undefined);
    if (!media) throw new Error(`${method} ${path} ${status}: content type ${type} is not documented (${Object.keys(spec.content).join(', ')})`);
    if (!type.includes('json')) return;
    const key = `${op.method} ${op.template} ${status} ${type}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(JSON.stringify(media.schema).replace(/"#\/components\//g, '"doc#/components/')));
      this.compiled.set(key, validate);
    }
    if (!validate(body)) {
      throw new Error(`${method} ${path} ${status} does not match its schema: ${this.ajv.errorsText(validate.errors, { separator: '\n  ' })}\n  body: ${JSON.stringify(body).slice(0, 500)}`);
    }
  }
}
