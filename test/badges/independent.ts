import { readFileSync } from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import jsonld from 'jsonld';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { SHARED } from '../helper.js';

/**
 * What a party other than Shirube does with its badges, using none of Shirube's code: the JSON-LD contexts from the
 * shared spec folder (not the app's copies), DID documents and status lists fetched over HTTP from the server under
 * test (`base`), nothing else.
 */
const OB3 = `${SHARED}spec/ob3/`;
const contextIndex = JSON.parse(readFileSync(`${OB3}contexts/index.json`, 'utf8')) as Record<string, string>;
const context = (url: string) => (contextIndex[url] ? JSON.parse(readFileSync(OB3 + contextIndex[url], 'utf8')) : undefined);

/** The HTTP URL of a did:web on the test server (the test speaks plain HTTP). */
function didWebUrl(base: string, did: string): string {
  const [, , host, ...path] = did.split(':');
  const url = `http://${decodeURIComponent(host!)}/${path.map(decodeURIComponent).join('/')}/did.json`;
  if (!url.startsWith(base)) throw new Error(`The independent verifier only fetches from ${base}, not ${url}`);
  return url;
}

/** A verification method (DID URL) resolved from the DID document the server publishes. */
export async function resolveVerificationMethod(base: string, didUrl: string): Promise<Record<string, unknown>> {
  const doc = await (await fetch(didWebUrl(base, didUrl.split('#')[0]!))).json();
  const vm = doc.verificationMethod.find((m: { id: string }) => m.id === didUrl);
  if (!vm || !doc.assertionMethod.includes(didUrl)) throw new Error(`${didUrl} is not an assertion method of its DID document`);
  return vm;
}

/** The public JWK of an Ed25519 Multikey verification method. */
export async function publicJwk(vm: Record<string, unknown>) {
  return Ed25519Multikey.toJwk({ keyPair: await Ed25519Multikey.from(vm) });
}

/** `fetched`, if given, collects the URLs fetched over HTTP (the DID documents and status lists). */
export function offlineLoader(base: string, fetched?: string[]) {
  return async (url: string) => {
    const ctx = context(url);
    if (ctx) return { contextUrl: null, documentUrl: url, document: ctx };
    if (url.startsWith('did:web:')) {
      fetched?.push(didWebUrl(base, url.split('#')[0]!));
      const document = url.includes('#')
        ? { '@context': 'https://w3id.org/security/multikey/v1', ...(await resolveVerificationMethod(base, url)) }
        : await (await fetch(didWebUrl(base, url))).json();
      return { contextUrl: null, documentUrl: url, document };
    }
    if (url.startsWith(`${base}/badges/status/`)) {
      fetched?.push(url);
      return { contextUrl: null, documentUrl: url, document: await (await fetch(url)).json() };
    }
    throw new Error(`The independent verifier does not load ${url}`);
  };
}

const statusCheck: Parameters<typeof vc.verifyCredential>[0]['checkStatus'] = (o) => checkStatus({ ...o, suite: new DataIntegrityProof({ cryptosuite }) }) as never;

/** A fresh @digitalbazaar/vc verification (eddsa-rdfc-2022), with the status list when the credential has one. */
export async function independentVerify(base: string, credential: unknown, fetched?: string[]) {
  const documentLoader = offlineLoader(base, fetched);
  const r = await vc.verifyCredential({
    credential,
    suite: new DataIntegrityProof({ cryptosuite }),
    documentLoader,
    ...((credential as { credentialStatus?: unknown }).credentialStatus ? { checkStatus: statusCheck } : {}),
  });
  const status = r.statusResult as { results?: Array<{ status: boolean }> } | undefined;
  return { verified: r.verified, revoked: status?.results?.[0]?.status ?? null, error: r.error };
}

/**
 * JSON-LD expansion in safe mode over the shared contexts: a term no context defines throws (the structural check
 * that a document says only what its vocabulary defines).
 */
export async function expandSafe(doc: unknown): Promise<unknown[]> {
  const expand = (jsonld as unknown as { expand(d: unknown, o: unknown): Promise<unknown[]> }).expand;
  return expand(doc, {
    safe: true,
    documentLoader: async (url: string) => {
      const ctx = context(url);
      if (!ctx) throw new Error(`No shipped context for ${url}`);
      return { contextUrl: null, documentUrl: url, document: ctx };
    },
  });
}

const ajv = new Ajv2019({ strict: false });
addFormats.default(ajv);
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
/** A validator of one of 1EdTech's OB 3.0 JSON Schemas in the shared spec folder: `achievementcredential`, `profile`… */
export function ob3Schema(name: string) {
  if (!compiled.has(name)) compiled.set(name, ajv.compile(JSON.parse(readFileSync(`${OB3}schema/ob_v3p0_${name}_schema.json`, 'utf8'))));
  return compiled.get(name)!;
}
