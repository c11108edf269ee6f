import { describe, expect, it } from 'vitest';
import { hashGeneratedSecret, hashPassword, PASSWORD_PARAMS, passwordParams, safeEqual, verifySecret } from '../../src/auth/secrets.js';

describe('password hashing', () => {
  it('uses scrypt with the parameters stored in the hash, salted', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse battery'), hashPassword('correct horse battery')]);
    expect(a.split('$').slice(0, 4)).toEqual(['scrypt', String(passwordParams().N), '8', '1']);
    expect(PASSWORD_PARAMS.N).toBeGreaterThanOrEqual(2 ** 17);
    expect(a).not.toBe(b);
    expect(await verifySecret('correct horse battery', a)).toBe(true);
    expect(await verifySecret('correct horse batterY', a)).toBe(false);
  });

  it('takes N from SHIRUBE_SCRYPT_N when it is a power of two from 2^14, else OWASP\'s 2^17', () => {
    const before = process.env['SHIRUBE_SCRYPT_N'];
    try {
      for (const [value, n] of [[undefined, 2 ** 17], ['16384', 2 ** 14], ['262144', 2 ** 18], ['8192', 2 ** 17], ['100000', 2 ** 17], ['', 2 ** 17]] as const) {
        if (value === undefined) delete process.env['SHIRUBE_SCRYPT_N'];
        else process.env['SHIRUBE_SCRYPT_N'] = value;
        expect(passwordParams(), String(value)).toEqual({ N: n, r: 8, p: 1 });
      }
    } finally {
      if (before === undefined) delete process.env['SHIRUBE_SCRYPT_N'];
      else process.env['SHIRUBE_SCRYPT_N'] = before;
    }
  });

  it('verifies hashes made with other parameters (they are read from the hash)', async () => {
    // A hash as an older release with N=2^14 would have stored it.
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('pw', salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const stored = ['scrypt', 2 ** 14, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
    expect(await verifySecret('pw', stored)).toBe(true);
    expect(await verifySecret('pW', stored)).toBe(false);
  });

  it('hashes generated secrets with SHA-256 and rejects unknown schemes', async () => {
    const h = hashGeneratedSecret('s3cret');
    expect(h).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
    expect(await verifySecret('s3cret', h)).toBe(true);
    expect(await verifySecret('s3cret!', h)).toBe(false);
    expect(await verifySecret('s3cret', 'plain$s3cret')).toBe(false);
    expect(await verifySecret('s3cret', '')).toBe(false);
  });

  it('compares strings of any length safely', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
  });
});
