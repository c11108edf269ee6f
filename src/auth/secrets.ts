import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords: scrypt with OWASP's recommended minimum, N=2^17, r=8, p=1 (128 MiB and ~0.4 s per hash on one core).
 * The parameters are stored with each hash, so raising them later keeps old hashes verifiable.
 */
export const PASSWORD_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;

/**
 * The parameters new hashes get: SHIRUBE_SCRYPT_N (a power of two from 2^14, checked by loadConfig: docs/config.md)
 * lowers N for hosts short of memory, and for the test suite, which hashes hundreds of passwords.
 */
export function passwordParams(): { N: number; r: number; p: number } {
  const n = Number(process.env['SHIRUBE_SCRYPT_N']);
  return Number.isInteger(Math.log2(n)) && n >= 2 ** 14 && n <= 2 ** 20 ? { ...PASSWORD_PARAMS, N: n } : PASSWORD_PARAMS;
}
const KEYLEN = 32;
// Verification accepts a stored N up to 2^20 with r=8 (1 GiB); anything larger is a corrupt row, not a hash to compute.
const MAXMEM = 2 ** 30 + 2 ** 24;

const scryptAsync = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((res, rej) => scrypt(password, salt, keylen, opts, (err, key) => (err ? rej(err) : res(key))));

/** A password hash: `scrypt$N$r$p$salt$hash`, base64url parts. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const params = passwordParams();
  const key = await scryptAsync(password, salt, KEYLEN, { ...params, maxmem: MAXMEM });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * A hash of a secret Shirube generated itself (API client secrets: 256 random bits). A memory-hard KDF adds nothing
 * against brute force at that entropy and would make every token request cost 128 MiB; SHA-256 suffices.
 */
export const hashGeneratedSecret = (secret: string) => `sha256$${tokenDigest(secret)}`;

/** Checks a secret against either kind of stored hash, in constant time for a given hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts[0] === 'sha256' && parts[1]) return safeEqual(tokenDigest(secret), parts[1]);
  const [scheme, n, r, p, salt, hash] = parts;
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM,
  });
  return timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;
/** A password hash of nothing anybody knows: verifying against it costs what a real check costs (unknown users). */
export const dummyPasswordHash = () => (dummy ??= hashPassword(randomToken()));

/** A random bearer secret (session cookie, access token, client secret, CSRF token). */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Tokens are stored as SHA-256 digests: a leaked table grants nothing. */
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('base64url');

/** String comparison whose time does not depend on where the strings differ. */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
