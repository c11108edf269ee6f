import { sql, type Kysely } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';

/**
 * State every instance behind a load balancer must see alike, kept in the database rather than in a process:
 * pending school-account sign-ins and failure counters. Keys arrive as digests (the domains hash them).
 */
export interface OidcPendingSignInTable {
  state_hash: string;
  school_id: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  expires_at: Date;
}
export interface RateLimitTable {
  bucket: string;
  key_hash: string;
  count: number;
  reset_at: Date;
}
export type SharedStateTables = { oidc_pending_sign_in: OidcPendingSignInTable; rate_limit: RateLimitTable };

const sdb = (db: Db) => db.withTables<SharedStateTables>() as unknown as Kysely<Database & SharedStateTables>;

// Pending sign-ins

export interface PendingSignInRow {
  stateHash: string;
  schoolId: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  expiresAt: Date;
}

/**
 * Keeps a pending sign-in unless its school already has `max` in progress; expired ones are purged first. The cap
 * is a bound, not an exact quota: starts racing on several instances may pass it by a few.
 */
export async function savePendingSignIn(db: Db, p: PendingSignInRow, max: number, now = new Date()): Promise<boolean> {
  await sdb(db).deleteFrom('oidc_pending_sign_in').where('expires_at', '<=', now).execute();
  const inProgress = sdb(db).selectFrom('oidc_pending_sign_in').select(sql`1`.as('one')).where('school_id', '=', p.schoolId).limit(max);
  const { n } = await sdb(db).selectFrom(inProgress.as('p')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(n) >= max) return false;
  await sdb(db)
    .insertInto('oidc_pending_sign_in')
    .values({ state_hash: p.stateHash, school_id: p.schoolId, nonce: p.nonce, code_verifier: p.codeVerifier, return_to: p.returnTo, expires_at: p.expiresAt })
    .execute();
  return true;
}

/** Removes and returns the pending sign-in (once: a second take, on any instance, finds nothing); undefined if expired. */
export async function takePendingSignIn(db: Db, stateHash: string, now = new Date()): Promise<PendingSignInRow | undefined> {
  const r = await sdb(db).deleteFrom('oidc_pending_sign_in').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
  if (!r || r.expires_at <= now) return undefined;
  return { stateHash: r.state_hash, schoolId: r.school_id, nonce: r.nonce, codeVerifier: r.code_verifier, returnTo: r.return_to, expiresAt: r.expires_at };
}

// Failure counters

export interface Counter {
  count: number;
  resetAt: Date;
}

/**
 * Counts one failure in one statement, so that instances counting at once all count: a key whose window ended
 * starts again at 1 with a new window ending at `windowEnd`. A new window also purges the bucket's ended ones.
 */
export async function countFailure(db: Db, bucket: string, keyHash: string, now: Date, windowEnd: Date): Promise<Counter> {
  const r = await sdb(db)
    .insertInto('rate_limit')
    .values({ bucket, key_hash: keyHash, count: 1, reset_at: windowEnd })
    .onConflict((oc) =>
      oc.columns(['bucket', 'key_hash']).doUpdateSet({
        count: sql<number>`case when rate_limit.reset_at <= ${now} then 1 else rate_limit.count + 1 end`,
        reset_at: sql<Date>`case when rate_limit.reset_at <= ${now} then excluded.reset_at else rate_limit.reset_at end`,
      }),
    )
    .returning(['count', 'reset_at'])
    .executeTakeFirstOrThrow();
  if (r.count === 1) await sdb(db).deleteFrom('rate_limit').where('bucket', '=', bucket).where('reset_at', '<=', now).execute();
  return { count: r.count, resetAt: r.reset_at };
}

/** The key's counter while its window lasts. */
export async function failureCount(db: Db, bucket: string, keyHash: string, now: Date): Promise<Counter | undefined> {
  const r = await sdb(db)
    .selectFrom('rate_limit')
    .select(['count', 'reset_at'])
    .where('bucket', '=', bucket)
    .where('key_hash', '=', keyHash)
    .where('reset_at', '>', now)
    .executeTakeFirst();
  return r && { count: r.count, resetAt: r.reset_at };
}

export async function clearFailures(db: Db, bucket: string, keyHash: string): Promise<void> {
  await sdb(db).deleteFrom('rate_limit').where('bucket', '=', bucket).where('key_hash', '=', keyHash).execute();
}
