import type { Kysely, Transaction } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';

/**
 * Migration 0011: one row whose token changes with every write of frameworks and of what is derived from them:
 * packages, rubrics, proficiency rules and label schemes.
 */
export interface CaseGenerationTable {
  id: boolean;
  token: string;
}
export type CaseGenerationTables = { case_generation: CaseGenerationTable };
export type CaseGenerationDatabase = Database & CaseGenerationTables;

export const generationDb = (db: Db | Transaction<Database>) => db.withTables<CaseGenerationTables>() as unknown as Kysely<CaseGenerationDatabase>;

/**
 * Gives the frameworks a new token, inside the transaction that writes them: whoever reads the token after the
 * commit drops what it cached under the old one (every instance, since the token is in the database).
 */
export async function bumpCaseGeneration(trx: Db | Transaction<Database>): Promise<void> {
  await generationDb(trx).updateTable('case_generation').set((eb) => ({ token: eb.fn<string>('gen_random_uuid') })).execute();
}

/** The frameworks' token as this transaction sees it. */
export async function caseGeneration(db: Db | Transaction<Database>): Promise<string> {
  return (await generationDb(db).selectFrom('case_generation').select('token').executeTakeFirstOrThrow()).token;
}
