// The progress domain: proficiency per learner per CFItem, the learning map, rosters. What http and cli use.
export { applyEvidence } from './mastery.js';
