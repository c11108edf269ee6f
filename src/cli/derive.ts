import type { Command } from 'commander';
import { deriveFramework, deriveInput } from '../case/derive.js';
import { derivationBackfill } from '../lrs/index.js';
import { evidenceHook } from '../badges/index.js';
import { withStore } from './context.js';
import { progressReporter } from './progress.js';

interface DeriveOptions {
  title: string;
  creator: string;
  publisher?: string;
  description?: string;
  version?: string;
  identifier?: string;
  organization?: string;
}

/** `shirube derive <documentId>`: a derivative framework (docs/derivatives.md), as POST /api/frameworks/{id}/derive. */
export function deriveCommand(program: Command): void {
  program
    .command('derive <documentId>')
    .description("derive a framework (e.g. a board of education's version of a Course of Study framework): new identifiers, each item an exactMatchOf its source, Private Draft")
    .requiredOption('--title <title>', 'the new CFDocument title')
    .requiredOption('--creator <creator>', 'the new CFDocument creator (e.g. the board of education)')
    .option('--publisher <publisher>')
    .option('--description <text>')
    .option('--version <version>', 'the version of the derivative (e.g. 2026)')
    .option('--identifier <uuid>', 'the new CFDocument identifier (default: a new UUID)')
    .option('--organization <id>', 'the organization the derivative belongs to')
    .action(async (documentId: string, opts: DeriveOptions) => {
      const { organization, ...fields } = opts;
      const input = deriveInput(fields);
      const progress = progressReporter(`Deriving from ${documentId}`);
      const r = await withStore(async ({ db, config, actor }) => {
        try {
          return await deriveFramework(db, documentId, input, {
            actor,
            organizationId: organization ?? null,
            backfill: derivationBackfill({ timeZone: config.timeZone, onEvidence: evidenceHook(config.timeZone) }),
            onProgress: progress.onProgress,
          });
        } finally {
          progress.finish();
        }
      });
      const c = r.counts;
      process.stdout.write(
        `Derived ${r.title} (${r.identifier}) from ${r.source}: ${c.CFItems} CFItems, ${c.CFAssociations} CFAssociations (${r.exactMatches} exactMatchOf), ${c.CFRubrics} CFRubrics; ` +
          `evidence for ${r.evidencePairs} (learner, item) pairs.\n`,
      );
    });
}
