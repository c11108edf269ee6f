import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { Database } from './tables.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;
type Payload = ColumnType<Record<string, unknown>, string, string>;

export interface LearnerTable {
  id: string;
  display_name: string | null;
  created_at: DefaultNow;
}

export interface XapiActorTable {
  ifi: string;
  learner_id: string;
  name: string | null;
  created_at: DefaultNow;
}

export interface XapiStatementTable {
  id: string;
  seq: Generated<number>;
  payload: Payload;
  stored: Timestamp;
  timestamp: Timestamp;
  version: string;
  verb_iri: string;
  object_activity_id: string | null;
  object_statement_id: string | null;
  learner_id: string | null;
  registration: string | null;
  client_id: string | null;
  voided: ColumnType<boolean, boolean | undefined, boolean>;
  attachment_sha2: ColumnType<string[], string[] | undefined, string[]>;
}

export interface StatementToActorTable {
  statement_id: string;
  ifi: string;
  usage: string;
}

export interface StatementToActivityTable {
  statement_id: string;
  activity_id: string;
  usage: string;
}

export interface XapiActivityTable {
  id: string;
  definition: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  updated_at: DefaultNow;
}

export interface XapiAttachmentTable {
  sha2: string;
  content_type: string;
  content: Buffer;
  created_at: DefaultNow;
}

export type DocumentKind = 'state' | 'activity_profile' | 'agent_profile';

export interface XapiDocumentTable {
  kind: DocumentKind;
  activity_id: string;
  agent_ifi: string;
  registration: string;
  document_id: string;
  learner_id: string | null;
  content: Buffer;
  content_type: string;
  etag: string;
  updated: Timestamp;
}

export interface EvidenceTable {
  statement_id: string;
  item_id: string;
  learner_id: string;
  timestamp: Timestamp;
  score: number | null;
  success: boolean | null;
  voided: ColumnType<boolean, boolean | undefined, boolean>;
  via: string;
}

export interface EvidenceUnresolvedTable {
  statement_id: string;
  reference: string;
  via: string;
}

export interface EvidenceRollupTable {
  learner_id: string;
  item_id: string;
  attempts: number;
  correct: number;
  score_sum: number;
  scored: number;
  first_at: Timestamp;
  last_at: Timestamp;
}

export interface EvidenceRollupDayTable {
  learner_id: string;
  item_id: string;
  day: ColumnType<string, string, string>;
  attempts: number;
  correct: number;
  score_sum: number;
  scored: number;
}

/** The tables of migration 0002 (the LRS and evidence). */
export type LrsTables = {
  learner: LearnerTable;
  xapi_actor: XapiActorTable;
  xapi_statement: XapiStatementTable;
  statement_to_actor: StatementToActorTable;
  statement_to_activity: StatementToActivityTable;
  xapi_activity: XapiActivityTable;
  xapi_attachment: XapiAttachmentTable;
  xapi_document: XapiDocumentTable;
  evidence: EvidenceTable;
  evidence_unresolved: EvidenceUnresolvedTable;
  evidence_rollup: EvidenceRollupTable;
  evidence_rollup_day: EvidenceRollupDayTable;
};

export type LrsDatabase = Database & LrsTables;

/** The same connection or transaction, typed with the LRS tables. */
export function lrs(db: Kysely<Database>): Kysely<LrsDatabase>;
export function lrs(db: Transaction<Database>): Transaction<LrsDatabase>;
export function lrs(db: Kysely<Database>): Kysely<LrsDatabase> {
  return db.withTables<LrsTables>() as unknown as Kysely<LrsDatabase>;
}
