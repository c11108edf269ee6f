import type { Db } from '../store/db.js';
import * as store from '../store/shared-state.js';
import { tokenDigest } from './secrets.js';

/**
 * Counts failures per key (a client IP, a username) in a fixed window that starts at the first failure. The
 * counters are in the database, so every instance behind a load balancer counts together and a restart forgets
 * nothing. Keys are personal data: only their SHA-256 digest is stored (docs/security.md).
 */
export class FailureLimiter {
  private readonly now: () => number;

  /** `bucket` names what is counted; limiters with the same bucket share their counts. */
  constructor(private readonly db: Db, private readonly opts: { bucket: string; max: number; windowMs: number; now?: () => number }) {
    this.now = opts.now ?? Date.now;
  }

  /** Seconds until `key` may try again; 0 when it may now. */
  async retryAfter(key: string): Promise<number> {
    const now = this.now();
    const c = await store.failureCount(this.db, this.opts.bucket, tokenDigest(key), new Date(now));
    return c && c.count >= this.opts.max ? Math.ceil((c.resetAt.getTime() - now) / 1000) : 0;
  }

  /**
   * Counts one use of a budget (every request, not only failures) in one statement, and says how many seconds to wait
   * when it went over: 0 means go ahead.
   */
  async take(key: string): Promise<number> {
    const now = this.now();
    const c = await store.countFailure(this.db, this.opts.bucket, tokenDigest(key), new Date(now), new Date(now + this.opts.windowMs));
    return c.count > this.opts.max ? Math.ceil((c.resetAt.getTime() - now) / 1000) : 0;
  }

  async fail(key: string): Promise<void> {
    const now = this.now();
    await store.countFailure(this.db, this.opts.bucket, tokenDigest(key), new Date(now), new Date(now + this.opts.windowMs));
  }

  async reset(key: string): Promise<void> {
    await store.clearFailures(this.db, this.opts.bucket, tokenDigest(key));
  }
}
