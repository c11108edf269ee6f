import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The key that encrypts issuers' signing keys at rest (AES-256-GCM). */
export type SecretKey = Buffer;

export const SECRET_KEY_FILE = 'badge-secret.key';

/**
 * SHIRUBE_SECRET_KEY when set (any string of 32+ characters, hashed to 256 bits); else a random key kept in
 * `<dataDir>/badge-secret.key` (created on first use, mode 0600). Losing it makes the stored signing keys unusable.
 */
export function loadSecretKey(o: { secretKey: string | undefined; dataDir: string }): SecretKey {
  if (o.secretKey) return createHash('sha256').update(o.secretKey, 'utf8').digest();
  const file = join(o.dataDir, SECRET_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(o.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return createHash('sha256').update(readFileSync(file, 'utf8').trim(), 'utf8').digest();
}

/** `v1.<iv>.<tag>.<ciphertext>` (base64url). */
export function encrypt(key: SecretKey, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ['v1', iv, c.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function decrypt(key: SecretKey, sealed: string): string {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unknown encrypted key format');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
}
