import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ShirubeError } from '../errors.js';
import { dumpEmbedded, restoreEmbedded } from '../store/backup.js';
import { readInput, withStore, type CliContext } from './context.js';

function embeddedOnly({ store }: CliContext, tool: string): void {
  if (store.kind !== 'pglite') throw new ShirubeError('invalid_request', `DATABASE_URL is set: on PostgreSQL use ${tool} (docs/operations.md)`, 'DATABASE_URL');
}

/** `backup` and `restore` of the embedded database (docs/operations.md). */
export function backupCommands(program: Command): void {
  program
    .command('backup')
    .description('write a plain-SQL dump of the embedded database (stop the server first); restorable with `restore` or psql')
    .option('-o, --output <file>', 'write to this file (default: standard output)')
    .action(async (opts: { output?: string }) => {
      const dump = await withStore(async (ctx) => {
        embeddedOnly(ctx, 'pg_dump');
        return dumpEmbedded(ctx.store);
      });
      if (opts.output) {
        await writeFile(opts.output, dump, { mode: 0o600 });
        process.stderr.write(`Wrote ${opts.output} (${Buffer.byteLength(dump)} bytes).\n`);
      } else process.stdout.write(dump);
    });

  program
    .command('restore <file>')
    .description('load a dump made by `backup` into a new, empty SHIRUBE_DATA_DIR')
    .action(async (file: string) => {
      const sqlText = (await readInput(file)).toString('utf8');
      await withStore(async (ctx) => {
        embeddedOnly(ctx, 'psql');
        try {
          await restoreEmbedded(ctx.store, sqlText);
        } catch (e) {
          // A non-empty target or a dump that does not load: the input is wrong, nothing to debug.
          throw new ShirubeError('invalid_request', `${file}: ${(e as Error).message}`, 'file');
        }
      }, { migrate: false });
      process.stdout.write(`Restored ${file}.\n`);
    });
}
