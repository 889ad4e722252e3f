/**
 * The configuration table of docs/configuration.md, generated from OPTIONS
 * (`npm run docs:config` rewrites it; a test checks that they agree).
 */
import { OPTIONS } from './config.ts';

export const TABLE_START = '<!-- config-table:start -->';
export const TABLE_END = '<!-- config-table:end -->';

export function configurationTable(): string {
  const rows = OPTIONS.map((o) => {
    const def = o.default === undefined ? '—' : o.default === '' ? '(empty)' : `\`${o.default}\``;
    const kind = o.kind === 'enum' ? o.values!.join(' \\| ') : o.kind;
    return `| \`${o.env}\` | ${kind} | ${def} | ${o.secret ? 'yes' : ''} | ${o.description.replace(/\|/g, '\\|')} |`;
  });
  return ['| variable | type | default | secret | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}
