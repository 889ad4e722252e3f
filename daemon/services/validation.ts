import type { ZodError } from 'zod';
import { InvalidInputError } from '../errors.ts';

/** Turns a zod error into a 400 with one readable line per problem. */
export function zodProblem(err: ZodError): InvalidInputError {
  const lines = err.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`);
  return new InvalidInputError(lines.join('; '), { details: { errors: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } });
}

/**
 * Dates a user may give (search filters, a corrected capture date): ISO 8601
 * (`YYYY-MM-DD`, optionally with a time and a zone), a real calendar day, from
 * 1800-01-01 (the oldest photographic plates) to one year from now. Anything
 * else is refused here, before it reaches PostgreSQL or an agent. The API's
 * schemas, the gallery form and the edit forms all use this one check.
 */
export const DATE_MIN = '1800-01-01';
export const DATE_MAX_YEARS_AHEAD = 1;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Why a date text is not acceptable, or null when it is. */
export function dateProblem(text: string, now: number = Date.now()): string | null {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return 'must be an ISO 8601 date (YYYY-MM-DD, optionally with a time such as 2024-03-01T21:30:00Z)';
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  const day = new Date(Date.UTC(y!, mo! - 1, d!));
  if (mo! < 1 || mo! > 12 || day.getUTCFullYear() !== y || day.getUTCMonth() !== mo! - 1 || day.getUTCDate() !== d) return 'is not a calendar date';
  if (h! > 23 || mi! > 59 || s! > 59) return 'has a time of day out of range';
  const max = new Date(now);
  max.setUTCFullYear(max.getUTCFullYear() + DATE_MAX_YEARS_AHEAD);
  if (day.getTime() < Date.parse(DATE_MIN) || day.getTime() > max.getTime()) return `must lie between ${DATE_MIN} and ${max.toISOString().slice(0, 10)}`;
  return null;
}

/** Throws a 400 naming the field when a date is not acceptable (null, undefined and '' pass: no date). */
export function checkDate(field: string, value: unknown): void {
  if (value === null || value === undefined || value === '') return;
  const problem = typeof value === 'string' ? dateProblem(value) : 'must be a text date';
  if (problem) throw new InvalidInputError(`${field}: ${problem}`, { details: { errors: [{ path: field, message: problem }] } });
}
