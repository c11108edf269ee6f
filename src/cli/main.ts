#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { DataDirLockedError } from '../store/lock.js';
import { isShirubeError } from '../errors.js';
import { openConfiguredStore, serve } from './serve.js';

const program = new Command('shirube')
  .description('Shirube (標): Course of Study competencies (CASE), learning records (xAPI), learning maps and badges.\nConfiguration comes from environment variables: see docs/config.md.')
  .showHelpAfterError();

program.command('serve').description('start the server (applies migrations; loads the demo framework into an empty database)').action(async () => {
  await serve(loadConfig());
});

program.command('migrate').description('apply pending database migrations and exit').action(async () => {
  const { store, release } = await openConfiguredStore(loadConfig());
  // openConfiguredStore has migrated; report what is there.
  const rows = await store.db.selectFrom('shirube_migration' as never).select('name' as never).execute();
  console.log(`Database is at the latest migration (${rows.length} applied).`);
  await store.close();
  release();
});

export { program };

async function main() {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DataDirLockedError || isShirubeError(e)) {
      console.error(`shirube: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}
await main();
