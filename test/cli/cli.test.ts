import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, stop } from '../cli-process.js';
import { SHARED } from '../helper.js';

const ROOT = new URL('../../', import.meta.url).pathname;

const ACT_FILE = join(SHARED, 'data/case-frameworks/act-holistic-framework-math.v1p0.cfpackage.json');
const ACT_ID = 'a33fc64e-5c40-11e7-82c4-3d54268aa9ee';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shirube-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, ...rest } = process.env;
  return { ...rest, SHIRUBE_DATA_DIR: dir, SHIRUBE_DEMO: '0', SHIRUBE_LOG_LEVEL: 'warn', ...extra };
}

const { start, run, serve } = cli(env);

/** `shirube serve` on the test's data directory; resolves once it listens. */
async function serveHere(): Promise<{ child: ChildProcess; url: string; stop(): Promise<number | null> }> {
  const port = await freePort();
  const child = await serve(port);
  return { child, url: `http://127.0.0.1:${port}`, stop: () => stop(child) };
}

// Each command is a fresh Node process opening PGlite: seconds each, more on a busy machine.
describe('shirube CLI', { timeout: 240_000 }, () => {
  it('migrate applies the migrations once', async () => {
    const first = await run(['migrate']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration\(s\): 0001_case_and_accounts/);
    const again = await run(['migrate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already at the latest migration');
  });

  it('adds a user and an API client who then sign in on a server started on the same directory; the running server locks the directory', async () => {
    const add = await run(['users', 'add', 'hanako', '--display-name', '花子', '--role', 'admin', '--password-stdin'], 'a long enough password\n');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('Created user hanako');
    expect(add.stdout).not.toContain('a long enough password');
    const client = await run(['clients', 'add', 'mirror', '--scope', 'case:read', '--scope', 'case:write']);
    expect(client.code, client.stderr).toBe(0);
    const clientId = /client_id:\s+(\S+)/.exec(client.stdout)![1]!;
    const clientSecret = /client_secret:\s+(\S+)/.exec(client.stdout)![1]!;

    const listed = await run(['users', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ username: 'hanako', displayName: '花子', roles: [{ role: 'admin', scopeType: 'global', scopeId: '' }] })]);

    const server = await serveHere();
    try {
      const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'hanako', password: 'a long enough password' }),
      });
      expect(signIn.status).toBe(200);
      expect((await signIn.json()).user.roles).toEqual([{ role: 'admin', scopeType: 'global', scopeId: '' }]);

      const token = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(token.status).toBe(200);
      expect((await token.json()).scope).toBe('case:read case:write');

      // Imports go through the running server's API with --server, authenticated as the API client.
      const viaServer = await run(['import', 'case-json', ACT_FILE, '--server', server.url, '--server-client-id', clientId, '--server-client-secret', clientSecret]);
      expect(viaServer.code, viaServer.stderr).toBe(0);
      expect(viaServer.stdout).toContain(`Imported ACT Holistic Framework, Math (${ACT_ID}): 28 CFItems`);
      expect((await fetch(`${server.url}/ims/case/v1p1/CFDocuments/${ACT_ID}`)).status).toBe(200);
      const noToken = await run(['import', 'case-json', ACT_FILE, '--server', server.url]);
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toContain('--token');

      // A second process cannot open the embedded database: it fails fast and says what to do.
      const locked = await run(['users', 'list']);
      expect(locked.code).toBe(2);
      const message = locked.stderr.trim();
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toContain(`is in use by process ${server.child.pid}`);
      expect(message).toMatch(/Stop it first/);
      expect(message).toContain('--server');
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // Once the server has stopped, the directory is free again.
    const after = await run(['users', 'list']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('hanako');
  });

  it('imports a Course of Study Code table with progress on stderr, exports it and derives a framework from it', async () => {
    const imp = await run(['import', 'cscode', join(ROOT, 'assets/frameworks/elementary-math-2017.csv')]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toMatch(/Imported .*算数 \(([0-9a-f-]{36})\): 632 CFItems/);
    // Not a terminal: a few percentage lines ending at 100%.
    const lines = imp.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(lines.at(-1)).toMatch(/100% \(\d+\/\d+\)$/);
    const id = /\(([0-9a-f-]{36})\)/.exec(imp.stdout)![1]!;

    const out = join(dir, 'export.json');
    const exp = await run(['export', id, '--format', 'case-json-1.1', '-o', out]);
    expect(exp.code, exp.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(out, 'utf8'));
    expect(pkg.CFDocument.identifier).toBe(id);
    expect(pkg.CFItems).toHaveLength(632);

    const derived = await run(['derive', id, '--title', '○○県 算数', '--creator', '○○県教育委員会']);
    expect(derived.code, derived.stderr).toBe(0);
    expect(derived.stdout).toMatch(/^Derived ○○県 算数 \([0-9a-f-]{36}\) from [0-9a-f-]{36}: 632 CFItems, \d+ CFAssociations \(632 exactMatchOf\), 0 CFRubrics; evidence for 0 \(learner, item\) pairs\.\n$/);
    expect(derived.stderr.trim().split('\n').at(-1)).toMatch(/100% \(\d+\/\d+\)$/);
  });

  it('imports from a remote CASE server with OAuth 2.0 client credentials', async () => {
    const act = readFileSync(ACT_FILE);
    const seen: string[] = [];
    const remote = createHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      if (req.method === 'POST' && req.url === '/oauth/token') {
        const ok = req.headers.authorization === `Basic ${Buffer.from('mirror:s3cret').toString('base64')}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { access_token: 'remote-token', token_type: 'Bearer', expires_in: 60 } : { error: 'invalid_client' }));
      } else if (req.url === `/ims/case/v1p0/CFPackages/${ACT_ID}` && req.headers.authorization === 'Bearer remote-token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(act);
      } else {
        res.writeHead(401).end();
      }
    });
    await new Promise<void>((r) => remote.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(remote.address() as { port: number }).port}`;
    try {
      const r = await run(['import', 'remote', `${base}/ims/case/v1p0/CFPackages/${ACT_ID}`, '--token-url', `${base}/oauth/token`, '--client-id', 'mirror', '--client-secret', 's3cret', '--scope', 'case:read']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`(${ACT_ID}): 28 CFItems`);
      expect(seen[0]).toMatch(/^POST \/oauth\/token Basic /);
      expect(seen[1]).toBe(`GET /ims/case/v1p0/CFPackages/${ACT_ID} Bearer remote-token`);
      const wrong = await run(['import', 'remote', `${base}/ims/case/v1p0/CFPackages/${ACT_ID}`, '--token-url', `${base}/oauth/token`, '--client-id', 'mirror', '--client-secret', 'wrong']);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('refused the client credentials');
    } finally {
      await new Promise((r) => remote.close(r));
    }
  });

  it('backs the embedded database up and restores it into a new data directory, only an empty one', async () => {
    const dump = join(dir, 'backup.sql');
    const b = await run(['backup', '-o', dump]);
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(dump, 'utf8')).toContain('CREATE TABLE public.app_user');
    const other = mkdtempSync(join(tmpdir(), 'shirube-restore-'));
    try {
      const r = await run(['restore', dump], undefined, { SHIRUBE_DATA_DIR: other });
      expect(r.code, r.stderr).toBe(0);
      const users = await run(['users', 'list', '--json'], undefined, { SHIRUBE_DATA_DIR: other });
      expect(JSON.parse(users.stdout).map((u: { username: string }) => u.username)).toEqual(['hanako']);
      const again = await run(['restore', dump], undefined, { SHIRUBE_DATA_DIR: other });
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('not empty');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('exits with 2 and one line for usage, input and data errors', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command/],
      [['users', 'grant', 'hanako', 'teacher'], /grant\.scopeId: the class identifier is required/],
      [['users', 'grant', 'nobody', 'admin'], /No user named nobody/],
      [['clients', 'add', 'x', '--scope', 'case:everything'], /unknown case:everything/],
      [['import', 'case-json', join(dir, 'missing.json')], /missing\.json: no such file/],
      [['export', '00000000-0000-4000-8000-000000000000', '--format', 'csv'], /No framework/],
      [['export', 'x', '--format', 'pdf'], /pdf/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args, 'some password\n');
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const bad = await run(['users', 'grant', 'hanako', 'teacher']);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits with 2 on bad configuration, naming the variable', async () => {
    const child = start(['migrate'], { PORT: 'eighty' });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT');
  });

  it('serve exits with 2 when its port is taken, and frees the data directory', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = String((taken.address() as { port: number }).port);
    try {
      const r = await run(['serve'], undefined, { PORT: port, HOST: '127.0.0.1' });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`shirube: PORT/HOST: 127.0.0.1:${port} is in use by another program; choose another PORT or HOST (docs/config.md)`);
    } finally {
      await new Promise((r) => taken.close(r));
    }
    expect((await run(['users', 'list'])).code).toBe(0);
  });
});
