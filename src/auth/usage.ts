import type { Db } from '../store/db.js';
import { listApiClients } from '../store/auth.js';
import { addClientUsage, clientUsage, type UsageIncrement } from '../store/suppliers.js';
import { ShirubeError } from '../errors.js';

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Requests per API client per day (UTC), counted in memory and added to the database every `flushMs` and on close:
 * one statement per flush however busy the clients are. Every instance adds its own counts, so the sum is exact;
 * what a crashed instance had not flushed (at most `flushMs` of requests) is lost.
 */
export class ClientUsageCounter {
  private pending = new Map<string, UsageIncrement>();
  private timer: NodeJS.Timeout | undefined;

  /** `onError`: a timed flush that failed (its counts are kept for the next one). */
  constructor(private readonly db: Db, private readonly opts: { flushMs: number; onError?: (err: unknown) => void }) {}

  count(clientId: string, failed: boolean): void {
    const d = day(new Date());
    const key = `${clientId}\u0000${d}`;
    const c = this.pending.get(key) ?? this.pending.set(key, { clientId, day: d, requests: 0, errors: 0 }).get(key)!;
    c.requests++;
    if (failed) c.errors++;
    this.arm();
  }

  /** A flush in `flushMs`; a failed one tries again after as long. */
  private arm(): void {
    this.timer ??= setTimeout(() => {
      void this.flush().catch((err: unknown) => {
        this.opts.onError?.(err);
        this.arm();
      });
    }, this.opts.flushMs).unref();
  }

  /** Adds what was counted to the database; on failure the counts are kept for the next flush. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.size) return;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    try {
      await addClientUsage(this.db, rows);
    } catch (e) {
      for (const r of rows) {
        const key = `${r.clientId}\u0000${r.day}`;
        const c = this.pending.get(key);
        if (c) {
          c.requests += r.requests;
          c.errors += r.errors;
        } else this.pending.set(key, r);
      }
      throw e;
    }
  }
}

export interface ClientUsage {
  clientId: string;
  name: string | null;
  requests: number;
  errors: number;
  days: Array<{ day: string; requests: number; errors: number }>;
}

/** Usage over the last `days` days (today included), per client: of one client, or of every API client that has some. */
export async function readClientUsage(db: Db, opts: { days: number; clientId?: string | undefined; now?: Date }): Promise<ClientUsage[]> {
  if (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > 366) throw new ShirubeError('invalid_request', 'days: an integer from 1 to 366', 'days');
  const since = new Date((opts.now ?? new Date()).getTime() - (opts.days - 1) * 86_400_000);
  const rows = await clientUsage(db, day(since), opts.clientId);
  const names = new Map((await listApiClients(db)).map((c) => [c.clientId, c.name]));
  const out = new Map<string, ClientUsage>();
  if (opts.clientId !== undefined) out.set(opts.clientId, { clientId: opts.clientId, name: names.get(opts.clientId) ?? null, requests: 0, errors: 0, days: [] });
  for (const r of rows) {
    const u = out.get(r.clientId) ?? out.set(r.clientId, { clientId: r.clientId, name: names.get(r.clientId) ?? null, requests: 0, errors: 0, days: [] }).get(r.clientId)!;
    u.requests += r.requests;
    u.errors += r.errors;
    u.days.push({ day: r.day, requests: r.requests, errors: r.errors });
  }
  return [...out.values()].sort((a, b) => b.requests - a.requests || a.clientId.localeCompare(b.clientId));
}
