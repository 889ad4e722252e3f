/**
 * The image search parameters: one zod schema validates the API query, the
 * gallery's form, and generates the OpenAPI parameters.
 */
import { z } from 'zod';
import { FRAME_TYPES } from '../../agents/sdk/index.ts';
import { SORTS, type SortKey } from '../db/images.ts';
import { DATE_MIN, dateProblem } from './validation.ts';

/** The gallery's sort orders (the SQL of each is in db/images.ts). */
export const SORT_KEYS = Object.keys(SORTS) as [SortKey, ...SortKey[]];
export type { SortKey };

const optionalNumber = (description: string) =>
  z
    .union([z.string(), z.number()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a number' });
        return z.NEVER;
      }
      return n;
    })
    .describe(description);

const optionalText = (description: string, max = 200) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .describe(description);

const isoDate = (description: string) =>
  optionalText(`${description}, ${DATE_MIN} to one year from now`, 40).superRefine((v, ctx) => {
    const problem = v === undefined ? null : dateProblem(v);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

export const ImageQuery = z
  .object({
    target: optionalText('Object name or designation: M31, NGC 7000, Andromeda Galaxy'),
    constellation: optionalText('IAU abbreviation (Ori) or name (Orion)', 40),
    hemisphere: z.enum(['north', 'south']).optional().describe('Celestial hemisphere of the field centre'),
    camera: optionalText('Camera name (substring) or equipment id'),
    telescope: optionalText('Telescope name (substring) or equipment id'),
    filter: optionalText('Filter name in any case, not a pattern: Ha, OIII, L… (the image\'s filter or one of its integration\'s)', 60),
    equipment: z.union([z.string().uuid(), z.array(z.string().uuid())]).optional().describe('Equipment id (repeatable)'),
    integrationMin: optionalNumber('Minimum total integration, seconds'),
    integrationMax: optionalNumber('Maximum total integration, seconds'),
    capturedFrom: isoDate('Captured on or after (ISO date)'),
    capturedTo: isoDate('Captured on or before (ISO date)'),
    frameType: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe(`Frame types (${FRAME_TYPES.join(', ')}), comma-separated or repeated, or "all". Default: everything but calibration frames`),
    solved: z.enum(['true', 'false']).optional().describe('Only plate-solved (true) or unsolved (false) images'),
    duplicates: z
      .enum(['true', 'false'])
      .optional()
      .describe('Only duplicates, byte-identical copies of another image (true), or no duplicates (false). Default: all, copies with `duplicateOf` set'),
    fieldMin: optionalNumber('Minimum field of view (longer side), degrees'),
    fieldMax: optionalNumber('Maximum field of view (longer side), degrees'),
    scaleMin: optionalNumber('Minimum pixel scale, arcsec/px'),
    scaleMax: optionalNumber('Maximum pixel scale, arcsec/px'),
    ra: optionalNumber('Cone search centre RA (J2000 degrees), with dec and radius'),
    dec: optionalNumber('Cone search centre Dec (J2000 degrees)'),
    radius: optionalNumber('Cone search radius, degrees'),
    session: z.string().uuid().optional().describe('Only the subs (light frames) of this imaging session (GET /api/v1/sessions/{id})'),
    q: optionalText('Free text (file name, object, equipment, notes)'),
    limit: optionalNumber('Page size, at most 200 (default 50)'),
    cursor: optionalText('Opaque cursor from the previous page', 100),
    sort: z.enum(SORT_KEYS).optional().describe('Sort order (default captured: newest first)'),
  })
  .passthrough();

export type ImageQueryInput = z.input<typeof ImageQuery>;
export type ImageQuery = z.output<typeof ImageQuery>;

export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | null {
  if (!cursor) return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? Number(m[1]) : null;
}
