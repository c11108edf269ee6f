import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { createCredential, createList } from '@digitalbazaar/vc-bitstring-status-list';
import { documentLoader } from '../../src/badges/index.js';

/**
 * Another platform that issues Open Badges, over real HTTP on 127.0.0.1: its own did:web DID document, a freshly
 * generated Ed25519 key, a BitstringStatusList it signs on each request, a 1EdTech revocation list, and any other
 * route a test adds (OB 2.0 documents, misbehaving answers). It records every request it sees.
 */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
export const json = (doc: unknown, status = 200, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(doc));
};

const OB3_CONTEXT = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'];
const STATUS_LENGTH = 131072;

export interface OtherIssuer {
  /** `127.0.0.1:<port>`: what SHIRUBE_VERIFY_ALLOW_HOSTS lists. */
  host: string;
  base: string;
  did: string;
  /** Paths requested, in order. */
  requests: string[];
  routes: Map<string, Handler>;
  /** Revoked indexes of its status list, and the ids its 1EdTech revocation list names. */
  revokedIndexes: Set<number>;
  revokedIds: string[];
  /** An OpenBadgeCredential it signs (eddsa-rdfc-2022, its did:web key); status: a Bitstring index or its revocation list. */
  issue(o?: { index?: number; revocationList?: boolean; change?: (c: Record<string, any>) => void }): Promise<Record<string, any>>;
  /** A VC-JWT (EdDSA) of a credential, with kid = its did:web key. */
  jwt(credential: Record<string, any>): Promise<string>;
  close(): Promise<void>;
}

export async function startOtherIssuer(): Promise<OtherIssuer> {
  const requests: string[] = [];
  const routes = new Map<string, Handler>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(path);
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const base = `http://${host}`;
  const did = `did:web:127.0.0.1%3A${port}:issuers:other`;
  const key = await Ed25519Multikey.generate({ id: `${did}#key-1`, controller: did });
  const revokedIndexes = new Set<number>();
  const revokedIds: string[] = [];
  const sign = async (credential: Record<string, unknown>) => {
    const signed = await vc.issue({ credential, suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite }), documentLoader: documentLoader() });
    return { ...signed, proof: [signed['proof']] };
  };

  const publicKey = await key.export({ publicKey: true, includeContext: false });
  routes.set('/issuers/other/did.json', json({
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{ ...publicKey, id: `${did}#key-1`, type: 'Multikey', controller: did }],
    assertionMethod: [`${did}#key-1`],
  }));
  // Signed as it is now on every request, and not to be cached: a revocation shows at once.
  routes.set('/status/1', (req, res) => {
    void (async () => {
      const list = await createList({ length: STATUS_LENGTH });
      for (const i of revokedIndexes) list.setStatus(i, true);
      const slc = await createCredential({ id: `${base}/status/1`, list, statusPurpose: 'revocation' });
      json(await sign({ ...slc, issuer: did, validFrom: '2024-01-01T00:00:00Z' }), 200, { 'content-type': 'application/vc+ld+json', 'cache-control': 'no-cache' })(req, res);
    })();
  });
  routes.set('/revocations', (req, res) => json({ revokedCredential: revokedIds.map((id) => ({ id, revoked: true, revocationReason: 'Issued by mistake' })) }, 200, { 'cache-control': 'no-store' })(req, res));

  let n = 0;
  return {
    host,
    base,
    did,
    requests,
    routes,
    revokedIndexes,
    revokedIds,
    async issue(o = {}) {
      const id = `${base}/credentials/${++n}`;
      const index = o.index ?? n;
      const c: Record<string, any> = {
        '@context': OB3_CONTEXT,
        id,
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
        issuer: { id: did, type: ['Profile'], name: '他校 Other School' },
        validFrom: '2024-04-01T00:00:00Z',
        name: 'Teamwork Badge',
        credentialSubject: {
          id: 'did:example:learner',
          type: ['AchievementSubject'],
          achievement: { id: `${base}/achievements/teamwork`, type: ['Achievement'], name: 'Teamwork', description: 'Collaborates within a group', criteria: { narrative: 'Nominated by peers' } },
        },
        credentialStatus: o.revocationList
          ? { id: `${base}/revocations`, type: '1EdTechRevocationList' }
          : { id: `${base}/status/1#${index}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: `${base}/status/1` },
      };
      o.change?.(c);
      return sign(c);
    },
    async jwt(credential) {
      const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: `${did}#key-1` })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ ...credential, iss: did, jti: credential['id'], sub: credential['credentialSubject'].id, nbf: Date.parse(credential['validFrom']) / 1000 })).toString('base64url');
      const signature = await key.signer().sign({ data: new TextEncoder().encode(`${header}.${payload}`) });
      return `${header}.${payload}.${Buffer.from(signature).toString('base64url')}`;
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
