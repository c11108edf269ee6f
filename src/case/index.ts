// What other domains may use of the CASE domain (STYLE.md: domains import each other only via index.ts).
export { exactMatches, findItemByReference, findItemsByCourseOfStudyCodes, findItemsByReferences, itemLink, type ItemRef } from './items.js';
export { alignmentCsv, alignmentStatuses, checkAlignment, jsonReferenceList, parseFailOn, parseReferenceList, type AlignmentReport, type AlignmentStatus } from './alignment.js';
export { rowsToPackage } from './package.js';
export { uuidv4, uuidv5, isCaseUuid } from './uuid.js';
export { localUri, LOCAL_BASE, type CFPackage, type CFItem, type CFAssociation } from './model.js';
export { getFramework, isPublicFramework } from './frameworks.js';
export { importCaseJson } from './import/case-json.js';
