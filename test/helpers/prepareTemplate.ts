// Creates the template database every test file clones: migrated and seeded once.
import pg from 'pg';
import { migrate } from '../../daemon/db/migrate.ts';
import { createDatabasePool } from '../../daemon/db/pool.ts';
import { seedObjects } from '../../daemon/db/objects.ts';
import { log } from '../../daemon/log.ts';
import { TEMPLATE_DB, withDatabase } from './db.ts';

const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
await admin.connect();
await admin.query(`drop database if exists ${TEMPLATE_DB}`);
await admin.query(`create database ${TEMPLATE_DB}`);
await admin.end();
const url = withDatabase(process.env.TEST_DATABASE_URL!, TEMPLATE_DB);
await migrate(url, log);
const pool = await createDatabasePool(url);
await seedObjects(pool, log);
await pool.end();
