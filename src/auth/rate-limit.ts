/**
 * Counts failures per key (a client IP, a username) in a fixed window that starts at the first failure.
 * In memory, per process: enough for one server; behind several instances each counts alone (docs/security.md).
 */
export class FailureLimiter {
  private readonly entries = new Map<string, { count: number; resetAt: number }>();
  private readonly now: () => number;

  constructor(private readonly opts: { max: number; windowMs: number; now?: () => number; maxKeys?: number }) {
    this.now = opts.now ?? Date.now;
  }

  /** Seconds until `key` may try again; 0 when it may now. */
  retryAfter(key: string): number {
    const e = this.current(key);
    return e && e.count >= this.opts.max ? Math.ceil((e.resetAt - this.now()) / 1000) : 0;
  }

  fail(key: string): void {
    const e = this.current(key);
    if (e) e.count++;
    else {
      this.prune();
      this.entries.set(key, { count: 1, resetAt: this.now() + this.opts.windowMs });
    }
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  private current(key: string) {
    const e = this.entries.get(key);
    if (e && e.resetAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Bounds memory when many keys fail at once: expired entries go first, then the oldest. */
  private prune(): void {
    const maxKeys = this.opts.maxKeys ?? 100_000;
    if (this.entries.size < maxKeys) return;
    const now = this.now();
    for (const [k, e] of this.entries) if (e.resetAt <= now) this.entries.delete(k);
    for (const k of this.entries.keys()) {
      if (this.entries.size < maxKeys) break;
      this.entries.delete(k);
    }
  }
}
