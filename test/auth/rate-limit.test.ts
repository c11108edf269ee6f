import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { FailureLimiter } from '../../src/auth/rate-limit.js';
import type { Store } from '../../src/store/db.js';
import { freshStore } from '../helper.js';

let store: Store;
beforeAll(async () => {
  store = await freshStore();
});
afterAll(() => store.close());

const rows = async (bucket: string) =>
  (await sql<{ key_hash: string; count: number }>`select key_hash, count from rate_limit where bucket = ${bucket} order by count`.execute(store.db)).rows;

describe('FailureLimiter', () => {
  it('blocks a key after max failures until the window ends', async () => {
    let now = 1_000_000;
    const l = new FailureLimiter(store.db, { bucket: 'window', max: 3, windowMs: 60_000, now: () => now });
    await l.fail('a');
    await l.fail('a');
    expect(await l.retryAfter('a')).toBe(0);
    await l.fail('a');
    expect(await l.retryAfter('a')).toBe(60);
    expect(await l.retryAfter('b')).toBe(0);
    now += 30_500;
    expect(await l.retryAfter('a')).toBe(30);
    now += 29_500;
    expect(await l.retryAfter('a')).toBe(0);
    // A new window starts at 1.
    await l.fail('a');
    expect(await l.retryAfter('a')).toBe(0);
    expect(await rows('window')).toEqual([{ key_hash: expect.any(String), count: 1 }]);
  });

  it('take: counts every use of a budget in one statement, and answers the wait once it is spent', async () => {
    let now = 2_000_000;
    const l = new FailureLimiter(store.db, { bucket: 'budget', max: 2, windowMs: 60_000, now: () => now });
    expect(await l.take('a')).toBe(0);
    expect(await l.take('a')).toBe(0);
    expect(await l.take('a')).toBe(60);
    expect(await l.take('b')).toBe(0);
    now += 60_000;
    expect(await l.take('a')).toBe(0);
  });

  it('forgets a key on reset', async () => {
    const l = new FailureLimiter(store.db, { bucket: 'reset', max: 1, windowMs: 60_000 });
    await l.fail('a');
    expect(await l.retryAfter('a')).toBeGreaterThan(0);
    await l.reset('a');
    expect(await l.retryAfter('a')).toBe(0);
  });

  it('counts together across limiters (instances) of one bucket, apart from other buckets, also at the same moment', async () => {
    const [a, b] = [0, 1].map(() => new FailureLimiter(store.db, { bucket: 'shared', max: 40, windowMs: 60_000 }));
    const other = new FailureLimiter(store.db, { bucket: 'other', max: 1, windowMs: 60_000 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a! : b!).fail('taro')));
    expect(await a!.retryAfter('taro')).toBeGreaterThan(0);
    expect(await b!.retryAfter('taro')).toBeGreaterThan(0);
    expect(await other.retryAfter('taro')).toBe(0);
    expect((await rows('shared')).map((r) => r.count)).toEqual([40]);
  });

  it('stores the key as a digest, and purges ended windows when a new one starts', async () => {
    let now = 5_000_000;
    const l = new FailureLimiter(store.db, { bucket: 'purge', max: 5, windowMs: 60_000, now: () => now });
    await l.fail('hanako');
    await l.fail('192.0.2.7');
    const stored = JSON.stringify(await rows('purge'));
    expect(stored).not.toMatch(/hanako|192\.0\.2\.7/);
    expect((await rows('purge')).length).toBe(2);
    now += 60_000;
    await l.fail('jiro');
    expect((await rows('purge')).length).toBe(1);
  });
});
