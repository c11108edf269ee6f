// The progress domain: proficiency per learner per CFItem, the learning map, rosters. What http and cli use.
export { applyEvidence } from './mastery.js';
export { requireLearnerAccess, requireClassAccess, learnerOfUser, myProgressContext, type Viewer } from './access.js';
export { learningMap, classMap, itemDetail, nextSteps, changes, heatmap, heatmapCsv, stuck } from './views.js';
export { getRulesView, putRules } from './rules-api.js';
export { DEFAULT_BKT, type BktParams } from './bkt.js';
export { seedDemoRoster, hasDemoClass, demoSubjects, DEMO_CLASS, DEMO_SCHOOL } from './demo.js';
export { ensureDemoPrecedes, MATH_2017_DOCUMENT, SCIENCE_2017_DOCUMENT, DEMO_PRECEDES_DOCUMENT } from './demo-precedes.js';
export { ensureDemoRubrics, DEMO_RUBRICS_DOCUMENT } from './demo-rubrics.js';
export { simulate, simulateClass, simLearners, DEFAULT_SIMULATION, type SimulationOptions, type SimSubject } from './simulator.js';
export { frameworkStructure } from './framework.js';
export { savePerson, saveClass, enroll, unenroll, removeClass, removePerson, removeSchool, rosterAccount, rosterStudentAccounts } from './rosters.js';
export { importOneRoster, type RosterImportResult, type RejectedRow } from './oneroster.js';
export { startSignIn, takeSignIn, finishSignIn, signInProviders, type PendingSignIn } from './oidc.js';
export { progressPersonalData } from './personal-data.js';
export { frameworkRules, labelsOf, ruleOf, RulesCache, type FrameworkRules } from './standing.js';
export { itemRubrics, type ItemRubric, type RubricLevel } from './rubrics.js';
export { evaluate as evaluateProficiency, windowAnswers } from './rules.js';
export { importUnits, listUnitSchemes, unitSchemeView, type UnitScheme } from './units.js';
