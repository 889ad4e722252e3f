import type { ZodError } from 'zod';
import { InvalidInputError } from '../errors.ts';

/** Turns a zod error into a 400 with one readable line per problem. */
export function zodProblem(err: ZodError): InvalidInputError {
  const lines = err.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`);
  return new InvalidInputError(lines.join('; '), { details: { errors: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } });
}
