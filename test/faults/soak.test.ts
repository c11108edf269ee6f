import { describe, expect, it } from 'vitest';
import { soak } from '../../bench/soak.js';

// The short version of `npm run soak` (bench/soak.ts): a real server under the soak's mixed load for 10 rounds of the
// same work (not a time: a loaded machine runs them slower, with the same result). The verdict is on the trend of the
// heap after a full GC, relative to the heap measured after the warm-up in the same run: flat within 3 %, which a
// leak of about 500 bytes a request or more exceeds (smaller ones need the 30-minute run: docs/operations.md). On the
// embedded database only: the leaks it can see are the server's, and CI's time is better spent once (the PostgreSQL
// soak is `npm run soak -- --database-url …`).

describe('soak (short)', () => {
  it('serves 10 rounds of mixed load with only the expected answers and a flat heap after warm-up', async () => {
    const lines: string[] = [];
    const r = await soak({ rounds: 10, warmup: 0.3, maxGrowth: 0.03, log: (l) => lines.push(l) });
    const report = lines.join('\n');
    expect(r.unexpected, report).toEqual([]);
    expect(r.samples).toHaveLength(10);
    expect(r.growth, report).toBeLessThanOrEqual(r.bound);
    expect(r.ok, report).toBe(true);
  }, 600_000);
});
