import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = new URL('../', import.meta.url).pathname;

/**
 * The `shirube` CLI as a user runs it (from the TypeScript sources), with the environment `env` gives each call:
 * `start` spawns it, `run` waits for it to finish and collects its output.
 */
export function cli(env: (extra: Record<string, string>) => NodeJS.ProcessEnv) {
  const start = (args: string[], extra: Record<string, string> = {}) =>
    spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env: env(extra), stdio: 'pipe' });
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
