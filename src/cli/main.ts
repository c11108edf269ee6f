#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { DataDirLockedError } from '../store/lock.js';
import { isShirubeError } from '../errors.js';
import { openConfiguredStore, serve } from './serve.js';
import { usersCommand } from './users.js';
import { clientsCommand } from './clients.js';
import { exportCommand, importCommand } from './transfer.js';
import { backupCommands } from './backup.js';
import { demoCommands } from './demo.js';
import { relationsCommand } from './relations.js';
import { learnersCommand } from './learners.js';
import { auditCommand } from './audit.js';
import { ltiCommand } from './lti.js';
import { alignCommand } from './align.js';
import { deriveCommand } from './derive.js';

const program = new Command('shirube')
  .description(
    'Shirube (標): Course of Study competencies (CASE), learning records (xAPI), learning maps and badges.\n' +
      'Configuration comes from environment variables: see docs/config.md.\n' +
      'Exit status: 0 success, 2 bad usage, configuration or input (one-line message), 1 unexpected error.',
  )
  .showHelpAfterError('(shirube --help shows the commands)')
  // Usage errors become exceptions, so they exit with 2 like other input errors.
  .exitOverride();

program.command('serve').description('start the server (applies migrations; loads the shipped frameworks, 算数 and 理科, into an empty database)').action(async () => {
  await serve(loadConfig());
});

program.command('migrate').description('apply pending database migrations and exit').action(async () => {
  const { store, release, applied } = await openConfiguredStore(loadConfig());
  await store.close();
  release();
  process.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}.\n` : 'The database is already at the latest migration.\n');
});

usersCommand(program);
clientsCommand(program);
importCommand(program);
exportCommand(program);
deriveCommand(program);
backupCommands(program);
demoCommands(program);
relationsCommand(program);
learnersCommand(program);
auditCommand(program);
ltiCommand(program);
alignCommand(program);

export { program };

/** What to do when the embedded database is in use: the lock's message plus the ways around it. */
const lockHint =
  ' To change data while the server runs, use its HTTP API: the admin API (/api/admin, see /api/docs) for users and clients,' +
  ' or `shirube import … --server <url> --token <bearer token>` for imports.';

async function main() {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
    if (e instanceof DataDirLockedError) {
      console.error(`shirube: ${e.message}${lockHint}`);
      process.exit(2);
    }
    if (e instanceof ConfigError || (isShirubeError(e) && e.code !== 'internal')) {
      console.error(`shirube: ${e.message}`);
      process.exit(2);
    }
    console.error('shirube: unexpected error:', e);
    process.exit(1);
  }
}
await main();
