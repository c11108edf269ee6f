import { extname } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { ShirubeError } from '../errors.js';
import { importCaseJson } from '../case/import/case-json.js';
import { importSpreadsheet } from '../case/import/spreadsheet.js';
import { importCourseOfStudyCodes } from '../case/import/cscode.js';
import { importRemote } from '../case/import/remote.js';
import type { ImportResult } from '../case/import/save.js';
import { exportFormats, exportFramework, type ExportFormat } from '../case/export/index.js';
import { readInput, withStore, type CliContext } from './context.js';
import { progressReporter } from './progress.js';
import { request, serverToken, serverUrl, type ServerOptions } from './remote.js';

type Results = ImportResult | ImportResult[];

/** One import, as it runs on the local database and as it is sent to a running server (POST /api/frameworks/import). */
interface ImportSpec {
  label: string;
  local(ctx: CliContext, onProgress: (done: number, total: number) => void): Promise<Results>;
  http: { contentType: string; query?: Record<string, string | undefined>; body: Buffer | string };
}


/** `--server` and its credentials, on every import subcommand. */
function serverOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'send the import to this running Shirube server instead of opening the database (e.g. http://localhost:3000)')
    .option('--token <token>', 'with --server: a bearer token with case:write (from POST /oauth/token)')
    .option('--server-client-id <id>', 'with --server: get the token with these API client credentials instead')
    .option('--server-client-secret <secret>', 'with --server: the API client secret');
}

const printResults = (results: Results) => {
  for (const r of [results].flat()) {
    const c = r.counts;
    process.stdout.write(`Imported ${r.title} (${r.identifier}): ${c.CFItems} CFItems, ${c.CFAssociations} CFAssociations, ${c.CFDefinitions} CFDefinitions, ${c.CFRubrics} CFRubrics.\n`);
  }
};

/** Runs an import on the local database (with a progress bar) or on a running server, and prints what was imported. */
async function runImport(spec: ImportSpec, opts: ServerOptions): Promise<void> {
  if (opts.server) {
    printResults(await importOnServer(spec, opts.server, opts));
    return;
  }
  const progress = progressReporter(spec.label);
  const results = await withStore(async (ctx) => {
    try {
      return await spec.local(ctx, progress.onProgress);
    } finally {
      progress.finish();
    }
  });
  printResults(results);
}

async function importOnServer(spec: ImportSpec, url: string, opts: ServerOptions): Promise<Results> {
  const server = serverUrl(url);
  const token = await serverToken(server, opts, 'case:write');
  const query = new URLSearchParams(Object.entries(spec.http.query ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, v]])));
  process.stderr.write(`${spec.label} on ${server} …\n`);
  const res = await request(`${server}/api/frameworks/import${query.size ? `?${query}` : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': spec.http.contentType },
    body: typeof spec.http.body === 'string' ? spec.http.body : new Uint8Array(spec.http.body),
  });
  const body = (await res.json().catch(() => undefined)) as { frameworks?: ImportResult[]; error?: { code?: string; message?: string } } | undefined;
  if (res.ok && body?.frameworks) return body.frameworks;
  throw new ShirubeError(res.status >= 500 ? 'bad_gateway' : 'invalid_request', `${server} answered ${res.status}: ${body?.error?.message ?? 'not a Shirube import response'}`);
}

const auditFor = (ctx: CliContext, action: string, details: Record<string, unknown>) => ({ actor: ctx.actor, action, details });
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function importCommand(program: Command): void {
  const imp = program
    .command('import')
    .description('import a framework (one transaction: a failed import changes nothing); --server sends it to a running server');

  serverOptions(imp.command('case-json <file>'))
    .description('a CASE JSON CFPackage (1.0 or 1.1), e.g. saved from another CASE server')
    .option('--organization <id>', 'the organization the framework belongs to')
    .option('--course-of-study', 'mark it as a Course of Study framework (looked up by Course of Study Code)')
    .action(async (file: string, opts: ServerOptions & { organization?: string; courseOfStudy?: boolean }) => {
      const input = await readInput(file);
      await runImport({
        label: `Importing ${file}`,
        local: (ctx, onProgress) =>
          importCaseJson(ctx.db, input, { organizationId: opts.organization ?? null, isCourseOfStudy: opts.courseOfStudy === true, audit: auditFor(ctx, 'framework.import', { file }) }, onProgress),
        http: { contentType: 'application/json', body: input },
      }, opts);
    });

  serverOptions(imp.command('spreadsheet <file>'))
    .description('an OpenSALT-style spreadsheet: .xlsx (CF Doc, CF Item, CF Association sheets) or .csv (items; needs --title and --creator)')
    .option('--title <title>', 'CFDocument title (required for CSV)')
    .option('--creator <creator>', 'CFDocument creator (required for CSV)')
    .option('--identifier <uuid>', 'CFDocument identifier (default: derived from the file)')
    .option('--publisher <publisher>')
    .option('--language <code>', 'e.g. ja, en')
    .option('--adoption-status <status>', 'e.g. Draft, Private Draft, Adopted')
    .option('--organization <id>', 'the organization the framework belongs to (local imports)')
    .action(async (file: string, opts: ServerOptions & { title?: string; creator?: string; identifier?: string; publisher?: string; language?: string; adoptionStatus?: string; organization?: string }) => {
      const ext = extname(file).toLowerCase();
      if (ext !== '.csv' && ext !== '.xlsx') throw new ShirubeError('invalid_request', `${file}: a spreadsheet must be a .csv or .xlsx file`, 'file');
      const format = ext === '.csv' ? 'csv' : 'xlsx';
      const input = await readInput(file);
      const doc = { identifier: opts.identifier, title: opts.title, creator: opts.creator, publisher: opts.publisher, language: opts.language, adoptionStatus: opts.adoptionStatus };
      await runImport({
        label: `Importing ${file}`,
        local: (ctx, onProgress) => importSpreadsheet(ctx.db, input, format, { ...doc, organizationId: opts.organization ?? null, audit: auditFor(ctx, 'framework.import', { file }) }, onProgress),
        http: { contentType: format === 'csv' ? 'text/csv' : XLSX_TYPE, query: { format, ...doc }, body: input },
      }, opts);
    });

  serverOptions(imp.command('cscode <file>'))
    .description("MEXT's Course of Study Code table (CSV): one Course of Study framework per subject; re-importing updates")
    .option('--title <title>', 'CFDocument title (when the subject is not in the known table)')
    .option('--table-version <version>', 'the code table version, e.g. 82V11')
    .action(async (file: string, opts: ServerOptions & { title?: string; tableVersion?: string }) => {
      const input = await readInput(file);
      await runImport({
        label: `Importing ${file}`,
        local: (ctx, onProgress) =>
          importCourseOfStudyCodes(ctx.db, input, { title: opts.title, version: opts.tableVersion, audit: auditFor(ctx, 'framework.import.cscode', { file }) }, onProgress),
        http: { contentType: 'text/csv', query: { format: 'cscode', title: opts.title, version: opts.tableVersion }, body: input },
      }, opts);
    });

  serverOptions(imp.command('remote <url>'))
    .description('a CFPackage from a remote CASE server: a CFPackages/{id} URL, or a server / CFDocuments URL with --document')
    .option('--document <id>', 'the CFDocument identifier, when <url> is not a CFPackages URL')
    .option('--token-url <url>', "the remote server's OAuth 2.0 token endpoint (client credentials)")
    .option('--client-id <id>', 'client id at the remote server')
    .option('--client-secret <secret>', 'client secret at the remote server (saved for later imports from that server)')
    .option('--scope <scope>', 'scope to request from the remote server')
    .option('--timeout <seconds>', 'per request', (v) => Number(v))
    .action(async (url: string, opts: ServerOptions & { document?: string; tokenUrl?: string; clientId?: string; clientSecret?: string; scope?: string; timeout?: number }) => {
      const given = [opts.tokenUrl, opts.clientId, opts.clientSecret].filter(Boolean).length;
      if (given !== 0 && given !== 3) throw new ShirubeError('invalid_request', '--token-url, --client-id and --client-secret go together', 'client-id');
      if (opts.timeout !== undefined && !(opts.timeout > 0)) throw new ShirubeError('invalid_request', '--timeout: a number of seconds', 'timeout');
      const request = {
        url,
        documentId: opts.document,
        auth: given ? { tokenUrl: opts.tokenUrl!, clientId: opts.clientId!, clientSecret: opts.clientSecret!, scope: opts.scope } : undefined,
        timeoutMs: opts.timeout !== undefined ? Math.round(opts.timeout * 1000) : undefined,
      };
      await runImport({
        label: `Importing ${url}`,
        local: (ctx, onProgress) => importRemote(ctx.db, { ...request, audit: auditFor(ctx, 'framework.import.remote', { url }) }, onProgress),
        http: { contentType: 'application/json', body: JSON.stringify(request) },
      }, opts);
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
