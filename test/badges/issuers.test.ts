import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore } from '../helper.js';
import type { Store } from '../../src/store/db.js';
import { didDocument, ensureIssuer, loadSecretKey, ownResolver, rotateKey, verifyCredential, type BadgeContext } from '../../src/badges/index.js';
import { signCredential } from '../../src/badges/sign.js';
import { decrypt, encrypt, SECRET_KEY_FILE } from '../../src/badges/secret.js';
import { issuerKeys } from '../../src/store/badges.js';
import { OB3_CONTEXT } from '../../src/badges/index.js';

let store: Store;
let ctx: BadgeContext;
beforeAll(async () => {
  store = await freshStore();
  ctx = { db: store.db, publicUrl: 'https://shirube.example.jp/base', secret: loadSecretKey({ secretKey: 'k'.repeat(40), dataDir: '/nonexistent' }) };
});
afterAll(() => store.close());

const minimal = (issuer: { did: string }) => ({
  '@context': OB3_CONTEXT,
  id: 'urn:uuid:3e1d9f7c-2b6a-4c8e-9f10-5a4b3c2d1e0f',
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: { id: issuer.did, type: ['Profile'], name: 'Test' },
  validFrom: '2026-01-01T00:00:00Z',
  credentialSubject: {
    type: ['AchievementSubject'],
    identifier: [{ type: 'IdentityObject', identityHash: 'sha256$00', identityType: 'systemId', hashed: true }],
    achievement: { id: 'https://shirube.example.jp/base/badges/achievements/x', type: ['Achievement'], name: 'A', description: 'B', criteria: { narrative: 'C' } },
  },
});

describe('secret keys', () => {
  it('encrypts signing keys at rest and refuses another key', () => {
    const sealed = encrypt(ctx.secret, 'z3u2secret');
    expect(sealed).not.toContain('z3u2secret');
    expect(decrypt(ctx.secret, sealed)).toBe('z3u2secret');
    expect(() => decrypt(loadSecretKey({ secretKey: 'x'.repeat(40), dataDir: '/nonexistent' }), sealed)).toThrow();
  });

  it('generates a key file (0600) in the data directory when SHIRUBE_SECRET_KEY is unset, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shirube-secret-'));
    const a = loadSecretKey({ secretKey: undefined, dataDir: dir });
    expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ secretKey: undefined, dataDir: dir }).equals(a)).toBe(true);
    expect(readFileSync(join(dir, SECRET_KEY_FILE), 'utf8').trim().length).toBeGreaterThan(40);
  });
});

describe('issuers', () => {
  it('a did:web under SHIRUBE_PUBLIC_URL (path form), with no secret in clear in the database', async () => {
    const issuer = await ensureIssuer(ctx, null);
    expect(issuer.did).toBe('did:web:shirube.example.jp:base:issuers:shirube');
    const [key] = await issuerKeys(store.db, issuer.id);
    expect(key!.secretKeyEnc.startsWith('v1.')).toBe(true);
    expect(JSON.stringify(await didDocument(store.db, issuer))).not.toContain(key!.secretKeyEnc);
  });

  it('rotation keeps old credentials verifiable and signs new ones with the new key', async () => {
    const issuer = await ensureIssuer(ctx, null);
    const before = await signCredential(ctx, issuer, minimal(issuer));
    await rotateKey(ctx, issuer.id);
    const after = await signCredential(ctx, issuer, minimal(issuer));
    const vmOf = (c: Record<string, unknown>) => (c['proof'] as Array<{ verificationMethod: string }>)[0]!.verificationMethod;
    expect(vmOf(before)).not.toBe(vmOf(after));
    const doc = await didDocument(store.db, issuer);
    expect(doc['assertionMethod']).toEqual([vmOf(before), vmOf(after)]);
    for (const c of [before, after]) expect((await verifyCredential(c, { resolve: ownResolver(ctx) })).checks.filter((x) => !x.ok)).toEqual([]);
  });

  it('did:key where there is no public host name', async () => {
    await store.db.insertInto('organization').values({ id: 'school-x', name: '学校X', kind: 'school', parent_id: null }).execute();
    const issuer = await ensureIssuer(ctx, { id: 'school-x', name: '学校X' }, 'key');
    expect(issuer.did).toMatch(/^did:key:z6Mk/);
    const signed = await signCredential(ctx, issuer, minimal(issuer));
    // A did:key resolves by itself: no Shirube needed.
    const v = await verifyCredential(signed, { resolve: async () => undefined });
    expect(v.checks.filter((x) => !x.ok)).toEqual([]);
  });
});
