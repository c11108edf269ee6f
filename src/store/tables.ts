import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json = JSONColumnType<Record<string, unknown>, Record<string, unknown>, Record<string, unknown>>;
type JsonOrNull = ColumnType<Record<string, unknown> | null, Record<string, unknown> | null | undefined, Record<string, unknown> | null>;

export interface OrganizationTable {
  id: string;
  name: string;
  kind: 'authority' | 'board' | 'school';
  parent_id: string | null;
  created_at: DefaultNow;
}

export interface CfDocumentTable {
  identifier: string;
  payload: Json;
  title: string;
  creator: string;
  adoption_status: string | null;
  authored: boolean;
  is_course_of_study: ColumnType<boolean, boolean | undefined, boolean>;
  organization_id: string | null;
  package_extensions: JsonOrNull;
  definitions_extensions: JsonOrNull;
  source_url: string | null;
  last_change_date_time: Timestamp;
  created_at: DefaultNow;
  updated_at: DefaultNow;
}

export interface CfItemTable {
  identifier: string;
  payload: Json;
  document_identifier: string | null;
  human_coding_scheme: string | null;
  authored: boolean;
  last_change_date_time: Timestamp;
  updated_at: DefaultNow;
}

export interface CfAssociationTable {
  identifier: string;
  payload: Json;
  document_identifier: string;
  association_type: string;
  origin_identifier: string;
  destination_identifier: string;
  sequence_number: number | null;
  provenance: JsonOrNull;
  position: ColumnType<number, number | undefined, number>;
  authored: boolean;
  last_change_date_time: Timestamp;
  updated_at: DefaultNow;
}

export type CfDefinitionKind = 'CFConcept' | 'CFSubject' | 'CFLicense' | 'CFItemType' | 'CFAssociationGrouping';

export interface CfDefinitionTable {
  identifier: string;
  kind: CfDefinitionKind;
  payload: Json;
  authored: boolean;
  last_change_date_time: Timestamp;
  updated_at: DefaultNow;
}

export interface CfRubricTable {
  identifier: string;
  payload: Json;
  authored: boolean;
  last_change_date_time: Timestamp;
  updated_at: DefaultNow;
}

export interface CfPackageMemberTable {
  document_identifier: string;
  kind: 'CFItem' | 'CFDefinition' | 'CFRubric';
  identifier: string;
  position: number;
}

export interface AppUserTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string | null;
  locale: ColumnType<string, string | undefined, string>;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: DefaultNow;
}

export type Role = 'admin' | 'author' | 'reviewer' | 'teacher' | 'learner';
export type RoleScopeType = 'global' | 'framework' | 'organization' | 'class' | 'self';

export interface RoleAssignmentTable {
  user_id: string;
  role: Role;
  scope_type: RoleScopeType;
  scope_id: ColumnType<string, string | undefined, string>;
  created_at: DefaultNow;
}

export interface UserSessionTable {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  expires_at: Timestamp;
  created_at: DefaultNow;
}

export interface ApiClientTable {
  id: string;
  client_id: string;
  secret_hash: string;
  name: string;
  scopes: string[];
  owner_user_id: string | null;
  created_at: DefaultNow;
  revoked_at: Date | null;
}

export interface AccessTokenTable {
  token_hash: string;
  client_id: string;
  scopes: string[];
  expires_at: Timestamp;
  created_at: DefaultNow;
}

export interface CaseSourceTable {
  id: string;
  base_url: string;
  token_url: string | null;
  client_id: string | null;
  client_secret: string | null;
  scope: string | null;
  created_at: DefaultNow;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: DefaultNow;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  details: JsonOrNull;
}

export interface Database {
  organization: OrganizationTable;
  cf_document: CfDocumentTable;
  cf_item: CfItemTable;
  cf_association: CfAssociationTable;
  cf_definition: CfDefinitionTable;
  cf_rubric: CfRubricTable;
  cf_package_member: CfPackageMemberTable;
  app_user: AppUserTable;
  role_assignment: RoleAssignmentTable;
  user_session: UserSessionTable;
  api_client: ApiClientTable;
  access_token: AccessTokenTable;
  case_source: CaseSourceTable;
  audit_log: AuditLogTable;
}
