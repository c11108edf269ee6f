// npm run conformance -- <path to adlnet/lrs-conformance-test-suite> [--version 1.0.3|2.0.0] [--grep <pattern>]
//   [--database-url <an empty PostgreSQL database>]
//
// Starts a fresh Shirube (`shirube serve`) on a temporary data directory and a free port, creates xAPI
// credentials with `shirube clients add`, runs the ADL LRS conformance suite for xAPI 1.0.3 and 2.0.0 (per its
// README: node bin/console_runner.js) and prints the totals read from each run's JSON log (the suite's exit code
// is the failure count modulo 256). The suite is never part of this repository: see docs/lrs.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const cli = [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'src/cli/main.ts')];

function args() {
  const a = process.argv.slice(2);
  const suite = a.find((x, i) => !x.startsWith('--') && !a[i - 1]?.startsWith('--'));
  if (!suite) {
    process.stderr.write('usage: npm run conformance -- <path to lrs-conformance-test-suite> [--version 1.0.3|2.0.0] [--grep <pattern>] [--database-url <url>]\n');
    process.exit(2);
  }
  const opt = (name: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 ? a[i + 1] : undefined;
  };
  return { suite: resolve(suite), versions: opt('version') ? [opt('version')!] : ['1.0.3', '2.0.0'], grep: opt('grep'), databaseUrl: opt('database-url') };
}

const freePort = () =>
  new Promise<number>((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`shirube serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

interface Totals {
  version: string;
  total: number;
  passed: number;
  failed: number;
  log: string;
}

function newestLog(dir: string, after: number): string | undefined {
  let best: { f: string; t: number } | undefined;
  for (const f of readdirSync(dir)) {
    const t = statSync(join(dir, f)).mtimeMs;
    if (t >= after && (!best || t > best.t)) best = { f: join(dir, f), t };
  }
  return best?.f;
}

/** Failed test titles from the suite's log (a mocha-like tree with `status` leaves). */
function failures(node: unknown, path: string[] = [], out: string[] = []): string[] {
  if (!node || typeof node !== 'object') return out;
  const n = node as { title?: string; name?: string; status?: string; error?: string; tests?: unknown[]; suites?: unknown[] };
  const here = [...path, n.title ?? n.name ?? ''].filter(Boolean);
  const leaf = !n.tests?.length && !n.suites?.length;
  if (n.status === 'failed' && leaf) out.push(`${here.join(' › ')}${n.error ? `\n      ${String(n.error).split('\n')[0]}` : ''}`);
  for (const c of [...(n.tests ?? []), ...(n.suites ?? [])]) failures(c, here, out);
  return out;
}

async function main() {
  const { suite, versions, grep, databaseUrl } = args();
  const dataDir = mkdtempSync(join(tmpdir(), 'shirube-conformance-'));
  const port = await freePort();
  const env = { ...process.env, SHIRUBE_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', SHIRUBE_PUBLIC_URL: `http://127.0.0.1:${port}`, SHIRUBE_DEMO: '0', SHIRUBE_LOG_LEVEL: 'warn' };
  // The embedded database unless --database-url names a PostgreSQL one.
  delete env['DATABASE_URL'];
  if (databaseUrl) env['DATABASE_URL'] = databaseUrl;
  const add = spawnSync(process.execPath, [...cli, 'clients', 'add', 'ADL conformance suite', '--scope', 'xapi:all'], { env, encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`clients add failed: ${add.stderr}`);
  const key = /client_id:\s+(\S+)/.exec(add.stdout)?.[1];
  const secret = /client_secret:\s+(\S+)/.exec(add.stdout)?.[1];
  if (!key || !secret) throw new Error('clients add printed no credentials');
  const server = spawn(process.execPath, [...cli, 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const results: Totals[] = [];
  try {
    await waitFor(`http://127.0.0.1:${port}/xapi/about`, server);
    const commit = spawnSync('git', ['-C', suite, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    process.stdout.write(`Suite ${suite} at ${commit || '(unknown commit)'}; Shirube on port ${port}\n`);
    for (const version of versions) {
      const started = Date.now();
      const run = spawnSync(
        process.execPath,
        ['bin/console_runner.js', '-x', version, '-e', `http://127.0.0.1:${port}/xapi`, '-a', '-u', key, '-p', secret, '-z', ...(grep ? ['-g', grep] : [])],
        { cwd: suite, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      );
      const log = newestLog(join(suite, 'logs'), started);
      if (!log) throw new Error(`no log written by the ${version} run:\n${run.stdout}\n${run.stderr}`);
      const parsed = JSON.parse(readFileSync(log, 'utf8')) as { summary?: { total: number; passed: number; failed: number }; log?: unknown };
      const s = parsed.summary ?? { total: 0, passed: 0, failed: -1 };
      results.push({ version, ...s, log });
      process.stdout.write(`xAPI ${version}: total ${s.total}, passed ${s.passed}, failed ${s.failed} (${Math.round((Date.now() - started) / 1000)} s; log ${log})\n`);
      for (const f of failures(parsed.log).slice(0, 50)) process.stdout.write(`  ✗ ${f}\n`);
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(results.map(({ version, total, passed, failed }) => ({ version, total, passed, failed })))}\n`);
  process.exitCode = results.every((r) => r.failed === 0) ? 0 : 1;
}

await main();
