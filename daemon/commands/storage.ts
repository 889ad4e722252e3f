/**
 * `sidereal storage status` and `sidereal storage confirm-empty <provider>`.
 *
 * A storage root that lists no file while files of it are catalogued, and is
 * not the folder of the last complete listing, is taken for an unmounted NAS
 * and deletes nothing (see ProviderSync). When the folder really was emptied
 * (or replaced on purpose), an admin confirms it once: the next reconcile of
 * that provider then removes the vanished records.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Config } from '../config.ts';
import { log } from '../log.ts';
import { openCommandDatabase, withClient } from './commandDatabase.ts';

const HELP = `usage: sidereal storage status
       sidereal storage confirm-empty <provider>

status         each source (provider) with its state: ok, or degraded and why
confirm-empty  the provider's folder really is empty (not an unmounted disk):
               its next full listing may remove the records of vanished files`;

interface ProviderRow {
  name: string;
  kind: string;
  root_uri: string;
  state: Record<string, unknown>;
}

async function providers(client: pg.Client): Promise<ProviderRow[]> {
  return (await client.query<ProviderRow>('select name, kind, root_uri, state from providers order by name')).rows;
}

/** Marks a provider's empty listing as intended; returns false when there is no such provider. */
export async function confirmEmpty(url: string, name: string): Promise<boolean> {
  return withClient(url, async (c) => {
    const r = await c.query(`update providers set state = state || '{"confirmEmpty": true}'::jsonb, updated_at = now() where name = $1`, [name]);
    return r.rowCount === 1;
  });
}

export async function run(args: string[], config: Config): Promise<number> {
  let positionals: string[];
  let help = false;
  try {
    const parsed = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
    positionals = parsed.positionals;
    help = !!parsed.values.help;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const [sub, name] = positionals;
  if (help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (!(sub === 'status' && !name) && !(sub === 'confirm-empty' && name && positionals.length === 2)) {
    process.stderr.write(HELP + '\n');
    return 2;
  }
  const db = await openCommandDatabase(config, log.child({}, { level: 'warn' }), { createIfMissing: false });
  try {
    if (sub === 'status') {
      for (const p of await withClient(db.url, providers)) {
        const reason = (p.state.degraded ?? p.state.lastError ?? null) as string | null;
        process.stdout.write(`${p.name.padEnd(16)} ${p.kind.padEnd(7)} ${reason ? `degraded: ${reason}` : 'ok'}  (${p.root_uri})\n`);
      }
      return 0;
    }
    if (!(await confirmEmpty(db.url, name!))) {
      process.stderr.write(`no provider named "${name}" (see \`sidereal storage status\`)\n`);
      return 1;
    }
    process.stdout.write(`confirmed: the next full listing of "${name}" removes the records of files it no longer holds\n`);
    return 0;
  } finally {
    await db.close();
  }
}
