// What other domains may use of the CASE domain (STYLE.md: domains import each other only via index.ts).
export { findItemByReference, findItemsByCourseOfStudyCode, type ItemRef } from './items.js';
