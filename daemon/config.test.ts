import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, OPTIONS, redactedConfig } from './config.ts';
import { configurationTable, TABLE_END, TABLE_START } from './configDoc.ts';

test('defaults give a working configuration (embedded database, ./library)', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.databaseUrl, null);
  assert.ok(c.watchDirs[0]!.endsWith('/library'));
  assert.ok(c.dataDir.endsWith('/data'));
  assert.equal(c.s3, null);
  assert.ok(c.workers >= 1);
});

test('every problem is listed at once', () => {
  try {
    loadConfig({ PORT: 'abc', SIDEREAL_WORKERS: '0', LOG_LEVEL: 'loud', SIDEREAL_S3_FORCE_PATH_STYLE: 'maybe', DATABASE_URL: 'not a url', SIDEREAL_ADMIN_USER: 'root' });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 6, err.message);
    for (const name of ['PORT', 'SIDEREAL_WORKERS', 'LOG_LEVEL', 'SIDEREAL_S3_FORCE_PATH_STYLE', 'DATABASE_URL', 'SIDEREAL_ADMIN_USER']) assert.match(err.message, new RegExp(name));
  }
});

test('secrets are redacted', () => {
  const c = loadConfig({ DATABASE_URL: 'postgres://u:hunter22@db/x', SIDEREAL_S3_BUCKET: 'b', SIDEREAL_S3_SECRET_ACCESS_KEY: 's3cret', SIDEREAL_ADMIN_USER: 'a', SIDEREAL_ADMIN_PASSWORD: 'password1' });
  const text = JSON.stringify(redactedConfig(c));
  for (const secret of ['hunter22', 's3cret', 'password1']) assert.ok(!text.includes(secret), secret);
  assert.ok(text.includes('postgres://u:[redacted]@db/x'));
});

test('the configuration table in docs/configuration.md agrees with the schema', () => {
  const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
  const between = doc.slice(doc.indexOf(TABLE_START) + TABLE_START.length, doc.indexOf(TABLE_END)).trim();
  assert.equal(between, configurationTable(), 'run `npm run docs:config`');
  for (const o of OPTIONS) assert.ok(doc.includes(`\`${o.env}\``), o.env);
});

test('SIDEREAL_TRUST_PROXY: false, true (one hop) or a number of hops', () => {
  assert.equal(loadConfig({}).trustProxy, 0);
  assert.equal(loadConfig({ SIDEREAL_TRUST_PROXY: 'true' }).trustProxy, 1);
  assert.equal(loadConfig({ SIDEREAL_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.equal(loadConfig({ SIDEREAL_TRUST_PROXY: 'false' }).trustProxy, 0);
  assert.throws(() => loadConfig({ SIDEREAL_TRUST_PROXY: 'maybe' }), /SIDEREAL_TRUST_PROXY/);
  assert.throws(() => loadConfig({ SIDEREAL_TRUST_PROXY: '-1' }), /SIDEREAL_TRUST_PROXY/);
});
