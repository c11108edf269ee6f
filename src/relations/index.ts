// What the CLI and the HTTP API use of the relations domain.
export { candidateModes, candidateSpace, parseModes, type CandidateMode, type CandidateOptions, type CandidateSpace } from './candidates.js';
export { combineFrameworks, crossCandidateSpace, subjectOf, type CrossOptions } from './cross.js';
export { offlineEstimator } from './offline.js';
export { tfidfEstimator } from './baseline.js';
export { llmEstimator } from './llm.js';
export { llmProviders, PRICES, providerStatus, type LlmProvider } from './providers.js';
export { ensemble } from './ensemble.js';
export { evaluate, parseGroundTruth, type Evaluation, type Score, type TruthRow } from './evaluate.js';
export { estimationSpace, estimatorFor, estimatorNames, loadRelationFramework, runEstimation, type EstimatorChoice, type RunResult } from './estimate.js';
export { BackgroundRuns, cancelRun, failInterruptedRuns, readRun, readRunBlocks, readRuns, type RunRequest } from './runs.js';
export { reviewLanguages, type ReviewLanguage } from './prompts/index.js';
export { addRelation, asProposed, decide, proposalOf, reviewActions, type Decision, type ReviewAction } from './review.js';
export { ccssCoherenceMap, courseOfStudyCommentary, holdOut, truthCsv, type CommentaryDataset, type CommentaryReport, type Dataset } from './datasets.js';
export { relationTypes, type Proposal, type RelationFramework, type RelationItem, type RelationType } from './model.js';
export type { Estimator } from './estimator.js';
