import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import jsonld from 'jsonld';
import { SHARED } from '../helper.js';
import { documentLoader, shippedContext, verifyCredential } from '../../src/badges/index.js';

const OB3 = `${SHARED}spec/ob3/`;
const read = (path: string) => JSON.parse(readFileSync(OB3 + path, 'utf8')) as Record<string, unknown>;
const offline = { resolve: async () => undefined };
const failed = (v: Awaited<ReturnType<typeof verifyCredential>>) => v.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.message}`);

describe('the offline document loader', () => {
  it('serves every shipped context and fetches nothing else', async () => {
    const index = JSON.parse(readFileSync(new URL('../../assets/ob3/contexts/index.json', import.meta.url), 'utf8')) as Record<string, string>;
    for (const url of Object.keys(index)) expect(shippedContext(url), url).toBeDefined();
    const load = documentLoader();
    expect((await load('https://www.w3.org/ns/credentials/v2')).document).toHaveProperty('@context');
    await expect(load('https://example.com/anything.json')).rejects.toThrow(/Cannot load https:\/\/example.com\/anything.json/);
  });

  it('reproduces the 1EdTech OB 3.0 test vector: canonical N-Quads and a valid eddsa-rdfc-2022 proof', async () => {
    const signed = read('examples/generated/testvector-obv3p0-signed.json');
    const { proof, ...unsigned } = signed;
    const nquads = await jsonld.canonize(unsigned, { algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader: documentLoader(), safe: true });
    expect(nquads).toBe(readFileSync(`${OB3}examples/test-vector/obv3p0-document-canon.txt`, 'utf8'));
    expect((proof as { proofValue: string }).proofValue).toBe('z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr');
    const v = await verifyCredential(signed, offline);
    expect(failed(v)).toEqual([]);
    expect(v.verified).toBe(true);
  });
});

describe('badges issued elsewhere: the 1EdTech validator test credentials', () => {
  // Expected verdicts of 1EdTech/digital-credentials-public-validator (OB30Tests) where Shirube can decide them offline;
  // where it cannot (legacy suites, 1EdTechRevocationList, status lists on other hosts) it fails with that reason.
  const cases: Array<[string, boolean, RegExp | null]> = [
    ['simple.json', true, null],
    ['simple-did-web-method.json', true, null],
    ['simple-multiple-proofs.json', true, null],
    ['endorsement-valid.json', true, null],
    ['simple-err-proof-value.json', false, /^proof: Signature: Invalid signature/],
    ['simple-noproof.json', false, /^proof: The credential has no proof/],
    ['complete.json', false, /^status: Status method 1EdTechRevocationList cannot be checked/],
    ['credential-status-revoked.json', false, /^proof: No supported proof .*Ed25519Signature2020/],
    ['bit-string-list/credential-status-revoked.json', false, /^status: The status list could not be checked: .*Cannot load https:\/\/raw.githubusercontent.com/],
    // The validator accepts these; Shirube states why it does not.
    ['simple_v1.json', false, /^proof: No supported proof .*Ed25519Signature2020/],
    ['simple-eddsa-2022.json', false, /^proof: No supported proof .*eddsa-2022/],
    ['simple-did-key-method.json', false, /^proof: Signature: Credential issuer must match the verification method controller/],
  ];
  for (const [file, valid, reason] of cases) {
    it(`${file}: ${valid ? 'valid' : 'fails with a clear reason'}`, async () => {
      const v = await verifyCredential(read(`examples/validator-tests/ob30/${file}`), offline);
      expect(v.verified, failed(v).join('\n')).toBe(valid);
      if (reason) expect(failed(v).some((m) => reason.test(m)), failed(v).join('\n')).toBe(true);
    });
  }

  it('a CASE-aligned credential with a BitstringStatusList, given its controller document and status list', async () => {
    const credential = read('examples/generated/case-aligned-openbadgecredential-signed.json');
    const controller = read('examples/generated/case-issuer-controller-document.json');
    const statusList = read('examples/generated/case-bitstring-statuslist-credential-signed.json');
    const status = credential['credentialStatus'] as { statusListCredential: string };
    const docs = new Map<string, Record<string, unknown>>([[String(controller['id']), controller], [status.statusListCredential, statusList]]);
    for (const m of (controller['verificationMethod'] as Array<Record<string, unknown>>) ?? []) docs.set(String(m['id']), { '@context': 'https://w3id.org/security/multikey/v1', ...m });
    const v = await verifyCredential(credential, { resolve: async (url) => docs.get(url) });
    expect(failed(v)).toEqual([]);
    expect(v).toMatchObject({ verified: true, revoked: false });
  });
});
