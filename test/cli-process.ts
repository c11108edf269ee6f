import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { mtimes } from './mtimes.js';

const ROOT = new URL('../', import.meta.url).pathname;
const BUILT = join(ROOT, 'dist/src/cli/main.js');

/**
 * How to run the CLI (Node.js's arguments before the command's): the build when it is newer than every source file
 * (CI builds in `npm ci`; it starts a second sooner per call), else the TypeScript sources through tsx, so a test
 * never runs stale code.
 */
export const CLI_ENTRY = (() => {
  try {
    if (statSync(BUILT).mtimeMs > mtimes(join(ROOT, 'src')).newest) return [BUILT];
  } catch {
    // no build yet
  }
  return ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
})();

/**
 * The `shirube` CLI as a user runs it, with the environment `env` gives each call: `start` spawns it, `run` waits
 * for it to finish and collects its output, `serve` starts the server on a port of 127.0.0.1 and resolves once it
 * listens.
 */
export function cli(env: (extra: Record<string, string>) => NodeJS.ProcessEnv) {
  const start = (args: string[], extra: Record<string, string> = {}) =>
    spawn(process.execPath, [...CLI_ENTRY, ...args], { cwd: ROOT, env: env(extra), stdio: 'pipe' });
  const run = (args: string[], input?: string, extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    const child = start(args, extra);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(input ?? '');
    return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
  };
  const serve = async (port: number, extra: Record<string, string> = {}): Promise<ChildProcess> => {
    const child = start(['serve'], serveEnv(port, extra));
    await listening(child);
    return child;
  };
  return { start, run, serve };
}

/** The environment of `shirube serve` on `port` of 127.0.0.1, with `extra`. */
export const serveEnv = (port: number, extra: Record<string, string> = {}) => ({ PORT: String(port), HOST: '127.0.0.1', SHIRUBE_PUBLIC_URL: `http://127.0.0.1:${port}`, ...extra });

/** Resolves once the spawned `shirube serve` listens (its output then goes on being read and dropped); rejects if it exits first. */
export async function listening(child: ChildProcess): Promise<void> {
  let out = '';
  await new Promise<void>((res, rej) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Shirube is running at')) res();
    });
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => rej(new Error(`serve exited with ${code}: ${out}`)));
  });
  child.stdout!.resume();
}

/** Ends a process with `signal` (SIGTERM: a clean shutdown) and resolves with its exit code once it has exited. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill(signal);
  return exited;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** A session of `username` on the server at `base`, signed in through the API: the headers its writes send. */
export async function signIn(base: string, username: string, password: string): Promise<{ cookie: string; 'x-csrf-token': string }> {
  const res = await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`sign-in as ${username}: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), 'x-csrf-token': csrfToken };
}

/** A new API client with the xAPI scope, made by an administrator's `session` at `base`: the headers an xAPI 1.0.3 client sends. */
export async function xapiClient(base: string, session: { cookie: string; 'x-csrf-token': string }): Promise<Record<string, string>> {
  const made = await fetch(`${base}/api/admin/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...session },
    body: JSON.stringify({ name: 'xAPI writer', scopes: ['xapi:all'] }),
  });
  if (made.status !== 201) throw new Error(`creating an API client: ${made.status} ${await made.text()}`);
  const { clientId, clientSecret } = (await made.json()) as { clientId: string; clientSecret: string };
  return { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' };
}
