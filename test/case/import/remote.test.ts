import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore } from '../../helper.js';
import type { Store } from '../../../src/store/db.js';
import { getDocument } from '../../../src/store/case.js';
import { getCaseSource } from '../../../src/store/case-source.js';
import { importRemote, listRemoteDocuments, resolveRemote } from '../../../src/case/import/remote.js';
import { ACT, readFramework, SMARTER, snapshot } from './support.js';

const smarter = readFramework(SMARTER);
const act = readFramework(ACT);
const SB = smarter.CFDocument.identifier as string;
const CLIENT = { clientId: 'shirube importer', clientSecret: 's3cret:with/odd chars' };
const TOKEN = 'remote-token-1';

/** A stand-in CASE server: a token endpoint, a protected package and list, and misbehaving paths. */
function remoteServer(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const bearer = req.headers.authorization === `Bearer ${TOKEN}`;
    if (url.pathname === '/oauth/token' && req.method === 'POST') {
      const expected = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT.clientId)}:${encodeURIComponent(CLIENT.clientSecret)}`).toString('base64')}`;
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (req.headers.authorization !== expected || form.get('grant_type') !== 'client_credentials') return json(401, { error: 'invalid_client' });
        json(200, { access_token: TOKEN, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') });
      });
      return;
    }
    if (url.pathname === `/case/ims/case/v1p0/CFPackages/${SB}`) return bearer ? json(200, smarter) : json(401, { imsx_codeMajor: 'failure' });
    if (url.pathname === '/case/ims/case/v1p0/CFDocuments') return bearer ? json(200, { CFDocuments: [smarter.CFDocument, act.CFDocument] }) : json(401, {});
    if (url.pathname === `/open/ims/case/v1p0/CFPackages/${act.CFDocument.identifier}`) return json(200, { CFPackage: act });
    if (url.pathname.startsWith('/hang/')) return void res.writeHead(200, { 'content-type': 'application/json' }).write('{"CFDocument":');
    if (url.pathname.startsWith('/html/')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>Login</body></html>');
    if (url.pathname.startsWith('/broken/')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"CFDocument": {"identifier": ');
    if (url.pathname.startsWith('/shape/')) return json(200, { hello: 'world' });
    if (url.pathname.startsWith('/down/')) return json(503, { error: 'maintenance' });
    json(404, { imsx_codeMajor: 'failure', imsx_codeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldValue: 'unknownobject' }] } });
  });
}

describe('import from a remote CASE server', () => {
  let store: Store;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    store = await freshStore();
    server = remoteServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await store.close();
  });

  // The import starts only after the snapshot is taken.
  const refused = async (start: () => Promise<unknown>) => {
    const before = await snapshot(store.db);
    const e = await start().then(() => undefined, (x) => x);
    expect(await snapshot(store.db)).toBe(before);
    return e ? { code: e.code, field: e.field, message: e.message as string } : 'accepted';
  };

  it('resolves package URLs, lists and server bases', () => {
    expect(resolveRemote(`${base}/case/ims/case/v1p0/CFPackages/${SB}`)).toEqual({ server: `${base}/case`, packages: [`${base}/case/ims/case/v1p0/CFPackages/${SB}`] });
    expect(resolveRemote(`${base}/case`, SB).packages).toEqual([`${base}/case/ims/case/v1p1/CFPackages/${SB}`, `${base}/case/ims/case/v1p0/CFPackages/${SB}`]);
    expect(resolveRemote(`${base}/case/ims/case/v1p0/CFDocuments`, SB).packages).toEqual([`${base}/case/ims/case/v1p0/CFPackages/${SB}`]);
    expect(() => resolveRemote('ftp://x/y')).toThrow(/url: must be an http or https URL/);
    expect(() => resolveRemote('not a url')).toThrow(/url: "not a url" is not an absolute URL/);
  });

  it('gets a bearer token with client credentials, imports, and saves the credentials for the server', async () => {
    const auth = { tokenUrl: `${base}/oauth/token`, ...CLIENT, scope: 'https://purl.imsglobal.org/spec/case/v1p0/scope/all.readonly' };
    const r = await importRemote(store.db, { url: `${base}/case/ims/case/v1p0/CFPackages/${SB}`, auth });
    expect(r.counts.CFItems).toBe(585);
    expect((await getDocument(store.db, SB))!.sourceUrl).toBe(`${base}/case/ims/case/v1p0/CFPackages/${SB}`);
    expect(await getCaseSource(store.db, `${base}/case`)).toMatchObject({ tokenUrl: auth.tokenUrl, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, scope: auth.scope });
    // The saved credentials are used next time; a server base and a document id find the v1p0 package after v1p1's 404.
    const again = await importRemote(store.db, { url: `${base}/case`, documentId: SB });
    expect(again.identifier).toBe(SB);
  }, 60_000);

  it('lists the remote documents to choose from', async () => {
    const docs = await listRemoteDocuments(store.db, { url: `${base}/case/ims/case/v1p0/CFDocuments` });
    expect(docs.map((d) => d.identifier)).toEqual([SB, act.CFDocument.identifier]);
    expect(docs[0]).toMatchObject({ title: smarter.CFDocument.title, packageUrl: `${base}/case/ims/case/v1p0/CFPackages/${SB}` });
    expect(await refused(() => importRemote(store.db, { url: `${base}/case/ims/case/v1p0/CFDocuments` }))).toMatchObject({ code: 'invalid_request', field: 'documentId' });
  });

  it('imports an unprotected, wrapped package', async () => {
    const r = await importRemote(store.db, { url: `${base}/open/ims/case/v1p0/CFPackages/${act.CFDocument.identifier}` });
    expect(r.counts.CFItems).toBe(28);
  });

  it('turns every remote failure into a clear 4xx or 502 and stores nothing', async () => {
    const pkg = (prefix: string) => `${base}/${prefix}/ims/case/v1p0/CFPackages/${SB}`;
    const wrong = { tokenUrl: `${base}/oauth/token`, clientId: CLIENT.clientId, clientSecret: 'wrong' };
    expect(await refused(() => importRemote(store.db, { url: `${base}/other/ims/case/v1p0/CFPackages/${SB}`, auth: wrong }))).toMatchObject({ code: 'invalid_request', field: 'auth', message: expect.stringContaining('refused the client credentials (HTTP 401)') });
    expect(await refused(() => importRemote(store.db, { url: `${base}/elsewhere/ims/case/v1p0/CFDocuments/x` }))).toMatchObject({ code: 'invalid_request', field: 'url' });
    expect(await refused(() => importRemote(store.db, { url: pkg('missing') }))).toMatchObject({ code: 'invalid_request', field: 'url', message: expect.stringContaining('HTTP 404') });
    expect(await refused(() => importRemote(store.db, { url: pkg('hang'), timeoutMs: 300 }))).toMatchObject({ code: 'bad_gateway', message: expect.stringContaining('timed out') });
    expect(await refused(() => importRemote(store.db, { url: pkg('html') }))).toMatchObject({ code: 'bad_gateway', message: expect.stringContaining('did not send JSON') });
    expect(await refused(() => importRemote(store.db, { url: pkg('broken') }))).toMatchObject({ code: 'bad_gateway', message: expect.stringContaining('did not send JSON') });
    expect(await refused(() => importRemote(store.db, { url: pkg('shape') }))).toMatchObject({ code: 'bad_gateway', field: 'CFDocument', message: expect.stringContaining('not a usable CFPackage') });
    expect(await refused(() => importRemote(store.db, { url: pkg('down') }))).toMatchObject({ code: 'bad_gateway', message: expect.stringContaining('HTTP 503') });
    expect(await refused(() => importRemote(store.db, { url: pkg('open'), maxBytes: 1000 }))).toMatchObject({ code: 'invalid_request', field: 'url' });
    expect(await refused(() => importRemote(store.db, { url: `${base}/open/ims/case/v1p0/CFPackages/${act.CFDocument.identifier}`, maxBytes: 1000 }))).toMatchObject({ code: 'bad_gateway', message: expect.stringContaining('larger than 1000 bytes') });
    expect(await refused(() => importRemote(store.db, { url: 'http://127.0.0.1:1/ims/case/v1p0/CFPackages/x' }))).toMatchObject({ code: 'bad_gateway', message: expect.stringContaining('Could not reach') });
    expect(await refused(() => importRemote(store.db, { url: pkg('x'), auth: { tokenUrl: 'nope' } as never }))).toMatchObject({ code: 'invalid_request', field: 'auth.clientId' });
  });

  it('says when a protected server needs credentials', async () => {
    const other = await freshStore();
    try {
      const e = await importRemote(other.db, { url: `${base}/case/ims/case/v1p0/CFPackages/${SB}` }).catch((x) => x);
      expect(e).toMatchObject({ code: 'invalid_request', field: 'auth', message: expect.stringContaining('requires authorisation (HTTP 401)') });
    } finally {
      await other.close();
    }
  });
});
