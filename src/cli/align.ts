import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { alignmentCsv, parseFailOn, type AlignmentReport } from '../case/index.js';
import { ShirubeError } from '../errors.js';
import { readInput } from './context.js';
import { request, serverToken, serverUrl, type ServerOptions } from './remote.js';

/** The exit status when lines have a --fail-on status (0 all fine, 2 bad usage or input, 1 unexpected error). */
export const ALIGNMENT_FAILED_EXIT = 3;
const DEFAULT_FAIL_ON = 'unknown,replaced,deprecated';

export interface AlignCheckOptions extends ServerOptions {
  server: string;
  failOn: string;
  column?: string;
  format: 'csv' | 'json';
  output?: string;
}

/**
 * Sends a list of CFItem references to a server's alignment check (POST /api/alignment/check), writes the report and
 * says how it went; answers the exit status. Without credentials the public frameworks are checked.
 */
export async function alignCheck(file: string, opts: AlignCheckOptions, out: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const server = serverUrl(opts.server);
  const failOn = opts.failOn === 'none' ? [] : parseFailOn(opts.failOn, 'fail-on');
  const body = await readInput(file);
  const token = opts.token || opts.serverClientId ? await serverToken(server, opts, 'any scope') : undefined;
  const query = new URLSearchParams({ failOn: failOn.join(','), ...(opts.column ? { column: opts.column } : {}) });
  const res = await request(`${server}/api/alignment/check?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: new Uint8Array(body),
  });
  const json = (await res.json().catch(() => undefined)) as (AlignmentReport & { error?: { message?: string } }) | undefined;
  if (!json?.results || (res.status !== 200 && res.status !== 422)) {
    throw new ShirubeError(res.status >= 500 ? 'bad_gateway' : 'invalid_request', `${server} answered ${res.status}: ${json?.error?.message ?? 'not an alignment report'}`);
  }
  const report = opts.format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : alignmentCsv(json);
  if (opts.output) await writeFile(opts.output, report);
  else out.stdout(report);
  const c = json.counts;
  out.stderr(`${json.total} references: ${c.official} official, ${c.current} current, ${c.replaced} replaced, ${c.deprecated} deprecated, ${c.unknown} unknown.\n`);
  const failed = json.results.filter((r) => failOn.includes(r.status));
  for (const r of failed.slice(0, 20)) {
    const by = r.replacement ? ` → ${r.replacement.humanCodingScheme ?? r.replacement.identifier} (${r.replacement.uri})` : '';
    out.stderr(`  line ${r.line}: ${r.reference} is ${r.status}${by}\n`);
  }
  if (failed.length > 20) out.stderr(`  … and ${failed.length - 20} more (see the report)\n`);
  if (!failed.length) return 0;
  out.stderr(`${failed.length} line(s) ${failOn.join(' or ')}: failing (exit ${ALIGNMENT_FAILED_EXIT}).\n`);
  return ALIGNMENT_FAILED_EXIT;
}

export function alignCommand(program: Command): void {
  const align = program.command('align').description("check a vendor's CFItem references against a Shirube server (docs/suppliers.md)");
  align
    .command('check <file>')
    .description(
      'send a list of UUIDs, CASE URIs or Course of Study Codes (one a line, or a CSV column) to the alignment check; ' +
        `writes the report (CSV or JSON) and exits ${ALIGNMENT_FAILED_EXIT} when a line has a --fail-on status, for CI`,
    )
    .requiredOption('--server <url>', 'the Shirube server (e.g. https://shirube.example.jp)')
    .option('--token <token>', 'a bearer token (without credentials the public frameworks are checked)')
    .option('--server-client-id <id>', 'get the token with these API client credentials')
    .option('--server-client-secret <secret>', 'the API client secret')
    .option('--fail-on <statuses>', 'comma-separated statuses that fail the check (official, current, replaced, deprecated, unknown), or none', DEFAULT_FAIL_ON)
    .option('--column <column>', "the CSV column holding the references: its header, or its number from 1")
    .addOption(new Option('--format <format>', 'the report written').choices(['csv', 'json']).default('csv'))
    .option('--output <file>', 'write the report to this file instead of standard output')
    .action(async (file: string, opts: AlignCheckOptions) => {
      process.exitCode = await alignCheck(file, opts, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
    });
}
