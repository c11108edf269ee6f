import { extname } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { ShirubeError } from '../errors.js';
import { importCaseJson } from '../case/import/case-json.js';
import { importSpreadsheet } from '../case/import/spreadsheet.js';
import { importCourseOfStudyCodes } from '../case/import/cscode.js';
import type { ImportResult } from '../case/import/save.js';
import { exportFormats, exportFramework, type ExportFormat } from '../case/export/index.js';
import { readInput, withStore, type CliContext } from './context.js';
import { progressReporter } from './progress.js';

/** Runs an import on the local database with a progress bar and prints what was imported. */
async function runImport(label: string, run: (ctx: CliContext, onProgress: (done: number, total: number) => void) => Promise<ImportResult | ImportResult[]>) {
  const progress = progressReporter(label);
  const results = await withStore(async (ctx) => {
    try {
      return await run(ctx, progress.onProgress);
    } finally {
      progress.finish();
    }
  });
  for (const r of [results].flat()) {
    const c = r.counts;
    process.stdout.write(`Imported ${r.title} (${r.identifier}): ${c.CFItems} CFItems, ${c.CFAssociations} CFAssociations, ${c.CFDefinitions} CFDefinitions, ${c.CFRubrics} CFRubrics.\n`);
  }
}

const auditFor = (ctx: CliContext, action: string, details: Record<string, unknown>) => ({ actor: ctx.actor, action, details });

export function importCommand(program: Command): void {
  const imp = program
    .command('import')
    .description('import a framework into the database (one transaction: a failed import changes nothing)');

  imp
    .command('case-json <file>')
    .description('a CASE JSON CFPackage (1.0 or 1.1), e.g. saved from another CASE server')
    .option('--organization <id>', 'the organization the framework belongs to')
    .option('--course-of-study', 'mark it as a Course of Study framework (looked up by Course of Study Code)')
    .action(async (file: string, opts: { organization?: string; courseOfStudy?: boolean }) => {
      const input = await readInput(file);
      await runImport(`Importing ${file}`, (ctx, onProgress) =>
        importCaseJson(ctx.db, input, { organizationId: opts.organization ?? null, isCourseOfStudy: opts.courseOfStudy === true, audit: auditFor(ctx, 'framework.import', { file }) }, onProgress),
      );
    });

  imp
    .command('spreadsheet <file>')
    .description('an OpenSALT-style spreadsheet: .xlsx (CF Doc, CF Item, CF Association sheets) or .csv (items; needs --title and --creator)')
    .option('--title <title>', 'CFDocument title (required for CSV)')
    .option('--creator <creator>', 'CFDocument creator (required for CSV)')
    .option('--identifier <uuid>', 'CFDocument identifier (default: derived from the file)')
    .option('--publisher <publisher>')
    .option('--language <code>', 'e.g. ja, en')
    .option('--adoption-status <status>', 'e.g. Draft, Private Draft, Adopted')
    .option('--organization <id>', 'the organization the framework belongs to')
    .action(async (file: string, opts: { title?: string; creator?: string; identifier?: string; publisher?: string; language?: string; adoptionStatus?: string; organization?: string }) => {
      const ext = extname(file).toLowerCase();
      if (ext !== '.csv' && ext !== '.xlsx') throw new ShirubeError('invalid_request', `${file}: a spreadsheet must be a .csv or .xlsx file`, 'file');
      const input = await readInput(file);
      const { organization, ...doc } = opts;
      await runImport(`Importing ${file}`, (ctx, onProgress) =>
        importSpreadsheet(ctx.db, input, ext === '.csv' ? 'csv' : 'xlsx', { ...doc, organizationId: organization ?? null, audit: auditFor(ctx, 'framework.import', { file }) }, onProgress),
      );
    });

  imp
    .command('cscode <file>')
    .description("MEXT's Course of Study Code table (CSV): one Course of Study framework per subject; re-importing updates")
    .option('--title <title>', 'CFDocument title (when the subject is not in the known table)')
    .option('--version <version>', 'the code table version, e.g. 82V11')
    .action(async (file: string, opts: { title?: string; version?: string }) => {
      const input = await readInput(file);
      await runImport(`Importing ${file}`, (ctx, onProgress) =>
        importCourseOfStudyCodes(ctx.db, input, { ...opts, audit: auditFor(ctx, 'framework.import.cscode', { file }) }, onProgress),
      );
    });
}

export function exportCommand(program: Command): void {
  program
    .command('export <documentId>')
    .description('export a framework (by CFDocument identifier) as CASE JSON 1.0/1.1, XLSX or CSV')
    .addOption(new Option('--format <format>', 'output format').choices(exportFormats).default('case-json-1.1'))
    .option('-o, --output <file>', 'write to this file (default: standard output; XLSX needs a file)')
    .option('--uri-extras', 'add CFDocumentURI / CFPackageURI inside CASE JSON packages')
    .action(async (documentId: string, opts: { format: ExportFormat; output?: string; uriExtras?: boolean }) => {
      if (opts.format === 'xlsx' && !opts.output && process.stdout.isTTY) {
        throw new ShirubeError('invalid_request', '--output: XLSX is binary; give a file name (-o framework.xlsx) or redirect standard output', 'output');
      }
      const file = await withStore(({ db, config }) => exportFramework(db, documentId, opts.format, { publicUrl: config.publicUrl, uriExtras: opts.uriExtras ?? config.caseUriExtras }));
      if (opts.output) {
        await writeFile(opts.output, file.body);
        process.stderr.write(`Wrote ${opts.output} (${file.body.length} bytes).\n`);
      } else process.stdout.write(file.body);
    });
}
