import { afterAll, beforeAll, expect, it } from 'vitest';
import { build, type TestApp } from '../helper.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { DEMO_PRECEDES_DOCUMENT, ensureDemoPrecedes } from '../../src/progress/index.js';

let t: TestApp;
beforeAll(async () => {
  t = await build();
  await ensureDemoFramework(t.store.db, () => {});
}, 60_000);
afterAll(() => t.close());

const count = async () => Number((await t.store.db.selectFrom('cf_association').select((eb) => eb.fn.countAll().as('n'))
  .where('document_identifier', '=', DEMO_PRECEDES_DOCUMENT).executeTakeFirstOrThrow()).n);

it('loads the set once, and replaces an older stored version with this one', async () => {
  expect(await ensureDemoPrecedes(t.store.db, t.config.publicUrl)).toBe(true);
  const loaded = await count();
  expect(loaded).toBe(162);
  expect(await ensureDemoPrecedes(t.store.db, t.config.publicUrl)).toBe(false);
  await t.store.db.updateTable('cf_document').set({ last_change_date_time: new Date('2025-01-01T00:00:00Z') })
    .where('identifier', '=', DEMO_PRECEDES_DOCUMENT).execute();
  await t.store.db.deleteFrom('cf_association').where('document_identifier', '=', DEMO_PRECEDES_DOCUMENT)
    .where('identifier', 'in', t.store.db.selectFrom('cf_association').select('identifier').where('document_identifier', '=', DEMO_PRECEDES_DOCUMENT).limit(10)).execute();
  expect(await count()).toBe(loaded - 10);
  expect(await ensureDemoPrecedes(t.store.db, t.config.publicUrl)).toBe(true);
  expect(await count()).toBe(loaded);
}, 60_000);
