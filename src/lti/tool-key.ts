import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { decrypt, encrypt, type SecretKey } from '../badges/secret.js';
import type { Db } from '../store/db.js';
import * as store from '../store/lti.js';

/** What the LTI domain needs from the server: its database, public URL and the key that seals private keys. */
export interface LtiContext {
  db: Db;
  publicUrl: string;
  secret: SecretKey;
}

const ALG = 'RS256';
const signers = new WeakMap<Db, Promise<{ kid: string; key: CryptoKey }>>();

/** The tool's keys, made on first use: RS256, 2048 bits, the private part sealed with the secret key. */
async function keys(ctx: LtiContext): Promise<store.ToolKeyRow[]> {
  const have = await store.listToolKeys(ctx.db);
  if (have.length) return have;
  const { publicKey, privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  await store.insertFirstToolKey(ctx.db, { kid, publicJwk: { ...pub, kid, alg: ALG, use: 'sig' }, privateJwkEnc: encrypt(ctx.secret, JSON.stringify(await exportJWK(privateKey))) });
  return store.listToolKeys(ctx.db);
}

/** The tool's JWKS (LTI 1.3 Security Framework §6.3): what platforms verify its messages with. */
export async function toolJwks(ctx: LtiContext): Promise<{ keys: JWK[] }> {
  return { keys: (await keys(ctx)).map((k) => k.publicJwk as JWK) };
}

async function signer(ctx: LtiContext) {
  let s = signers.get(ctx.db);
  if (!s) {
    s = keys(ctx).then(async ([k]) => ({ kid: k!.kid, key: (await importJWK(JSON.parse(decrypt(ctx.secret, k!.privateJwkEnc)) as JWK, ALG)) as CryptoKey }));
    signers.set(ctx.db, s);
    s.catch(() => signers.delete(ctx.db));
  }
  return s;
}

/** A JWT signed with the tool's key: `iat`, a `jti` and `exp` (seconds from now) added. */
export async function signAsTool(ctx: LtiContext, payload: JWTPayload, expiresInSeconds: number): Promise<string> {
  const { kid, key } = await signer(ctx);
  return new SignJWT(payload).setProtectedHeader({ alg: ALG, kid, typ: 'JWT' }).setIssuedAt().setJti(randomUUID()).setExpirationTime(`${expiresInSeconds}s`).sign(key);
}

/** Checks a JWT this tool signed for itself (`aud`), e.g. a deep linking request kept between two pages. */
export async function verifyAsTool(ctx: LtiContext, token: string, audience: string): Promise<JWTPayload | undefined> {
  try {
    const jwks = createLocalJWKSet(await toolJwks(ctx));
    return (await jwtVerify(token, jwks, { audience, issuer: ctx.publicUrl, algorithms: [ALG] })).payload;
  } catch {
    return undefined;
  }
}
