/**
 * The database pool (slonik over pg). Rows are validated by the zod schema
 * given to `sql.type()` through a result-parser interceptor (slonik does not
 * validate by itself). Timestamps come back as ISO strings, int8 as numbers.
 */
import { createPool, createTypeParserPreset, SchemaValidationError, type DatabasePool, type Interceptor } from 'slonik';

export type { DatabasePool };

const resultParser: Interceptor = {
  name: 'sidereal-result-parser',
  transformRowAsync: async (ctx, query, row) => {
    const parser = ctx.resultParser;
    if (!parser) return row;
    const r = await parser.safeParseAsync(row);
    if (!r.success) throw new SchemaValidationError(query, row, r.error.issues);
    return r.data;
  },
};

const iso = (v: string | null) => (v === null ? null : new Date(v).toISOString());

export async function createDatabasePool(url: string, options: { maximumPoolSize?: number } = {}): Promise<DatabasePool> {
  return createPool(url, {
    interceptors: [resultParser],
    maximumPoolSize: options.maximumPoolSize ?? 10,
    statementTimeout: 60_000,
    idleTimeout: 10_000,
    typeParsers: [
      ...createTypeParserPreset().filter((p) => !['timestamptz', 'timestamp', 'date', 'int8'].includes(p.name)),
      // sizes and counts fit easily in a double; BigInt would leak into JSON
      { name: 'int8', parse: (v: string | null) => (v === null ? null : Number(v)) },
      { name: 'timestamptz', parse: iso },
      { name: 'timestamp', parse: (v: string | null) => (v === null ? null : new Date(v + 'Z').toISOString()) },
      { name: 'date', parse: (v: string | null) => v },
    ],
  });
}
