import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { eraseLearner, exportLearner, findLearnerByAgent } from '../lrs/index.js';
import { progressPersonalData } from '../progress/index.js';
import { badgesPersonalData, obApiPersonalData } from '../badges/index.js';
import type { Db } from '../store/db.js';
import { ShirubeError } from '../errors.js';
import { withStore } from './context.js';

/** A learner given as its id, or as an xAPI Agent in JSON ('{"mbox":"mailto:…"}'). */
async function learnerIdOf(db: Db, who: string): Promise<string> {
  if (!who.trimStart().startsWith('{')) return who;
  let agent: unknown;
  try {
    agent = JSON.parse(who);
  } catch {
    throw new ShirubeError('invalid_request', 'learner: an Agent must be JSON, e.g. {"mbox":"mailto:a@example.jp"}', 'learner');
  }
  return findLearnerByAgent(db, agent);
}

export function learnersCommand(program: Command): void {
  const learners = program.command('learners').description('learners’ personal data in the LRS: export and erasure');

  learners
    .command('export <learner>')
    .description('write everything held about a learner (id, or xAPI Agent as JSON) as JSON: identifiers, statements, documents, evidence')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(async (who: string, opts: { output?: string }) => {
      const data = await withStore(async ({ db }) => exportLearner(db, await learnerIdOf(db, who), [obApiPersonalData, progressPersonalData, badgesPersonalData]));
      const text = `${JSON.stringify(data, null, 2)}\n`;
      if (opts.output) await writeFile(opts.output, text);
      else process.stdout.write(text);
    });

  learners
    .command('erase <learner>')
    .description('erase a learner (id, or xAPI Agent as JSON): statements, documents, evidence, rollups and identifiers')
    .requiredOption('--yes', 'confirm: this cannot be undone')
    .action(async (who: string) => {
      const r = await withStore(async ({ db, actor }) => {
        const id = await learnerIdOf(db, who);
        return { id, ...(await eraseLearner(db, id, actor, [obApiPersonalData, progressPersonalData, badgesPersonalData])) };
      });
      process.stdout.write(`Erased learner ${r.id}: ${r.statements} statement(s), ${r.documents} document(s), and their evidence.\n`);
    });
}
