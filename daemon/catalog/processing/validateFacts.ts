/**
 * Checks what an agent returned before it is stored: a plain JSON object, not
 * too large, and matching the agent's declared facts schema (JSON Schema).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { Facts } from '../../../agents/sdk/index.ts';
import type { RegisteredAgent } from '../../agent-host/AgentRegistry.ts';

const MAX_FACTS_BYTES = 4 * 1024 * 1024;
const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

export class InvalidFactsError extends Error {
  constructor(agent: string, message: string) {
    super(`agent ${agent} returned invalid facts: ${message}`);
    this.name = 'InvalidFactsError';
  }
}

export function validateFacts(r: RegisteredAgent, facts: unknown): Facts {
  const name = r.agent.name;
  if (facts === null || typeof facts !== 'object' || Array.isArray(facts)) throw new InvalidFactsError(name, 'facts must be an object');
  let text: string;
  try {
    // PostgreSQL's JSONB refuses NUL characters (found in EXIF strings, FITS padding): drop them
    text = JSON.stringify(facts, (_k, v) => (typeof v === 'string' && v.includes('\u0000') ? v.replace(/\u0000/g, '') : v));
  } catch (err) {
    throw new InvalidFactsError(name, `not JSON-serialisable (${(err as Error).message})`);
  }
  if (text.length > MAX_FACTS_BYTES) throw new InvalidFactsError(name, `larger than ${MAX_FACTS_BYTES} bytes`);
  // JSON round trip: drops undefined, turns NaN/Infinity into null, strips class instances
  const plain = JSON.parse(text) as Facts;
  const schema = r.agent.factsSchema;
  if (schema) {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(schema);
      compiled.set(schema, validate);
    }
    if (!validate(plain)) throw new InvalidFactsError(name, ajv.errorsText(validate.errors, { dataVar: 'facts' }));
  }
  return plain;
}
