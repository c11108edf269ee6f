import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { Database } from './tables.js';
import type { LrsTables } from './lrs-tables.js';

type DefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;
type JsonValue = ColumnType<unknown, string, string>;
export type RosterSource = 'manual' | 'oneroster' | 'lti';

export interface RosterClassTable {
  id: string;
  school_id: string;
  title: string;
  grades: ColumnType<string[], string[] | undefined, string[]>;
  framework_identifier: string | null;
  source: RosterSource;
  updated_at: DefaultNow;
}

export interface RosterPersonTable {
  id: string;
  school_id: string | null;
  role: 'student' | 'teacher' | 'administrator';
  display_name: string;
  kana: string | null;
  email: string | null;
  user_id: string | null;
  learner_id: string | null;
  source: RosterSource;
  updated_at: DefaultNow;
}

export interface EnrollmentTable {
  class_id: string;
  person_id: string;
  role: 'teacher' | 'student';
  source: RosterSource;
}

export interface ProficiencyRuleTable {
  framework_identifier: string;
  item_id: ColumnType<string, string | undefined, string>;
  rule: JsonValue;
}

export interface LabelSchemeTable {
  framework_identifier: string;
  scheme: JsonValue;
}

export interface MasteryDayTable {
  learner_id: string;
  item_id: string;
  day: ColumnType<string, string, string>;
  p: number;
  attempts: number;
  correct: number;
  day_attempts: number;
  day_correct: number;
  recent: JsonValue;
  last_at: ColumnType<Date, Date | string, Date | string>;
}

export interface OidcProviderTable {
  organization_id: string;
  issuer: string;
  client_id: string;
  client_secret: string;
  label: string;
  claim: ColumnType<string, string | undefined, string>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface OidcIdentityTable {
  issuer: string;
  subject: string;
  user_id: string;
}

/** The tables of migration 0004 (rosters, proficiency, mastery, OIDC). */
export type ProgressTables = {
  roster_class: RosterClassTable;
  roster_person: RosterPersonTable;
  enrollment: EnrollmentTable;
  proficiency_rule: ProficiencyRuleTable;
  label_scheme: LabelSchemeTable;
  mastery_day: MasteryDayTable;
  oidc_provider: OidcProviderTable;
  oidc_identity: OidcIdentityTable;
};

export type ProgressDatabase = Database & LrsTables & ProgressTables;

/** The same connection or transaction, typed with the LRS and progress tables. */
export function pdb(db: Kysely<Database>): Kysely<ProgressDatabase>;
export function pdb(db: Transaction<Database>): Transaction<ProgressDatabase>;
export function pdb(db: Kysely<Database>): Kysely<ProgressDatabase> {
  return db.withTables<LrsTables & ProgressTables>() as unknown as Kysely<ProgressDatabase>;
}

/** A date column as YYYY-MM-DD (pg returns Date, PGlite a string depending on parsers). */
export const dayString = (d: unknown): string => (typeof d === 'string' ? d.slice(0, 10) : (d as Date).toISOString().slice(0, 10));
