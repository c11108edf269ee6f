/**
 * CASE 1.1 entities as Shirube stores them: plain JSON objects, every field kept (including fields the schema
 * does not know, from real-world packages). The interfaces name the fields Shirube reads; the index signature
 * keeps the rest.
 */
export type CaseVersion = '1.0' | '1.1';

export interface LinkURI {
  title: string;
  identifier: string;
  uri: string;
  [extra: string]: unknown;
}

export interface LinkGenURI extends LinkURI {
  targetType?: string;
}

export interface CFDocument {
  identifier: string;
  uri: string;
  creator: string;
  title: string;
  lastChangeDateTime: string;
  adoptionStatus?: string;
  frameworkType?: string;
  caseVersion?: string;
  extensions?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface CFItem {
  identifier: string;
  uri: string;
  fullStatement: string;
  lastChangeDateTime: string;
  humanCodingScheme?: string;
  CFItemType?: string;
  CFItemTypeURI?: LinkURI;
  educationLevel?: string[];
  extensions?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface CFAssociation {
  identifier: string;
  uri: string;
  associationType: string;
  originNodeURI: LinkGenURI;
  destinationNodeURI: LinkGenURI;
  lastChangeDateTime: string;
  sequenceNumber?: number;
  CFAssociationGroupingURI?: LinkURI;
  extensions?: Record<string, unknown>;
  [field: string]: unknown;
}

/** CFConcept, CFSubject, CFLicense, CFItemType, CFAssociationGrouping share this shape. */
export interface CFDefinitionEntity {
  identifier: string;
  uri: string;
  title: string;
  lastChangeDateTime: string;
  [field: string]: unknown;
}

export interface CFRubric {
  identifier: string;
  uri: string;
  lastChangeDateTime: string;
  CFRubricCriteria?: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

export interface CFDefinitions {
  CFConcepts?: CFDefinitionEntity[];
  CFSubjects?: CFDefinitionEntity[];
  CFLicenses?: CFDefinitionEntity[];
  CFItemTypes?: CFDefinitionEntity[];
  CFAssociationGroupings?: CFDefinitionEntity[];
  extensions?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface CFPackage {
  CFDocument: CFDocument;
  CFItems: CFItem[];
  CFAssociations: CFAssociation[];
  CFDefinitions?: CFDefinitions;
  CFRubrics?: CFRubric[];
  extensions?: Record<string, unknown>;
  [field: string]: unknown;
}

export const definitionKinds = {
  CFConcepts: 'CFConcept',
  CFSubjects: 'CFSubject',
  CFLicenses: 'CFLicense',
  CFItemTypes: 'CFItemType',
  CFAssociationGroupings: 'CFAssociationGrouping',
} as const;
export type DefinitionListName = keyof typeof definitionKinds;
export type DefinitionKind = (typeof definitionKinds)[DefinitionListName];

export const associationTypes = [
  'isChildOf', 'isPeerOf', 'isPartOf', 'exactMatchOf', 'precedes', 'isRelatedTo',
  'replacedBy', 'exemplar', 'hasSkillLevel', 'isTranslationOf',
] as const;

/** Adoption statuses: CASE 1.1 best practice, the 1.0 ones, and OpenSALT's Private Draft (hidden from the public API). */
export const adoptionStatuses = [
  'Private Draft', 'Draft', 'Pending Implementation', 'Implemented', 'Retired', 'Adopted', 'Deprecated',
] as const;
export const PRIVATE_DRAFT = 'Private Draft';
/** Adoption statuses of an official (published) framework: frozen, and each entry freezes a version (docs/authoring.md). */
export const OFFICIAL_STATUSES = ['Adopted', 'Implemented'];
/** Statuses of a framework at the end of its life: frozen too. */
export const ENDED_STATUSES = ['Deprecated', 'Retired'];
export const isOfficial = (status: string | null | undefined) => !!status && OFFICIAL_STATUSES.includes(status);
export const isFrozen = (status: string | null | undefined) => !!status && (OFFICIAL_STATUSES.includes(status) || ENDED_STATUSES.includes(status));

/**
 * Authored entities are stored with URIs under this prefix; it is replaced by SHIRUBE_PUBLIC_URL when serving,
 * so a framework authored on localhost keeps working after deployment.
 */
export const LOCAL_BASE = 'shirube-local:';
export const localUri = (identifier: string) => `${LOCAL_BASE}/uri/${identifier}`;
