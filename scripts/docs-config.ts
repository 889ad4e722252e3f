// Rewrites the generated table in docs/configuration.md from daemon/config.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { configurationTable, TABLE_END, TABLE_START } from '../daemon/configDoc.ts';

const file = new URL('../docs/configuration.md', import.meta.url);
const text = readFileSync(file, 'utf8');
const a = text.indexOf(TABLE_START);
const b = text.indexOf(TABLE_END);
if (a < 0 || b < 0) throw new Error('markers not found in docs/configuration.md');
writeFileSync(file, text.slice(0, a + TABLE_START.length) + '\n' + configurationTable() + '\n' + text.slice(b));
