import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = new URL('../', import.meta.url).pathname;
const BUILT = join(ROOT, 'dist/src/cli/main.js');

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  return t;
}

/**
 * How to run the CLI: the build when it is newer than every source file (CI builds in `npm ci`; it starts a second
 * sooner per call), else the TypeScript sources through tsx, so a test never runs stale code.
 */
const entry = (() => {
  try {
    if (statSync(BUILT).mtimeMs > newest(join(ROOT, 'src'))) return [BUILT];
  } catch {
    // no build yet
  }
  return ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
})();

/**
 * The `shirube` CLI as a user runs it, with the environment `env` gives each call:
 * `start` spawns it, `run` waits for it to finish and collects its output.
 */
export function cli(env: (extra: Record<string, string>) => NodeJS.ProcessEnv) {
  const start = (args: string[], extra: Record<string, string> = {}) =>
    spawn(process.execPath, [...entry, ...args], { cwd: ROOT, env: env(extra), stdio: 'pipe' });
  const run = (args: string[], input?: string, extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    const child = start(args, extra);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(input ?? '');
    return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
  };
  return { start, run };
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}
