import { sql } from 'kysely';
import type { Db } from './db.js';

/** A PostgreSQL log sequence number, "16/B374D848", as a number to compare. */
const lsn = (text: string): bigint => {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
};

const CHECK_EVERY_MS = 1000;

export interface ReadRouting {
  /** The replica when it is known to hold every commit older than the bound, else the primary. */
  reader(): Promise<Db>;
  /** Seconds since the newest moment the replica is known to have caught up with (Infinity: never or unreachable). */
  staleness(): number;
}

/**
 * Reads of the learning map and dashboards go to a streaming replica while it is fresh enough. Freshness is
 * measured, not assumed: at most once per CHECK_EVERY_MS the primary's WAL position is sampled, then the replica's
 * replay position; once the replica has replayed past a sample taken at time T, every commit acknowledged before T is
 * on it. While T is older than `maxLagMs` (replication stalled, replica down) reads go to the primary.
 */
export function readRouting(primary: Db, replica: Db, opts: { maxLagMs: number }): ReadRouting {
  let samples: Array<{ at: number; lsn: bigint }> = [];
  let freshAsOf = -Infinity;
  let checkedAt = -Infinity;
  let checking: Promise<void> | undefined;

  async function check() {
    try {
      const at = Date.now();
      const p = await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(primary);
      samples.push({ at, lsn: lsn(p.rows[0]!.lsn) });
      const r = await sql<{ lsn: string | null }>`select pg_last_wal_replay_lsn()::text as lsn`.execute(replica);
      const replayed = r.rows[0]?.lsn;
      if (!replayed) return; // not a standby: never treated as fresh
      const upTo = lsn(replayed);
      for (const s of samples) if (s.lsn <= upTo && s.at > freshAsOf) freshAsOf = s.at;
      samples = samples.filter((s) => s.at > freshAsOf).slice(-120);
    } catch {
      // Replica (or primary) unreachable: freshness stays where it was and ages past the bound.
    } finally {
      checkedAt = Date.now();
    }
  }

  return {
    async reader() {
      if (Date.now() - checkedAt >= CHECK_EVERY_MS) await (checking ??= check().finally(() => (checking = undefined)));
      return Date.now() - freshAsOf <= opts.maxLagMs ? replica : primary;
    },
    staleness: () => (freshAsOf === -Infinity ? Infinity : (Date.now() - freshAsOf) / 1000),
  };
}
