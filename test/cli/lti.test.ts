import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSecretKey } from '../../src/badges/index.js';
import { listPlatforms, toolJwks } from '../../src/lti/index.js';
import { saveClass } from '../../src/progress/index.js';
import { openStore } from '../../src/store/db.js';
import { linkContext, upsertContext } from '../../src/store/lti.js';
import { upsertSchool } from '../../src/store/progress-rosters.js';
import { cli, freePort } from '../cli-process.js';
import { CLIENT_ID, DEPLOYMENT_ID, ROLE, startPlatform, type TestPlatform } from '../http/lti/platform.js';

/**
 * `shirube lti` as an administrator runs it (embedded database): register a platform, list it, and sync a class's
 * roster from the test platform's Names and Role Provisioning endpoint over HTTP (the platform checks the CLI's
 * client assertion against the tool's published keys).
 */
const SECRET = 'cli lti test secret key of 32+ characters';
let dir: string;
let platform: TestPlatform;
let jwks: unknown = { keys: [] };
const keyServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
const { run } = cli((extra) => {
  const { DATABASE_URL: _db, ...rest } = process.env;
  return { ...rest, SHIRUBE_DATA_DIR: dir, SHIRUBE_DEMO: '0', SHIRUBE_LOG_LEVEL: 'warn', SHIRUBE_SECRET_KEY: SECRET, ...extra };
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shirube-cli-lti-'));
  const port = await freePort();
  await new Promise<void>((r) => keyServer.listen(port, '127.0.0.1', r));
  // The tool's JWKS as a running Shirube would publish it (the CLI has no server).
  platform = await startPlatform({ base: `http://127.0.0.1:${port}` });
});
afterAll(async () => {
  await platform?.close();
  keyServer.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shirube lti', { timeout: 240_000 }, () => {
  it('registers and lists a platform; refuses a plain http issuer naming it', async () => {
    const add = await run(['lti', 'add', '--issuer', platform.issuer, '--client-id', CLIENT_ID, '--deployment', DEPLOYMENT_ID, '--auth-login-url', platform.authUrl, '--token-url', platform.tokenUrl, '--jwks-url', platform.jwksUrl, '--label', 'ポータル']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^Registered ポータル \(.+\)\.\n$/);
    const list = await run(['lti', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ issuer: platform.issuer, clientId: CLIENT_ID, deploymentIds: [DEPLOYMENT_ID], label: 'ポータル' })]);
    const bad = await run(['lti', 'add', '--issuer', 'http://portal.example', '--client-id', 'x', '--deployment', '1', '--auth-login-url', 'https://portal.example/a', '--token-url', 'https://portal.example/t', '--jwks-url', 'https://portal.example/j']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('issuer: must be https://');
  });

  it('syncs a linked class from NRPS and says what changed; a class without a context is an input error', async () => {
    const store = await openStore({ dataDir: dir });
    try {
      const [p] = await listPlatforms(store.db);
      await upsertSchool(store.db, { id: 'school-1', name: '小学校', kind: 'school', parentId: null });
      await saveClass(store.db, { id: 'class-1', title: '3年1組', schoolId: 'school-1', source: 'manual' });
      const c = await upsertContext(store.db, { id: 'ctx-1', platformId: p!.id, contextId: 'course-3-1', title: '3年1組', membershipsUrl: `${platform.issuer}/nrps/course-3-1` });
      await linkContext(store.db, c.id, 'class-1');
      jwks = await toolJwks({ db: store.db, publicUrl: 'http://localhost:3000', secret: loadSecretKey({ secretKey: SECRET, dataDir: dir }) });
    } finally {
      await store.close();
    }
    platform.members = [
      { user_id: 't-1', roles: [ROLE.instructor], name: '先生' },
      { user_id: 's-1', roles: [ROLE.learner], name: '児童 一' },
      { user_id: 's-2', roles: [ROLE.student], name: '児童 二' },
    ];
    const sync = await run(['lti', 'sync', 'class-1', '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout)).toEqual({ classId: 'class-1', members: 3, pages: 2, added: { learners: 2, teachers: 1 }, removed: 0, unchanged: 0 });
    expect(platform.tokenRequests).toBe(1);
    const again = await run(['lti', 'sync', 'class-1']);
    expect(again.stdout).toBe('3 members in 2 page(s): added 0 learner(s) and 0 teacher(s), removed 0, unchanged 3.\n');
    const none = await run(['lti', 'sync', 'class-2']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('not linked to a context');
  });
});
