import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../src/auth/rate-limit.js';

describe('FailureLimiter', () => {
  it('blocks a key after max failures until the window ends', () => {
    let now = 1_000_000;
    const l = new FailureLimiter({ max: 3, windowMs: 60_000, now: () => now });
    l.fail('a');
    l.fail('a');
    expect(l.retryAfter('a')).toBe(0);
    l.fail('a');
    expect(l.retryAfter('a')).toBe(60);
    expect(l.retryAfter('b')).toBe(0);
    now += 30_500;
    expect(l.retryAfter('a')).toBe(30);
    now += 29_500;
    expect(l.retryAfter('a')).toBe(0);
    l.fail('a');
    expect(l.retryAfter('a')).toBe(0);
  });

  it('forgets a key on reset', () => {
    const l = new FailureLimiter({ max: 1, windowMs: 60_000 });
    l.fail('a');
    expect(l.retryAfter('a')).toBeGreaterThan(0);
    l.reset('a');
    expect(l.retryAfter('a')).toBe(0);
  });

  it('keeps at most maxKeys keys, dropping the oldest', () => {
    const l = new FailureLimiter({ max: 1, windowMs: 60_000, maxKeys: 3 });
    for (const k of ['a', 'b', 'c', 'd']) l.fail(k);
    expect(l.retryAfter('a')).toBe(0);
    expect(['b', 'c', 'd'].map((k) => l.retryAfter(k) > 0)).toEqual([true, true, true]);
  });
});
