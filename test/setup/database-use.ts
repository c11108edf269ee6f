import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { expect } from 'vitest';
import { whenTestDatabaseAsked } from '../database-url.js';

// With SHIRUBE_RECORD_DATABASE_USE=<file>, each test file whose outcome depends on the database it is given is
// listed there: CI's second run, on PostgreSQL, runs only those (the others would repeat the first run exactly).
const record = process.env['SHIRUBE_RECORD_DATABASE_USE'];
const file = expect.getState().testPath;
if (record && file) whenTestDatabaseAsked(() => appendFileSync(record, `${relative(process.cwd(), file)}\n`));
