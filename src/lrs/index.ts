// The LRS domain: what the HTTP layer, the CLI and later domains (progress, badges) use.
export { validateStatement, validateAgentParam, isObject, VOIDED, type Json, type XapiVersion } from './validate.js';
export { storeStatements, getStatement, type AttachmentPart, type Writer, type WriteOptions } from './statements.js';
export { ItemCache } from './item-cache.js';
export { FirstSeen } from './first-seen.js';
export { WriteGate } from './write-gate.js';
export { parseStatementQuery, queryStatementPage, decodeMore, formatStatement, PAGE_SIZE, type StatementQuery, type StatementPage } from './query.js';
export { getDocument, listDocuments, writeDocument, deleteDocument, type DocumentScope, type DocumentKind, type Preconditions } from './documents.js';
export { getActivityObject } from './activities.js';
export { personOf, resolveLearner, findLearner, linkActor } from './learners.js';
export { learnerEvidence, derivationBackfill, scoreOf, dayIn, type EvidenceChange, type EvidenceHook, linkReferences, cfItemExtension, CF_ITEM_EXTENSION_PATH, COURSE_OF_STUDY_CODE } from './evidence.js';
export { exportLearner, eraseLearner, findLearnerByAgent, type LearnerDataPart } from './personal-data.js';
export { getAttachmentContents } from './attachments.js';
